// The venue's check-in code expires after ten minutes: fetch a fresh one before then and swap it in,
// without reloading the page (nobody at the venue has to touch the screen).
(function () {
  "use strict";
  var box = document.querySelector(".qr[data-src]");
  if (!box) { return; }
  var every = parseInt(box.getAttribute("data-renew-ms"), 10) || 480000;
  function renew() {
    fetch(box.getAttribute("data-src"), { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (svg) { box.innerHTML = svg; })
      .catch(function () { /* keep the current code; the next attempt may succeed */ })
      .then(function () { window.setTimeout(renew, every); });
  }
  window.setTimeout(renew, every);
}());
