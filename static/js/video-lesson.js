// The video lesson's player: the browser's own <video>, plus speed, captions, keys, a transcript that
// follows the picture, and reports of what was played (never what was skipped) so the server can tell
// when the lesson is watched and where to resume, on this device or another.
(function () {
  "use strict";
  var player = document.getElementById("player");
  if (!player) return;
  var video = player.querySelector("video");
  var speed = player.querySelector(".player-speed");
  var captionsButton = player.querySelector(".player-captions");
  var progress = player.querySelector(".player-progress");
  var done = document.querySelector(".lesson-done");
  var cueButtons = Array.prototype.slice.call(document.querySelectorAll(".transcript .cue-time"));
  var REPORT_EVERY_MS = 10000;
  var JUMP = 3;  // seconds: a larger step between two time updates is a seek, not playing

  // Stretches played since the page opened; every report sends them all (the server keeps the union).
  var played = [];
  var start = null;
  var last = null;
  var sentAt = 0;

  function closeStretch() {
    if (start !== null && last !== null && last > start) played.push([start, last]);
    start = null;
    last = null;
  }

  video.addEventListener("timeupdate", function () {
    var now = video.currentTime;
    if (!video.paused && !video.seeking) {
      if (start === null || now < last || now - last > JUMP) {
        closeStretch();
        start = now;
      }
      last = now;
    }
    highlightCue(now);
    if (!video.paused && Date.now() - sentAt > REPORT_EVERY_MS) report(false);
  });
  video.addEventListener("seeking", closeStretch);
  video.addEventListener("pause", function () { closeStretch(); report(false); });
  video.addEventListener("ended", function () { closeStretch(); report(false); });

  function body() {
    var stretches = played.slice();
    if (start !== null && last > start) stretches.push([start, last]);
    var form = new FormData();
    form.append("csrf_token", player.dataset.csrf);
    form.append("report", JSON.stringify({played: stretches, position: video.currentTime}));
    return form;
  }

  function report(leaving) {
    sentAt = Date.now();
    if (leaving) {
      if (navigator.sendBeacon) navigator.sendBeacon(player.dataset.reportUrl, body());
      return;
    }
    fetch(player.dataset.reportUrl, {method: "POST", body: body(), credentials: "same-origin",
                                     headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        progress.textContent = state.message;
        if (state.watched && player.dataset.watched !== "yes") {
          player.dataset.watched = "yes";
          if (done) done.removeAttribute("aria-disabled");
        }
      })
      .catch(function () { /* the next report carries the same stretches */ });
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") report(true);
  });
  window.addEventListener("pagehide", function () { report(true); });

  function onMetadata() {
    var resume = parseFloat(player.dataset.resume) || 0;
    if (resume > 0 && resume < video.duration) video.currentTime = resume;
    showCaptions(captionsButton.getAttribute("aria-pressed") === "true");
  }
  // From the cache the metadata may be in before this script runs.
  if (video.readyState >= 1) onMetadata(); else video.addEventListener("loadedmetadata", onMetadata);

  // Speed: 0.75-2x, kept for the next video.
  var savedRate = window.localStorage && localStorage.getItem("elearn.playbackRate");
  if (savedRate && speed.querySelector('option[value="' + savedRate + '"]')) speed.value = savedRate;
  function applyRate() {
    video.defaultPlaybackRate = video.playbackRate = parseFloat(speed.value);  // a new load resets to the default
    try { localStorage.setItem("elearn.playbackRate", speed.value); } catch (e) { /* private mode */ }
  }
  speed.addEventListener("change", applyRate);
  applyRate();
  function stepRate(direction) {
    var next = speed.selectedIndex + direction;
    if (next < 0 || next >= speed.options.length) return;
    speed.selectedIndex = next;
    applyRate();
  }

  // Captions: on by default, in the page's language where there is a track in it.
  function showCaptions(on) {
    var chosen = null;
    for (var i = 0; i < video.textTracks.length; i++) {
      var track = video.textTracks[i];
      if (chosen === null && (track.language === document.documentElement.lang || i === video.textTracks.length - 1)) {
        chosen = track;
      }
    }
    for (var j = 0; j < video.textTracks.length; j++) {
      var each = video.textTracks[j];
      each.mode = (on && each === chosen) ? "showing" : "hidden";
    }
    captionsButton.setAttribute("aria-pressed", on ? "true" : "false");
  }
  captionsButton.addEventListener("click", function () {
    showCaptions(captionsButton.getAttribute("aria-pressed") !== "true");
  });

  function seekBy(seconds) {
    video.currentTime = Math.max(0, Math.min(video.duration || 0, video.currentTime + seconds));
  }

  // Keys work wherever the focus is in the lesson: the player, its controls or the transcript.
  (player.closest(".video-lesson") || player).addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var inControl = event.target.tagName === "SELECT" || event.target.tagName === "BUTTON";
    var key = event.key;
    if (key === "k" || key === "K" || (key === " " && !inControl)) {
      if (video.paused) video.play(); else video.pause();
    } else if (key === "j" || key === "J") { seekBy(-10);
    } else if (key === "l" || key === "L") { seekBy(10);
    } else if ((key === "ArrowLeft" || key === "ArrowRight") && !inControl) { seekBy(key === "ArrowLeft" ? -5 : 5);
    } else if (key === "c" || key === "C") { captionsButton.click();
    } else if (key === "<" || key === ">") { stepRate(key === "<" ? -1 : 1);
    } else { return; }
    event.preventDefault();
  });

  // The transcript: each line starts the video there; the line being spoken is marked.
  var current = null;
  function highlightCue(now) {
    var found = null;
    for (var i = 0; i < cueButtons.length; i++) {
      if (parseFloat(cueButtons[i].dataset.start) <= now + 0.05) found = cueButtons[i]; else break;
    }
    if (found === current) return;
    if (current) { current.parentNode.classList.remove("is-current"); current.removeAttribute("aria-current"); }
    current = found;
    if (!current) return;
    var line = current.parentNode;
    line.classList.add("is-current");
    current.setAttribute("aria-current", "true");
    // Keep the spoken line in the transcript's own view, without scrolling the page.
    var list = line.parentNode;
    if (line.offsetTop < list.scrollTop || line.offsetTop + line.offsetHeight > list.scrollTop + list.clientHeight) {
      list.scrollTop = line.offsetTop;  // the list is positioned: offsets are from its top
    }
  }
  cueButtons.forEach(function (button) {
    button.addEventListener("click", function () {
      video.currentTime = parseFloat(button.dataset.start);
      video.play();
    });
  });
}());
