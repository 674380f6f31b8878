// A table box that scrolls sideways (a narrow window, a long name) must be reachable by keyboard:
// such a box becomes a focusable, named region; one that fits stays out of the tab order.
(function () {
  "use strict";

  function label(box) {
    var table = box.querySelector("table");
    var caption = table && table.querySelector("caption");
    if (caption) return caption.textContent.trim();
    var section = box.closest("section, .card, main");
    var heading = section && section.querySelector("h2, h1");
    return heading ? heading.textContent.trim() : document.title;
  }

  function mark() {
    // Boxes a template made focusable itself (always wide: the team matrix) are left as they are.
    document.querySelectorAll(".table-wrap:not([tabindex]), .table-wrap[data-scroller-marked]").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        if (box.dataset.scrollerMarked) return;
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        // The script's own label goes again with the role (a plain <div> may not carry one).
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", label(box));
        else if (!box.dataset.scrollerMarked) box.dataset.ownLabel = "1";
        box.dataset.scrollerMarked = "1";
      } else if (box.dataset.scrollerMarked) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        if (!box.dataset.ownLabel) box.removeAttribute("aria-label");
        delete box.dataset.scrollerMarked;
      }
    });
  }

  var pending = null;
  function later() {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  }
  // A box can start or stop overflowing without a window resize: fonts arriving, a <details> opening.
  function watch() {
    mark();
    if (typeof ResizeObserver === "function") {
      var observer = new ResizeObserver(later);
      document.querySelectorAll(".table-wrap").forEach(function (box) { observer.observe(box); });
    } else {
      window.addEventListener("resize", later);
    }
    if (document.fonts && document.fonts.ready) document.fonts.ready.then(later);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", watch);
  else watch();
})();
