// A SCORM 1.2 SCO written by the elearn project: three questions, 80 points to pass. It keeps the page
// (cmi.core.lesson_location) and the answers (cmi.suspend_data) so a relaunch resumes, and reports the score
// and lesson_status; the LMS also checks the score against the manifest's mastery score.
(function () {
  "use strict";
  var ANSWERS = {q1: "b", q2: "c", q3: "a"};
  var LAST_QUESTION = 3;
  function findAPI(win) {
    for (var depth = 0; win && depth < 7; depth++) {
      try { if (win.API) return win.API; } catch (e) { return null; }  // a frame of another origin: stop
      if (win.parent === win) break;
      win = win.parent;
    }
    return null;
  }
  var api = findAPI(window.parent === window ? window : window.parent) || findAPI(window.opener);
  var pages = Array.prototype.slice.call(document.querySelectorAll(".page"));
  var page = 0;
  var finished = false;

  function get(name) { return api ? api.LMSGetValue(name) : ""; }
  function set(name, value) { if (api) api.LMSSetValue(name, String(value)); }

  function saveAnswers() {
    var chosen = Object.keys(ANSWERS).map(function (q) {
      var input = document.querySelector('input[name="' + q + '"]:checked');
      return q + "=" + (input ? input.value : "");
    });
    set("cmi.suspend_data", chosen.join("&"));
  }
  function restoreAnswers(data) {
    (data || "").split("&").forEach(function (pair) {
      var parts = pair.split("=");
      var input = parts[1] && document.querySelector('input[name="' + parts[0] + '"][value="' + parts[1] + '"]');
      if (input) input.checked = true;
    });
  }
  function show(number) {
    page = Math.max(0, Math.min(number, pages.length - 1));
    pages.forEach(function (section, index) { section.hidden = index !== page; });
    document.getElementById("back").hidden = page === 0 || page > LAST_QUESTION;
    document.getElementById("next").hidden = page >= LAST_QUESTION;
    document.getElementById("score").hidden = page !== LAST_QUESTION;
    set("cmi.core.lesson_location", page);
  }
  function scoreIt() {
    saveAnswers();
    var right = Object.keys(ANSWERS).filter(function (q) {
      var input = document.querySelector('input[name="' + q + '"]:checked');
      return input && input.value === ANSWERS[q];
    }).length;
    var score = Math.round(right * 100 / Object.keys(ANSWERS).length);
    set("cmi.core.score.min", 0);
    set("cmi.core.score.max", 100);
    set("cmi.core.score.raw", score);
    set("cmi.core.lesson_status", score >= 80 ? "passed" : "failed");
    if (api) api.LMSCommit("");
    document.getElementById("result").textContent = score >= 80
      ? score + "点です。合格です。研修サイトの講義ページに戻り、「読み終えた」を押してください。"
      : score + "点です。80点以上で合格です。前の問題に戻って選び直し、もう一度採点してください。";
    show(LAST_QUESTION + 1);
    document.getElementById("back").hidden = false;
    if (score < 80) set("cmi.core.lesson_location", 1);
  }

  if (api) {
    api.LMSInitialize("");
    var status = get("cmi.core.lesson_status");
    if (status === "not attempted" || status === "") set("cmi.core.lesson_status", "incomplete");
    restoreAnswers(get("cmi.suspend_data"));
  }
  document.getElementById("next").addEventListener("click", function () { saveAnswers(); show(page + 1); });
  document.getElementById("back").addEventListener("click", function () {
    show(page > LAST_QUESTION ? 1 : page - 1);
  });
  document.getElementById("score").addEventListener("click", scoreIt);
  document.addEventListener("change", saveAnswers);
  function finish() {
    if (finished || !api) return;
    finished = true;
    saveAnswers();
    set("cmi.core.exit", "suspend");
    api.LMSFinish("");
  }
  window.addEventListener("pagehide", finish);
  show(parseInt(get("cmi.core.lesson_location"), 10) || 0);
}());
