// Small glue for QM Cohort pages. Pages work without it: it improves focus handling, folds the
// cohort navigation behind a menu button on narrow screens, and lets people filter long selects.
document.addEventListener("DOMContentLoaded", () => {
  // Move focus to an error summary so screen-reader users hear what went wrong.
  const summary = document.querySelector(".error-summary");
  if (summary) summary.focus();

  // The cohort navigation: the button exists in the page but is only shown once this runs.
  document.querySelectorAll(".cohort-nav").forEach((nav) => {
    const button = nav.querySelector(".menu-button");
    const list = button && document.getElementById(button.getAttribute("aria-controls"));
    if (!button || !list) return;
    button.hidden = false;
    nav.classList.add("collapsible");
    const set = (open) => {
      nav.classList.toggle("open", open);
      button.setAttribute("aria-expanded", open ? "true" : "false");
    };
    button.addEventListener("click", () => set(button.getAttribute("aria-expanded") !== "true"));
    nav.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        set(false);
        button.focus();
      }
    });
  });

  // A filter box above a long select (the time-zone list, or any marked data-filterable): typing
  // narrows the options shown. Without JavaScript the select works as it is.
  const longSelects = Array.from(document.querySelectorAll("select:not([multiple])")).filter(
    (select) => select.id && (select.hasAttribute("data-filterable") || select.options.length > 60),
  );
  longSelects.forEach((select) => {
    const input = document.createElement("input");
    input.type = "search";
    input.className = "tz-filter";
    input.id = `${select.id}-filter`;
    input.setAttribute("aria-controls", select.id);
    const label = document.createElement("label");
    label.htmlFor = input.id;
    const own = document.querySelector(`label[for="${select.id}"]`);
    const name = own ? own.textContent.replace(/[:*]\s*$/, "").trim() : gettext("the list");
    label.textContent = interpolate(
      select.name.includes("time_zone")
        ? gettext("Filter the list: %(name)s (type part of a place, e.g. London)")
        : gettext("Filter the list: %(name)s"),
      { name: name.toLowerCase() },
      true,
    );
    label.className = "filter-label";
    const status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    select.before(label, input, status);
    const options = Array.from(select.options);
    input.addEventListener("input", () => {
      const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      let shown = 0;
      options.forEach((option) => {
        const text = `${option.text} ${option.value}`.toLowerCase().replace(/_/g, " ");
        const match = option.selected || words.every((w) => text.includes(w));
        option.hidden = !match;
        if (match) shown += 1;
      });
      status.textContent = interpolate(gettext("%(shown)s of %(all)s shown"), { shown, all: options.length }, true);
    });
  });
});
