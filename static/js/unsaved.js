// A form marked data-unsaved-guard keeps what was typed into it: while it holds changes not yet
// saved, another form on the same page (a comment, "Remove" beside the evidence) is not sent, and a
// message says why. The page works without this; its own buttons send the typed text along anyway.
(() => {
  const changed = (form) =>
    Array.from(form.elements).some((field) => {
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.type === "file") return field.files && field.files.length > 0;
      if (field.tagName === "TEXTAREA" || (field.tagName === "INPUT" && field.type !== "hidden")) {
        return field.value !== field.defaultValue;
      }
      return false;
    });

  document.addEventListener("DOMContentLoaded", () => {
    const guarded = Array.from(document.querySelectorAll("form[data-unsaved-guard]"));
    if (!guarded.length) return;
    document.addEventListener("submit", (event) => {
      const form = event.target;
      const dirty = guarded.find((g) => g !== form && changed(g));
      if (!dirty) return;
      event.preventDefault();
      let note = form.querySelector(".unsaved-note");
      if (!note) {
        note = document.createElement("p");
        note.className = "unsaved-note message message-error";
        note.setAttribute("role", "alert");
        form.append(note);
      }
      note.textContent = interpolate(
        gettext("Nothing was sent: %(form)s has changes that are not saved. Save them first."),
        { form: dirty.dataset.unsavedGuard },
        true,
      );
    });
  });
})();
