// Typed work is never lost: every form someone types into keeps a draft in this browser's own storage
// (localStorage, nothing is sent anywhere) until the server confirms it was saved.
//
// - Which forms: on pages of a signed-in person (body[data-user]), each POST form with a text area or
//   text fields, outside the account pages (/accounts/: passwords, two-factor codes). A form or field
//   marked data-no-draft is left alone; passwords, hidden and file inputs, and fields whose names say
//   code, token, secret or password are never stored. Pages without an account (a student's consent
//   and upload pages) keep no drafts: they are often used on shared college computers; their forms are
//   marked data-no-draft too, so a facilitator trying a student link while signed in keeps nothing.
//   Staff pages that hold students' words (transcript review, the summary) do keep drafts, in this
//   browser only, for at most seven days, until saved or logged out.
// - The draft's key: the person and the form's identity: where it is sent (its action, else the page's
//   path) and its id, else its place among the page's forms sent there. (The action rather than the
//   page: a form shown again at the address it was sent to, with its errors, is the same form.) Only fields whose value differs from what the
//   page was served with are kept. A draft older than seven days is dropped; logging out drops them all;
//   a draft is restored only to the person who typed it (another person logging in drops the others').
// - Restore: on load, a kept draft that differs from the form fills it in, with a note (role=status)
//   "Restored what you typed (<time>)" and a button that discards it.
// - When the draft goes: a form sent by htmx clears it when the answer is a success (2xx, not a
//   redirect to log in). A form sent as a page marks its draft as sent (sessionStorage); the next page
//   decides: the log-in page, or a page marked data-draft-keep (the expired-form and rate-limit pages),
//   or a page showing errors keeps it; any other page reached by following the form clears it, and so
//   does nothing else: Back or a reload is not an answer to the form.
// - Session end: for sessions with an idle limit (staff: body[data-idle-seconds]), typing into a form
//   sends a light request (POST still-typing/) at most every four minutes, which moves the deadline like
//   any page request; nothing is sent when no one types, so an unattended computer still signs out. With
//   unsaved typing and less than three minutes left, a warning (role=alert) offers "Stay signed in".
// - htmx answers 4xx/5xx without swapping (base.html's htmx-config; 422 re-renders the form): the
//   answer's message (its [data-error-message], else a general one) is shown in the form, and the typed
//   text stays where it is.
(function () {
  "use strict";
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, name) { return values[name]; });
  };
  var PREFIX = "qm-draft:";
  var SENT = "qm-draft-sent";
  var KEEP_DAYS = 7;
  var PING_EVERY = 4 * 60 * 1000;
  var WARN_BEFORE = 3 * 60 * 1000;
  var body = document.body;

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }
  function each(fn) {
    var store = storage();
    if (!store) return;
    var keys = [];
    for (var i = 0; i < store.length; i++) {
      if (store.key(i).indexOf(PREFIX) === 0) keys.push(store.key(i));
    }
    keys.forEach(function (key) { fn(key, store); });
  }
  function forgetAll() { each(function (key, store) { store.removeItem(key); }); }

  function user() { return body && body.dataset.user; }
  function path(url) {
    try { return new URL(url, window.location.href).pathname; } catch (e) { return ""; }
  }
  function onAccountPage() { return window.location.pathname.indexOf("/accounts/") === 0; }

  function storable(field) {
    if (!field.name || field.disabled || field.closest("[data-no-draft]")) return false;
    if (/pass|token|secret|code|otp|totp|csrf/i.test(field.name)) return false;
    if (field.tagName === "TEXTAREA") return true;
    return field.tagName === "INPUT" && /^(text|email|url|tel|number|date|time|datetime-local)$/.test(field.type);
  }
  function fields(form) { return Array.prototype.filter.call(form.elements, storable); }

  function keeps(form) {
    if (!user() || onAccountPage() || form.hasAttribute("data-no-draft")) return false;
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post" && !form.hasAttribute("hx-post")) return false;
    return fields(form).length > 0;
  }

  function actionOf(form) {
    return path(form.getAttribute("hx-post") || form.getAttribute("action") || window.location.href);
  }
  function keyOf(form) {
    var action = actionOf(form);
    var identity = form.id;
    if (!identity) {
      var same = Array.prototype.filter.call(document.querySelectorAll("form"), function (other) {
        return actionOf(other) === action;
      });
      identity = String(Math.max(0, same.indexOf(form)));
    }
    return PREFIX + user() + ":" + action + "#" + identity;
  }

  function read(key) {
    var store = storage();
    if (!store) return null;
    try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
  }

  function save(form) {
    var store = storage();
    if (!store || !keeps(form)) return;
    var values = {};
    var changed = false;
    fields(form).forEach(function (field) {
      if (field.value !== field.defaultValue) { values[field.name] = field.value; changed = true; }
    });
    var key = keyOf(form);
    try {
      if (changed) store.setItem(key, JSON.stringify({ at: Date.now(), values: values }));
      else store.removeItem(key);
    } catch (e) { /* storage full or refused: the form works as before */ }
  }

  function discard(form) {
    var store = storage();
    if (store && user()) store.removeItem(keyOf(form));
    var note = form.querySelector(".draft-note");
    if (note) note.remove();
  }

  function when(at) {
    var date = new Date(at);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var today = new Date().toDateString() === date.toDateString();
    var time = pad(date.getHours()) + ":" + pad(date.getMinutes());
    return today ? time : date.toLocaleDateString(document.documentElement.lang || undefined) + " " + time;
  }

  function restore(form) {
    if (!keeps(form)) return;
    var draft = read(keyOf(form));
    if (!draft || !draft.values) return;
    var restored = false;
    fields(form).forEach(function (field) {
      var value = draft.values[field.name];
      if (typeof value === "string" && value !== field.value) {
        field.value = value;
        restored = true;
      }
    });
    if (!restored) return;
    var note = document.createElement("div");
    note.className = "draft-note message message-info";
    note.setAttribute("role", "status");
    var text = document.createElement("span");
    text.textContent = interpolate(gettext("Restored what you typed (%(time)s); it has not been sent yet."), { time: when(draft.at) }, true) + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.textContent = gettext("Discard what was restored");
    button.addEventListener("click", function () {
      fields(form).forEach(function (field) { field.value = field.defaultValue; });
      discard(form);
      var first = fields(form)[0];
      if (first) first.focus();
    });
    note.append(text, button);
    form.prepend(note);
    // Let the page's own helpers (the character counters, the preview) see the restored text.
    fields(form).forEach(function (field) {
      if (draft.values[field.name] !== undefined) field.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // The page after a form sent as a page: did it succeed?
  function settleSent() {
    var sent;
    try { sent = JSON.parse(window.sessionStorage.getItem(SENT) || "null"); } catch (e) { sent = null; }
    if (!sent) return;
    try { window.sessionStorage.removeItem(SENT); } catch (e) { /* nothing to do */ }
    if (Date.now() - sent.at > 10 * 60 * 1000) return;
    if (onAccountPage() || document.querySelector("[data-draft-keep]")) return;
    var navigation = window.performance && performance.getEntriesByType && performance.getEntriesByType("navigation")[0];
    if (navigation && navigation.type !== "navigate") return; // Back, or a reload: not the answer to the form
    if (document.querySelector(".error-summary, .field-error, .message-error")) return; // the form again, with what went wrong
    var store = storage();
    if (store) store.removeItem(sent.key);
  }

  // Session end: keep a staff session alive while someone types; warn before it ends.
  var idle = body && parseInt(body.dataset.idleSeconds || "0", 10) * 1000;
  var lastContact = Date.now();
  function pending() {
    return Array.prototype.some.call(document.querySelectorAll("form"), function (form) {
      return keeps(form) && read(keyOf(form));
    });
  }
  function stillTyping() {
    var url = body.dataset.stillTypingUrl;
    var token = "";
    try { token = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"]; } catch (e) { return; }
    if (!url || !token) return;
    lastContact = Date.now();
    fetch(url, { method: "POST", credentials: "same-origin", redirect: "manual", headers: { "X-CSRFToken": token } })
      .then(function (response) {
        if (response.status === 204) { lastContact = Date.now(); warn(); } else { ended(); }
      })
      .catch(function () { /* offline: the next keystroke tries again */ lastContact = 0; });
  }
  function warning() {
    var box = document.getElementById("session-warning");
    if (box) return box;
    box = document.createElement("div");
    box.id = "session-warning";
    box.className = "message message-warning session-warning";
    box.setAttribute("role", "alert");
    box.hidden = true;
    var main = document.getElementById("main");
    (main || body).prepend(box);
    return box;
  }
  function ended() {
    var box = warning();
    box.textContent = gettext("You have been signed out after a time without activity. What you typed is kept in this browser: log in again and it will be filled in again.") + " ";
    var link = document.createElement("a");
    link.href = body.dataset.loginUrl + "?next=" + encodeURIComponent(window.location.pathname + window.location.search);
    link.textContent = gettext("Log in again");
    box.append(link);
    box.hidden = false;
  }
  function warn() {
    if (!idle) return;
    var left = lastContact + idle - Date.now();
    var box = document.getElementById("session-warning");
    if (left <= 0 && pending()) { ended(); return; }
    if (left > WARN_BEFORE || !pending()) { if (box) box.hidden = true; return; }
    box = warning();
    if (!box.hidden && box.querySelector("button")) return;
    box.textContent = interpolate(
      gettext("You will be signed out in %(minutes)s minutes without activity. What you typed is kept in this browser, but it has not been sent."),
      { minutes: Math.max(1, Math.ceil(left / 60000)) }, true) + " ";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary";
    button.textContent = gettext("Stay signed in");
    button.addEventListener("click", function () { stillTyping(); box.hidden = true; });
    box.append(button);
    box.hidden = false;
  }

  document.addEventListener("input", function (event) {
    var form = event.target.form || (event.target.closest && event.target.closest("form"));
    if (!form || !event.isTrusted || !keeps(form)) return;
    save(form);
    if (idle && Date.now() - lastContact > PING_EVERY) stillTyping();
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (path(form.getAttribute("action") || "") === path(body.dataset.logoutUrl || "/accounts/logout/")) {
      // Once every listener has had its say (unsaved.js may hold the log-out back to save a form first).
      window.setTimeout(function () { if (!event.defaultPrevented) forgetAll(); }, 0);
      return;
    }
    if (!keeps(form)) return;
    save(form);
    if (form.hasAttribute("hx-post")) return; // htmx sends it: its answer decides (below)
    try {
      window.sessionStorage.setItem(SENT, JSON.stringify({ key: keyOf(form), at: Date.now() }));
    } catch (e) { /* without sessionStorage the draft stays until it expires or is discarded */ }
  });

  // htmx: a form's own request (not a preview sent from one of its fields) that succeeded clears its draft.
  function answeredForm(detail) {
    // The element that sent the request: detail.elt names another one when the form was swapped away.
    var elt = (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
    return elt && elt.tagName === "FORM" ? elt : null;
  }
  function toLogIn(xhr) {
    var redirect = xhr.getResponseHeader("HX-Redirect") || "";
    return redirect.indexOf("/accounts/") !== -1 || path(xhr.responseURL || "").indexOf("/accounts/") === 0;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var elt = event.detail.elt;
    var form = elt && elt.closest && elt.closest("form");
    var shown = form ? form.querySelector(".htmx-error") : elt && elt.nextElementSibling;
    if (shown && shown.classList.contains("htmx-error")) shown.remove();
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr) return;
    if (xhr.status >= 200 && xhr.status < 400 && !toLogIn(xhr)) lastContact = Date.now();
    var form = answeredForm(event.detail);
    if (!form || !keeps(form) || !event.detail.successful || toLogIn(xhr)) return;
    var store = storage();
    if (store) store.removeItem(keyOf(form));
  });

  function showError(elt, text) {
    if (!elt || !elt.closest) return;
    var form = elt.closest("form");
    // In the form that was sent, at its top; for a button of its own (Delete, Hide), just after it.
    // Requests no one asked for in so many words (marking a thread read) fail quietly.
    if (!form && !/^(BUTTON|A)$/.test(elt.tagName)) return;
    var box = form ? form.querySelector(".htmx-error") : elt.nextElementSibling;
    if (!box || !box.classList.contains("htmx-error")) {
      box = document.createElement(form ? "p" : "span");
      box.className = "htmx-error message message-error";
      box.setAttribute("role", "alert");
      if (form) form.prepend(box);
      else elt.after(box);
    }
    box.textContent = text;
  }
  function messageOf(xhr) {
    try {
      var page = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
      // The expired-form page speaks to someone who has left the page; here they are still on it.
      if (page.querySelector("[data-csrf-failure]")) throw new Error("expired form");
      var marked = page.querySelector("[data-error-message]");
      if (marked && marked.textContent.trim()) return marked.textContent.replace(/\s+/g, " ").trim();
    } catch (e) { /* fall through to a general message */ }
    if (xhr.status === 429) return gettext("Too many attempts in a short time. Nothing was sent: what you typed is still here. Try again in a minute.");
    if (xhr.status === 403) return gettext("This form has expired. Nothing was sent: what you typed is kept in this browser. Reload the page and send it again.");
    if (xhr.status === 404) return gettext("This is no longer available. Nothing was sent: what you typed is kept in this browser.");
    if (xhr.status === 413) return gettext("This is too long to send. Nothing was sent: what you typed is still here.");
    return gettext("Something went wrong on our side. Nothing was lost: what you typed is still here. Try again in a moment.");
  }
  document.addEventListener("htmx:responseError", function (event) {
    showError(event.detail.elt, messageOf(event.detail.xhr));
  });
  document.addEventListener("htmx:sendError", function (event) {
    showError(event.detail.elt, gettext("The server could not be reached. Nothing was sent: what you typed is still here. Try again when you are back online."));
  });
  // An htmx swap replaces a form (the compose box after a post, or with its errors): restore into the new one.
  document.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.elt;
    if (!target || !target.querySelectorAll) return;
    var forms = target.tagName === "FORM" ? [target] : Array.prototype.slice.call(target.querySelectorAll("form"));
    forms.forEach(restore);
  });

  function start() {
    body = document.body;
    if (!body) return;
    var store = storage();
    var me = user();
    var oldest = Date.now() - KEEP_DAYS * 24 * 60 * 60 * 1000;
    each(function (key, s) {
      var draft = read(key);
      // Another person's drafts (someone else signed in on this browser), and stale ones, go.
      if (!draft || draft.at < oldest || (me && key.indexOf(PREFIX + me + ":") !== 0)) s.removeItem(key);
    });
    if (!store) return;
    settleSent();
    document.querySelectorAll("form").forEach(restore);
    if (idle) window.setInterval(warn, 15 * 1000);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
