// Clip review and summary editing. The pages work without it: word numbers can be typed and quote
// tokens copied. With it, a word seeks the player, Shift selects a range, and quotes insert at the cursor.
// The transcript is one Tab stop (WAI-ARIA roving tabindex): exactly one word has tabindex="0", the
// arrow keys move focus between words, and Enter or Space on a word is the button's own click.
document.addEventListener("DOMContentLoaded", () => {
  // Django's JavaScript catalogue (base.html) gives gettext and interpolate; English until it is there.
  const { gettext, interpolate } = window.gettext ? window : {
    gettext: (text) => text,
    interpolate: (format, values) => format.replace(/%\((\w+)\)s/g, (_match, name) => String(values[name])),
  };
  // After an action the page comes back at the section it was taken in (the views add its id as the
  // fragment): focus it, so Tab carries on from there and a screen reader says where the person is.
  const back = window.location.hash ? document.getElementById(decodeURIComponent(window.location.hash.slice(1))) : null;
  if (back) {
    if (!back.hasAttribute("tabindex")) back.setAttribute("tabindex", "-1");
    back.focus();
  }
  const transcript = document.getElementById("transcript");
  if (transcript) {
    const player = document.getElementById(transcript.dataset.player || "");
    const status = document.getElementById("selection");
    const words = Array.from(transcript.querySelectorAll("button.word"));
    let anchor = null;

    const select = (first, last) => {
      const chosen = [];
      for (const word of words) {
        const index = Number(word.dataset.index);
        const on = index >= first && index <= last;
        word.classList.toggle("selected", on);
        word.setAttribute("aria-pressed", on ? "true" : "false");
        // The hidden "redacted:" label (in the page's language) is not one of the student's words.
        if (on) chosen.push(Array.from(word.childNodes).filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("").trim());
      }
      document.querySelectorAll("input.span-first").forEach((input) => { input.value = String(first); });
      document.querySelectorAll("input.span-last").forEach((input) => { input.value = String(last); });
      if (status) {
        const said = chosen.join(" ");
        status.textContent = first === last
          ? interpolate(gettext("Selected word %(first)s: “%(words)s”"), { first, words: said }, true)
          : interpolate(gettext("Selected words %(first)s to %(last)s: “%(words)s”"), { first, last, words: said }, true);
      }
    };

    // Seek to a word and select it, or (extending) every word from the anchor to it: a click, Enter
    // and Space (which the browser turns into a click), and Shift with a movement key all come here.
    const choose = (word, extending) => {
      const index = Number(word.dataset.index);
      if (player && !Number.isNaN(Number(word.dataset.start))) {
        player.currentTime = Number(word.dataset.start);
      }
      if (extending && anchor !== null) {
        select(Math.min(anchor, index), Math.max(anchor, index));
      } else {
        anchor = index;
        select(index, index);
      }
    };

    const rove = (word) => {
      for (const other of words) other.tabIndex = other === word ? 0 : -1;
    };

    transcript.addEventListener("click", (event) => {
      const word = event.target.closest("button.word");
      if (!word) return;
      rove(word);
      choose(word, event.shiftKey);
    });

    // Focus can reach a word another way (a screen reader moves it): that word becomes the Tab stop.
    transcript.addEventListener("focusin", (event) => {
      const word = event.target.closest("button.word");
      if (word) rove(word);
    });

    const PAGE = 20;
    transcript.addEventListener("keydown", (event) => {
      const word = event.target.closest("button.word");
      if (!word || event.altKey || event.metaKey) return;
      const at = words.indexOf(word);
      const last = words.length - 1;
      const targets = {
        ArrowLeft: at - 1,
        ArrowRight: at + 1,
        Home: 0,
        End: last,
        PageUp: at - PAGE,
        PageDown: at + PAGE,
      };
      if (!(event.key in targets)) return;
      event.preventDefault();  // no scrolling of the transcript or the page
      const next = words[Math.max(0, Math.min(last, targets[event.key]))];
      if (event.shiftKey && anchor === null) anchor = Number(word.dataset.index);
      rove(next);
      next.focus();
      if (event.shiftKey) choose(next, true);
    });

    if (player) {
      // Follow the playback in the transcript.
      player.addEventListener("timeupdate", () => {
        const now = player.currentTime;
        let current = null;
        for (const word of words) {
          if (Number(word.dataset.start) <= now) current = word; else break;
        }
        words.forEach((word) => word.classList.toggle("current", word === current));
      });
    }
  }

  // The quote picker beside the summary editor: insert {{quote N}} at the cursor.
  document.querySelectorAll("button.insert-quote").forEach((button) => {
    button.addEventListener("click", () => {
      const area = document.getElementById(button.dataset.target || "");
      if (!area) return;
      const token = `\n\n${button.dataset.insert}\n\n`;
      const start = area.selectionStart ?? area.value.length;
      const end = area.selectionEnd ?? start;
      area.value = area.value.slice(0, start) + token + area.value.slice(end);
      area.focus();
      area.selectionStart = area.selectionEnd = start + token.length;
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
});
