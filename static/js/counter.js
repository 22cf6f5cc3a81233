// A character counter under every text field with a limit (data-maxlength, set by the forms).
// The limit is the server's to enforce, with a message; this only shows it while typing. Counted as
// the server counts: characters (not UTF-16 units), a line break as the two the browser sends.
(() => {
  const counted = (text) => [...text.replace(/\r?\n/g, "\r\n")].length;
  const number = (n) => n.toLocaleString(document.documentElement.lang || "en-GB");

  function attach(field) {
    if (field.dataset.counterReady) return;
    field.dataset.counterReady = "1";
    const limit = Number(field.dataset.maxlength);
    const counter = document.createElement("span");
    counter.className = "char-counter";
    counter.id = `${field.id || field.name}-counter`;
    const warning = document.createElement("span");
    warning.className = "char-counter-over";
    warning.setAttribute("aria-live", "polite");
    const described = field.getAttribute("aria-describedby");
    field.setAttribute("aria-describedby", described ? `${described} ${counter.id}` : counter.id);
    field.after(counter, warning);
    const update = () => {
      const used = counted(field.value);
      counter.textContent = interpolate(
        ngettext("%(used)s of %(limit)s character", "%(used)s of %(limit)s characters", limit),
        { used: number(used), limit: number(limit) },
        true,
      );
      const over = used - limit;
      counter.classList.toggle("over", over > 0);
      const text =
        over > 0
          ? interpolate(
              ngettext(
                "%(over)s character too many: shorten the text before you send it.",
                "%(over)s characters too many: shorten the text before you send it.",
                over,
              ),
              { over: number(over) },
              true,
            )
          : "";
      if (warning.textContent !== text) warning.textContent = text;
    };
    field.addEventListener("input", update);
    update();
  }

  const scan = (root) => root.querySelectorAll("[data-maxlength]").forEach(attach);
  document.addEventListener("DOMContentLoaded", () => scan(document));
  document.addEventListener("htmx:load", (event) => scan(event.target));
})();
