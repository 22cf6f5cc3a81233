// Small glue for QM Cohort pages. Pages work without it; it only improves focus handling.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen-reader users hear what went wrong.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();
});
