// The comic reader, layered on pages that work without it: every page is in the document and each
// has its own URL (?page=N). Manga read right to left, so "next" is the left arrow, a tap on the left
// half and a swipe to the right.
(function () {
  "use strict";
  var reader = document.getElementById("reader");
  if (!reader) return;
  var pages = Array.prototype.slice.call(reader.querySelectorAll(".comic-page"));
  var end = document.getElementById("end");
  var total = pages.length;
  var current = parseInt(reader.dataset.current, 10) || 1;
  var mode = reader.dataset.mode;

  function markRead() {
    if (!reader.dataset.readUrl || reader.dataset.read === "yes") return;
    reader.dataset.read = "yes";
    var body = new FormData();
    body.append("csrf_token", reader.dataset.csrf);
    fetch(reader.dataset.readUrl, {method: "POST", body: body, credentials: "same-origin",
                                   headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { reader.dataset.read = "no"; return; }
        var state = end && end.querySelector(".read-state");
        if (state) state.hidden = false;
        var form = end && end.querySelector(".read-form");
        if (form) form.hidden = true;
      })
      .catch(function () { reader.dataset.read = "no"; });
  }

  function preload(number) {
    var page = pages[number - 1];
    if (!page) return;
    var img = page.querySelector("img");
    if (img && img.loading === "lazy") img.loading = "eager";  // starts the download while hidden
  }

  // Paged mode fits the page and its controls (next, previous, page count) into the window: the image's
  // max-height leaves room for whatever sits above the frame (site header, title, a preview notice; their
  // height varies with the screen and the title's length) and for the controls below it, if any.
  function fit() {
    var page = pages[current - 1];
    if (mode !== "paged" || !page || page.hidden) return;
    var frame = page.querySelector(".comic-frame").getBoundingClientRect();
    var below = 0;
    Array.prototype.forEach.call(page.querySelectorAll(".page-nav, .page-count"), function (control) {
      below = Math.max(below, control.getBoundingClientRect().bottom - frame.bottom);
    });
    reader.style.setProperty("--reader-top", Math.ceil(frame.top + window.scrollY) + "px");
    reader.style.setProperty("--reader-below", Math.ceil(below + 12) + "px");
  }

  function show(number, focus) {
    if (number < 1 || number > total || mode !== "paged") return;
    current = number;
    pages.forEach(function (page, index) { page.hidden = index + 1 !== number; });
    if (end) end.hidden = number !== total;
    reader.dataset.current = String(number);
    var url = new URL(window.location.href);
    url.searchParams.set("page", String(number));
    url.hash = "";
    window.history.replaceState(null, "", url.toString());
    preload(number + 1);
    if (number === total) markRead();
    fit();
    // The page fits the window as first laid out: turning a page goes back to that view.
    if (focus) window.scrollTo(0, 0);
  }

  if (mode === "paged") {
    fit();
    window.addEventListener("resize", fit);
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(fit);
    preload(current + 1);
    reader.addEventListener("click", function (event) {
      var link = event.target.closest("a[rel=next], a[rel=prev], a[data-go]");
      if (!link || !reader.contains(link)) return;
      event.preventDefault();
      var forward = link.rel === "next" || link.dataset.go === "next";
      show(current + (forward ? 1 : -1), true);
    });
    document.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var target = event.target;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      var moves = {ArrowLeft: 1, ArrowRight: -1, PageDown: 1, PageUp: -1};
      if (event.key in moves) { event.preventDefault(); show(current + moves[event.key], true); }
      else if (event.key === "Home") { event.preventDefault(); show(1, true); }
      else if (event.key === "End") { event.preventDefault(); show(total, true); }
    });
    var startX = null, startY = null;
    reader.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 1) { startX = null; return; }
      startX = event.touches[0].clientX; startY = event.touches[0].clientY;
    }, {passive: true});
    reader.addEventListener("touchend", function (event) {
      if (startX === null) return;
      var dx = event.changedTouches[0].clientX - startX, dy = event.changedTouches[0].clientY - startY;
      startX = null;
      if (Math.abs(dx) < 50 || Math.abs(dx) < Math.abs(dy) * 1.5) return;  // a scroll or a zoom, not a swipe
      show(current + (dx > 0 ? 1 : -1), true);
    });
    if (current === total) markRead();
  } else if (end && "IntersectionObserver" in window) {
    new IntersectionObserver(function (entries, observer) {
      if (entries.some(function (entry) { return entry.isIntersecting; })) { markRead(); observer.disconnect(); }
    }).observe(end);
  }
})();
