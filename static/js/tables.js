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
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        if (!box.hasAttribute("aria-label")) box.setAttribute("aria-label", label(box));
        box.dataset.scrollerMarked = "1";
      } else if (box.dataset.scrollerMarked) {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        delete box.dataset.scrollerMarked;
      }
    });
  }

  var pending = null;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(mark, 150);
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mark);
  else mark();
})();
