// While the worker has something (an upload being checked, an import being applied), ask for its state every few
// seconds and reload the page when it changes. Elements carry the address to ask in data-checking.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-checking]"));
  if (!rows.length) return;
  function poll() {
    Promise.all(rows.map(function (row) {
      return fetch(row.dataset.checking, {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (response) { return response.ok ? response.json() : {checking: true}; })
        .catch(function () { return {checking: true}; });
    })).then(function (states) {
      if (states.some(function (state) { return !state.checking; })) window.location.reload();
      else window.setTimeout(poll, 3000);
    });
  }
  window.setTimeout(poll, 3000);
}());
