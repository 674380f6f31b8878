// The SCORM lesson page: when the player (on the package origin) says the package committed or finished,
// ask this site for the person's standing and show it. Messages from any other origin are ignored.
(function () {
  "use strict";
  var lesson = document.getElementById("scorm-lesson");
  if (!lesson) return;
  var done = document.querySelector(".lesson-done");
  window.addEventListener("message", function (event) {
    if (event.origin !== lesson.dataset.packageOrigin || !event.data || event.data.type !== "elearn-scorm") return;
    fetch(lesson.dataset.stateUrl, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (state) {
        if (!state) return;
        Object.keys(state.items).forEach(function (id) {
          document.querySelectorAll('[data-item="' + CSS.escape(id) + '"]').forEach(function (badge) {
            badge.textContent = state.items[id];
          });
        });
        if (state.done && done) done.removeAttribute("aria-disabled");
      });
  });
}());
