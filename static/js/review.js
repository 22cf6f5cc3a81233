// Clip review and summary editing. The pages work without it: word numbers can be typed and quote
// tokens copied. With it, a word seeks the player, Shift selects a range, and quotes insert at the cursor.
document.addEventListener("DOMContentLoaded", () => {
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
        if (on) chosen.push(word.textContent.replace(/^redacted: /, ""));
      }
      document.querySelectorAll("input.span-first").forEach((input) => { input.value = String(first); });
      document.querySelectorAll("input.span-last").forEach((input) => { input.value = String(last); });
      if (status) {
        const range = first === last ? `word ${first}` : `words ${first} to ${last}`;
        status.textContent = `Selected ${range}: “${chosen.join(" ")}”`;
      }
    };

    transcript.addEventListener("click", (event) => {
      const word = event.target.closest("button.word");
      if (!word) return;
      const index = Number(word.dataset.index);
      if (player && !Number.isNaN(Number(word.dataset.start))) {
        player.currentTime = Number(word.dataset.start);
      }
      if (event.shiftKey && anchor !== null) {
        select(Math.min(anchor, index), Math.max(anchor, index));
      } else {
        anchor = index;
        select(index, index);
      }
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
