// The student's upload page: record in the page (MediaRecorder) or choose a file, then send it with
// tus-js-client in chunks, resumable after a dropped connection. Settings come from data- attributes.
(function () {
  "use strict";
  var root = document.getElementById("clip-upload");
  if (!root || !window.tus) return;
  // Django's JavaScript catalogue (base.html loads it); English as it is without one.
  var gettext = window.gettext || function (text) { return text; };
  var interpolate = window.interpolate || function (text, values) {
    return text.replace(/%\((\w+)\)s/g, function (match, key) { return values[key]; });
  };

  var endpoint = root.dataset.endpoint;
  var ticket = root.dataset.ticket;
  var chunkSize = parseInt(root.dataset.chunkSize, 10);
  var maxSeconds = parseInt(root.dataset.maxSeconds, 10);
  var maxBytes = parseInt(root.dataset.maxBytes, 10);
  var doneUrl = root.dataset.doneUrl;

  var progressSection = document.getElementById("progress-section");
  var progress = document.getElementById("upload-progress");
  var statusText = document.getElementById("upload-status");
  var retryButton = document.getElementById("upload-retry");
  var current = null;

  function say(text) { statusText.textContent = text; }

  // The language the student says they speak in the clip (a Welsh clip may need a typed transcript).
  function spokenLanguage() {
    var chosen = root.querySelector('input[name="language"]:checked');
    return chosen ? chosen.value : "en";
  }

  function send(blob, name) {
    if (blob.size === 0) { progressSection.hidden = false; say(gettext("The file is empty. Please choose another file.")); return; }
    if (blob.size > maxBytes) {
      progressSection.hidden = false;
      say(interpolate(gettext("The file is larger than %(megabytes)s MB. Please send a shorter clip."),
        { megabytes: Math.round(maxBytes / 1048576) }, true));
      return;
    }
    progressSection.hidden = false;
    retryButton.hidden = true;
    progress.value = 0;
    say(gettext("Starting…"));
    var upload = new tus.Upload(blob, {
      endpoint: endpoint,
      chunkSize: chunkSize,
      retryDelays: [0, 1000, 3000, 5000, 10000],
      removeFingerprintOnSuccess: true,
      metadata: { ticket: ticket, filetype: blob.type || "", language: spokenLanguage() },
      // Resume only uploads of this very clip (the ticket is per consent).
      fingerprint: function (file) {
        return Promise.resolve(["qm-clip", ticket, name, file.size, file.lastModified || 0].join("|"));
      },
      onError: function (error) {
        var body = error.originalResponse ? error.originalResponse.getBody() : "";
        say((body || gettext("The upload stopped.")) + " " + gettext("You can try again: it carries on where it stopped."));
        retryButton.hidden = false;
      },
      onProgress: function (sent, total) {
        var pct = total ? Math.floor((sent / total) * 100) : 0;
        progress.value = pct;
        say(interpolate(gettext("Sent %(percent)s (%(sent)s of %(total)s MB)"), {
          percent: pct + "%", sent: (sent / 1048576).toFixed(1), total: (total / 1048576).toFixed(1),
        }, true));
      },
      onSuccess: function () {
        progress.value = 100;
        say(gettext("Sent. Opening your receipt…"));
        window.location.assign(doneUrl);
      },
    });
    current = upload;
    upload.findPreviousUploads().then(function (previous) {
      if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
      upload.start();
    });
  }

  retryButton.addEventListener("click", function () { if (current) { retryButton.hidden = true; current.start(); } });

  document.getElementById("file-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("clip-file");
    if (!input.files.length) { progressSection.hidden = false; say(gettext("Choose a file first.")); input.focus(); return; }
    send(input.files[0], input.files[0].name);
  });

  // Recording in the page, where the browser can.
  if (!(navigator.mediaDevices && window.MediaRecorder)) return;
  var recorderSection = document.getElementById("recorder");
  recorderSection.hidden = false;
  var stopButton = document.getElementById("record-stop");
  var timer = document.getElementById("record-timer");
  var preview = document.getElementById("record-preview");
  var recorded = document.getElementById("recorded");
  var recordedVideo = document.getElementById("recorded-video");
  var recordedAudio = document.getElementById("recorded-audio");
  var recorder = null, stream = null, chunks = [], started = 0, tick = null, lastBlob = null;

  function clock(seconds) { return Math.floor(seconds / 60) + ":" + String(Math.floor(seconds % 60)).padStart(2, "0"); }

  function stop() {
    if (recorder && recorder.state !== "inactive") recorder.stop();
    if (tick) clearInterval(tick);
    stopButton.disabled = true;
  }

  function start(withVideo) {
    navigator.mediaDevices.getUserMedia({ audio: true, video: withVideo ? { height: { ideal: 720 } } : false })
      .then(function (s) {
        stream = s; chunks = []; recorded.hidden = true;
        if (withVideo) { preview.srcObject = s; preview.hidden = false; preview.play(); }
        recorder = new MediaRecorder(s);
        recorder.ondataavailable = function (e) { if (e.data.size) chunks.push(e.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (t) { t.stop(); });
          preview.hidden = true;
          lastBlob = new Blob(chunks, { type: recorder.mimeType });
          var url = URL.createObjectURL(lastBlob);
          recordedVideo.hidden = !withVideo; recordedAudio.hidden = withVideo;
          (withVideo ? recordedVideo : recordedAudio).src = url;
          recorded.hidden = false;
          document.getElementById("send-recording").focus();
        };
        recorder.start(1000);
        started = Date.now(); stopButton.disabled = false; stopButton.focus();
        tick = setInterval(function () {
          var s = (Date.now() - started) / 1000;
          timer.textContent = clock(s);
          if (s >= maxSeconds) stop();
        }, 250);
      })
      .catch(function () {
        say(gettext("We could not use your camera or microphone. You can choose a file instead."));
        progressSection.hidden = false;
      });
  }

  var videoButton = document.getElementById("record-video");
  var audioButton = document.getElementById("record-audio");
  if (videoButton) videoButton.addEventListener("click", function () { start(true); });
  if (audioButton) audioButton.addEventListener("click", function () { start(false); });
  stopButton.addEventListener("click", stop);
  document.getElementById("send-recording").addEventListener("click", function () {
    if (lastBlob) send(lastBlob, "recording-" + started);
  });
})();
