// A form that takes a while on the server (an import of a whole prefecture's staff: seconds) says so at once
// and is not sent twice: its data-busy text goes into a status line read out by screen readers.
(function () {
  "use strict";

  document.querySelectorAll("form[data-busy]").forEach(function (form) {
    var status = document.createElement("p");
    status.className = "hint busy-status";
    status.setAttribute("role", "status");
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      if (form.getAttribute("aria-busy") === "true") {
        event.preventDefault();
        return;
      }
      form.setAttribute("aria-busy", "true");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.setAttribute("aria-disabled", "true");
        button.classList.add("is-busy");
      });
      status.textContent = form.dataset.busy;
    });
  });

  // Back to the page from the browser's cache: the form may be sent again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) return;
    document.querySelectorAll("form[data-busy]").forEach(function (form) {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.removeAttribute("aria-disabled");
        button.classList.remove("is-busy");
      });
      form.querySelector(".busy-status").textContent = "";
    });
  });
})();
