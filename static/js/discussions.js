// Live discussions: glue around htmx's ws extension (hx-ws-2). No inline scripts (CSP).
// - On every (re)connect, tell the server what the page already holds: it sends exactly what is newer.
// - Skip a post the page already shows (it can arrive over the socket and in the HTTP response).
// - Show each reader their own edit/delete controls (fragments are shared by everyone).
// - Mark posts that arrive while the page is open as new, and show times that arrive in the reader's
//   time zone (the fragments are the same for every reader: times in them are the site's).
(function () {
  "use strict";
  if (!window.htmx) return;
  // Text in the page's language from Django's JavaScript catalogue (base.html loads it); English without it.
  var gettext = window.gettext || function (text) { return text; };
  var pgettext = window.pgettext || function (context, text) { return text; };

  // Reconnect quickly after a network blip: at most 4 s between attempts.
  htmx.config.wsReconnectDelay = function (retryCount) {
    var delay = Math.min(250 * Math.pow(2, retryCount), 4000);
    return delay / 2 + Math.random() * delay / 2;
  };
  // Let htmx swap a form re-rendered with its error messages (422).
  htmx.config.responseHandling = [
    { code: "204", swap: false },
    { code: "[23]..", swap: true },
    { code: "422", swap: true },
    { code: "[45]..", swap: false, error: true },
  ];

  function live() { return document.querySelector("[data-live]"); }

  function markOwn(root) {
    var page = live();
    if (!page) return;
    var me = page.dataset.me;
    (root || document).querySelectorAll("article.post[data-author]").forEach(function (post) {
      post.classList.toggle("mine", post.dataset.author === me);
    });
    (root || document).querySelectorAll(".thread-row[data-last-author]").forEach(function (row) {
      if (row.dataset.lastAuthor === me) row.classList.remove("unread");
    });
  }

  function setStatus(state, text) {
    var status = document.getElementById("live-status");
    if (!status) return;
    status.dataset.state = state;
    status.querySelector(".live-text").textContent = text;
  }

  // The ext reconnects after abnormal closures by itself. A browser that knows it went offline closes
  // its socket at once (a dead TCP connection can linger for minutes) and reconnects when back online.
  var current = { socket: null, wrapper: null };
  var OFFLINE_CLOSE = 4000;
  window.addEventListener("offline", function () {
    if (current.socket && current.socket.readyState <= 1) current.socket.close(OFFLINE_CLOSE, "offline");
    setStatus("offline", gettext("Offline: live updates resume when you are back online."));
  });
  window.addEventListener("online", function () {
    // The closing handshake of the old socket may still be pending: give it a moment, then reconnect
    // unless the page already has an open socket.
    window.setTimeout(function () {
      if (current.wrapper && (!current.socket || current.socket.readyState !== 1)) current.wrapper.reconnect();
    }, 300);
  });

  document.addEventListener("htmx:wsConnecting", function () {
    if (!navigator.onLine) return;
    setStatus("connecting", gettext("Connecting for live updates…"));
  });
  document.addEventListener("htmx:wsOpen", function (event) {
    current.socket = event.detail.event.target;
    current.wrapper = event.detail.socketWrapper;
    var page = live();
    var message;
    if (page.dataset.live === "thread") {
      message = { type: "resume", seq: parseInt(document.getElementById("thread-seq").dataset.seq, 10) || 0 };
    } else {
      message = { type: "resume", since: parseInt(document.getElementById("theme-since").dataset.since, 10) || 0 };
    }
    event.detail.socketWrapper.send(JSON.stringify(message));
    setStatus("open", gettext("Live: new posts appear here as they are written."));
  });
  document.addEventListener("htmx:wsClose", function (event) {
    if (current.socket && event.detail.event.target !== current.socket) return; // an old socket
    var code = event.detail.event.code;
    if (code === 4403) setStatus("closed", gettext("Live updates stopped: reload the page."));
    else if (code === 4409) setStatus("closed", gettext("Many posts changed since this page loaded: reload the page to see them."));
    else if (code === 4429) setStatus("closed", gettext("Live updates stopped: this page sent too many messages. Reload the page."));
    else if (code === OFFLINE_CLOSE) setStatus("offline", gettext("Offline: live updates resume when you are back online."));
    else setStatus("offline", gettext("Connection lost: reconnecting…"));
  });

  // Times as the page renders them ("j M Y, H:i" in the reader's time zone, month names in the page's
  // language), from <time datetime>.
  var MONTHS = [
    pgettext("abbrev. month", "Jan"), pgettext("abbrev. month", "Feb"), pgettext("abbrev. month", "Mar"),
    pgettext("abbrev. month", "Apr"), pgettext("abbrev. month", "May"), pgettext("abbrev. month", "Jun"),
    pgettext("abbrev. month", "Jul"), pgettext("abbrev. month", "Aug"), pgettext("abbrev. month", "Sep"),
    pgettext("abbrev. month", "Oct"), pgettext("abbrev. month", "Nov"), pgettext("abbrev. month", "Dec"),
  ];
  var formatter = null;
  function localTimes() {
    var page = live();
    if (!page || !page.dataset.timeZone) return;
    try {
      formatter = formatter || new Intl.DateTimeFormat("en-GB", {
        timeZone: page.dataset.timeZone, year: "numeric", month: "numeric", day: "numeric",
        hour: "2-digit", minute: "2-digit", hourCycle: "h23",
      });
    } catch (e) {
      return; // a zone this browser does not know: keep the site's time
    }
    page.querySelectorAll("time[datetime]:not([data-local])").forEach(function (time) {
      var moment = new Date(time.getAttribute("datetime"));
      if (isNaN(moment.getTime())) return;
      var parts = {};
      formatter.formatToParts(moment).forEach(function (part) { parts[part.type] = part.value; });
      time.textContent = parseInt(parts.day, 10) + " " + MONTHS[parseInt(parts.month, 10) - 1] + " " + parts.year +
        ", " + parts.hour + ":" + parts.minute;
      time.dataset.local = "";
    });
  }

  // Posts that arrive while the page is open are new to this reader (unless they wrote them), as the
  // page marks those since the last visit; an edit of a post marked new keeps the mark.
  var arriving = [];
  function markNew() {
    var me = live() && live().dataset.me;
    arriving.forEach(function (id) {
      var post = document.getElementById("post-" + id);
      if (!post || post.dataset.author === me || post.classList.contains("post-gone")) return;
      post.classList.add("post-new");
      var head = post.querySelector(".post-head");
      if (!head || head.querySelector(".badge")) return;
      var badge = document.createElement("span");
      badge.className = "badge";
      badge.textContent = gettext("New");
      head.insertBefore(badge, head.querySelector(".practice"));
    });
    arriving = [];
  }

  // Upserts: a post node the page already has is skipped; a theme row is moved (replaced).
  document.addEventListener("htmx:oobBeforeSwap", function (event) {
    var incoming = event.detail.fragment && event.detail.fragment.firstElementChild;
    if (!incoming || !incoming.id) return;
    var existing = document.getElementById(incoming.id);
    if (incoming.id.indexOf("node-") === 0 && existing) {
      event.detail.shouldSwap = false;
    } else if (incoming.id.indexOf("node-") === 0) {
      arriving.push(incoming.id.slice(5));
    } else if (incoming.id.indexOf("post-") === 0 && existing && existing.classList.contains("post-new")) {
      arriving.push(incoming.id.slice(5));
    } else if (incoming.id.indexOf("thread-row-") === 0) {
      if (existing) existing.remove();
      var empty = event.detail.target.querySelector(".empty");
      if (empty) empty.remove();
    }
  });

  var announce = null;
  document.addEventListener("htmx:wsAfterMessage", function () {
    markOwn();
    markNew();
    localTimes();
    var status = document.getElementById("live-status");
    if (status && live().dataset.live === "thread") {
      window.clearTimeout(announce);
      announce = window.setTimeout(function () {
        setStatus("open", gettext("Live: the thread was updated."));
        markRead();
      }, 1500);
    }
  });
  document.addEventListener("htmx:afterSettle", function () { markOwn(); markNew(); localTimes(); });

  // Posting swaps the whole compose box (its button disabled meanwhile), which drops focus to <body>:
  // a keyboard user would start again from the top of the page. Put focus back in the new box, on its
  // error summary if the post was refused, else in the empty text area ready for the next post, unless
  // the user has moved on to something else in the meantime.
  document.addEventListener("htmx:afterSettle", function (event) {
    var compose = event.target;
    if (!compose || compose.id !== "compose") return;
    var active = document.activeElement;
    if (active && active !== document.body && !compose.contains(active)) return;
    var target = compose.querySelector(".error-summary") || compose.querySelector("textarea");
    if (target) target.focus();
  });

  function markRead() {
    var page = live();
    if (!page || !page.dataset.readUrl || document.hidden) return;
    htmx.ajax("POST", page.dataset.readUrl, { swap: "none" });
  }

  // One reply form: "Reply" under a post fills in its parent and moves focus to the form.
  document.addEventListener("click", function (event) {
    var link = event.target.closest(".reply-link");
    if (link) {
      var form = document.querySelector("#compose form");
      if (!form) return;
      event.preventDefault();
      form.querySelector("input[name=parent]").value = link.dataset.post;
      var note = document.getElementById("replying-to");
      note.querySelector(".replying-name").textContent = link.dataset.authorName;
      note.hidden = false;
      form.querySelector("textarea").focus();
      return;
    }
    if (event.target.closest("#cancel-reply")) {
      document.querySelector("#compose input[name=parent]").value = "";
      document.getElementById("replying-to").hidden = true;
      document.querySelector("#compose textarea").focus();
    }
  });

  // @mention autocomplete: type @ and some letters; pick a name with the arrow keys and Enter.
  var pending = null;
  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!area.matches || !area.matches("#compose textarea")) return;
    var before = area.value.slice(0, area.selectionStart);
    var match = /(^|\s)@([^\s@*]{1,30})$/.exec(before);
    var list = document.getElementById("mention-suggestions");
    if (!match) { list.hidden = true; return; }
    window.clearTimeout(pending);
    pending = window.setTimeout(function () {
      var url = live().dataset.mentionsUrl + "&q=" + encodeURIComponent(match[2]);
      fetch(url, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
        list.innerHTML = "";
        data.results.forEach(function (person, i) {
          var item = document.createElement("li");
          item.setAttribute("role", "option");
          item.id = "mention-" + i;
          item.textContent = person.name + " (" + person.detail + ")";
          item.addEventListener("mousedown", function (e) { e.preventDefault(); insertMention(area, person.name); });
          list.appendChild(item);
        });
        list.hidden = data.results.length === 0;
        list.dataset.active = "";
      });
    }, 150);
  });
  document.addEventListener("keydown", function (event) {
    var list = document.getElementById("mention-suggestions");
    if (!list || list.hidden || !event.target.matches("#compose textarea")) return;
    var items = list.querySelectorAll("li");
    var active = parseInt(list.dataset.active || "-1", 10);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      active = (active + (event.key === "ArrowDown" ? 1 : items.length - 1)) % items.length;
      items.forEach(function (li, i) { li.setAttribute("aria-selected", i === active ? "true" : "false"); });
      list.dataset.active = String(active);
      event.target.setAttribute("aria-activedescendant", "mention-" + active);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      insertMention(event.target, items[active].textContent.replace(/ \(.*\)$/, ""));
    } else if (event.key === "Escape") {
      list.hidden = true;
    }
  });
  function insertMention(area, name) {
    var before = area.value.slice(0, area.selectionStart).replace(/@([^\s@*]{1,30})$/, "@**" + name + "** ");
    area.value = before + area.value.slice(area.selectionStart);
    area.selectionStart = area.selectionEnd = before.length;
    document.getElementById("mention-suggestions").hidden = true;
    area.removeAttribute("aria-activedescendant");
    area.focus();
  }

  document.addEventListener("DOMContentLoaded", function () { markOwn(); });
  if (document.readyState !== "loading") markOwn();
})();
