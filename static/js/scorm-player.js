// The SCORM player, on the package origin: scorm-again's API object for the package to find
// (window.API for 1.2, window.API_1484_11 for 2004), loaded with what the package saved last time, then
// the package itself in the frame below. Commits go to the server with the launch token; the lesson page
// (the app's origin) is told by postMessage, and asks its own server what changed.
(function () {
  "use strict";
  var launch = JSON.parse(document.getElementById("launch").textContent);
  var settings = {
    lmsCommitUrl: launch.commitUrl,
    autocommit: true,
    autocommitSeconds: 15,
    dataCommitFormat: "json",
    logLevel: 4
  };
  var api;
  if (launch.version === "1.2") {
    api = new window.Scorm12API(settings);
    window.API = api;
  } else {
    api = new window.Scorm2004API(settings);
    window.API_1484_11 = api;
  }
  api.loadFromJSON(launch.resume, "");

  function tell(kind) {
    if (window.parent !== window) window.parent.postMessage({type: "elearn-scorm", kind: kind}, launch.appOrigin);
  }
  var finished = false;
  function finish() {
    if (finished) return;
    finished = true;
    window.setTimeout(function () {
      tell("finished");
      document.getElementById("sco").hidden = true;
      document.getElementById("finished").hidden = false;
    }, 300);  // let the package's own unload run against the API first
  }
  api.on(launch.version === "1.2" ? "LMSCommit" : "Commit", function () { window.setTimeout(function () { tell("committed"); }, 100); });
  api.on(launch.version === "1.2" ? "LMSFinish" : "Terminate", finish);
  document.getElementById("sco").src = launch.contentUrl;
}());
