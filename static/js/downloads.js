// Feedback for downloads that take a while, layered on links that work without it.
// 1. A link marked data-download-status (the KPI PDF): the file is fetched here while a live region says
//    it is being prepared, then handed to the browser as a download.
// 2. The certificate preparation page: the first POST to prepare-url has the worker render the PDFs,
//    the next ones (every 1.5 s) read how far it is,
//    the progress shown as they go; when all are ready the ZIP download starts.
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (whole, name) {
      return name in values ? String(values[name]) : whole;
    });
  }

  function fileName(response, fallback) {
    var header = response.headers.get("Content-Disposition") || "";
    var encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
    if (encoded) {
      try { return decodeURIComponent(encoded[1]); } catch (ignored) { /* the plain name below */ }
    }
    var plain = /filename="?([^";]+)"?/i.exec(header);
    return plain ? plain[1] : fallback;
  }

  function save(blob, name) {
    var url = URL.createObjectURL(blob);
    var link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 60000);
  }

  function preparedDownload(link) {
    var status = document.getElementById(link.dataset.downloadStatus);
    if (!status) return;
    link.addEventListener("click", function (event) {
      // New tab, new window, save-as: the browser's own handling, as without the script.
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      if (link.getAttribute("aria-busy") === "true") return;
      link.setAttribute("aria-busy", "true");
      link.classList.add("is-busy");
      status.textContent = link.dataset.preparing;
      fetch(link.href, {credentials: "same-origin"})
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          // A server fault: say so here; loading the link again would only print again.
          if (response.status >= 500) throw new Error(String(response.status));
          // The sign-in page or a refusal (a bad date, no right): let the browser show that page.
          if (!response.ok || type.indexOf("text/html") === 0) {
            window.location.assign(response.redirected ? response.url : link.href);
            return null;
          }
          return response.blob().then(function (blob) {
            save(blob, fileName(response, "report.pdf"));
            status.textContent = link.dataset.ready;
          });
        })
        .catch(function () { status.textContent = link.dataset.failed; })
        .then(function () {
          link.removeAttribute("aria-busy");
          link.classList.remove("is-busy");
        });
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("a[data-download-status]"), preparedDownload);

  var preparation = document.getElementById("certificate-preparation");
  if (!preparation) return;
  var status = document.getElementById("preparation-status");
  var bar = document.getElementById("preparation-progress");
  var direct = preparation.querySelector(".preparation-direct");
  var done = preparation.querySelector(".preparation-done");
  direct.hidden = true;

  function show(progress) {
    bar.max = Math.max(progress.total, 1);
    bar.value = progress.done;
    bar.textContent = progress.done + " / " + progress.total;
  }

  function stop() {
    status.textContent = preparation.dataset.failed;
    direct.hidden = false;
  }

  // A step that fails (a proxy's 502, a dropped connection, one that hangs) is tried again twice,
  // after a pause, before the page gives up and offers the direct download. The worker renders the PDFs;
  // the page asks how far it is every POLL_MS, and gives up the same way when nothing moves for STALL_MS
  // (no worker running).
  var RETRIES = 2, STEP_TIMEOUT_MS = 30000, POLL_MS = 1500, STALL_MS = 60000;
  var failures = 0, lastDone = -1, lastMoved = Date.now();

  function retryOrStop() {
    failures += 1;
    if (failures > RETRIES) { stop(); return; }
    setTimeout(step, 2000 * failures);
  }

  function step() {
    var body = new FormData();
    body.append("csrf_token", preparation.dataset.csrfToken);
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, STEP_TIMEOUT_MS) : null;
    fetch(preparation.dataset.prepareUrl, {method: "POST", body: body, credentials: "same-origin",
                                           headers: {"Accept": "application/json"},
                                           signal: controller ? controller.signal : undefined})
      .then(function (response) {
        clearTimeout(timer);
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (progress) {
        show(progress);
        if (progress.done >= progress.total) {
          status.textContent = fill(preparation.dataset.ready, progress);
          done.hidden = false;
          window.location.assign(preparation.dataset.zipUrl);
        } else {
          failures = 0;
          status.textContent = fill(preparation.dataset.preparing, progress);
          if (progress.done !== lastDone) { lastDone = progress.done; lastMoved = Date.now(); }
          if (Date.now() - lastMoved > STALL_MS) { stop(); return; }
          setTimeout(step, POLL_MS);
        }
      })
      .catch(function () { clearTimeout(timer); retryOrStop(); });
  }

  step();
})();
