"""SCORM in Chromium: the project's package and two from another provider (1.2 and 2004) launched,
completed, closed and resumed; and a package's script kept away from the app's pages."""

from __future__ import annotations

import sqlite3

from support import browser_sign_in

SELF_CHECK = "/courses/security-self-check/01-self-check"


def learner_page(browser, live_server, dialogs: list | None = None):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="ja-JP")
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message) if dialogs is not None else None,
                                      dialog.accept()))
    learner = next(a for a in live_server["accounts"] if a["permission"] == "learner")
    browser_sign_in(page, live_server["base_url"], learner)
    return context, page


def frame_ending(page, suffix: str):  # type: ignore[no-untyped-def]
    page.wait_for_function("() => true")  # let frames attach
    for _ in range(100):
        found = next((f for f in page.frames if f.url.split("?")[0].endswith(suffix)), None)
        if found is not None:
            found.wait_for_load_state()
            return found
        page.wait_for_timeout(100)
    raise AssertionError(f"no frame {suffix}: {[f.url for f in page.frames]}")


def attempt(live_server, course: str) -> tuple:
    with sqlite3.connect(live_server["database"]) as connection:
        return connection.execute(
            "SELECT a.status, a.score, a.passed, a.completed_at IS NOT NULL FROM scorm_attempts a "
            "JOIN courses c ON c.id = a.course_id WHERE c.slug = ? AND a.lesson_slug LIKE ? ORDER BY a.id DESC",
            (course.split("/")[0], course.split("/")[1] + "%")).fetchone()


def test_the_project_s_package_resumes_where_it_was_closed_and_completes_the_course(live_server, browser):
    base = live_server["base_url"]
    context, page = learner_page(browser, live_server)
    try:
        page.goto(base + SELF_CHECK)
        sco = frame_ending(page, "/p/index.html")
        sco.click("#next")
        sco.check("input[name=q1][value=b]")
        sco.click("#next")
        sco.check("input[name=q2][value=a]")  # wrong, for now
        page.goto(base + "/")  # closed halfway: the package saves as it goes
        page.goto(base + SELF_CHECK)
        sco = frame_ending(page, "/p/index.html")
        assert sco.locator("[data-page='2']").is_visible()  # back on question 2, answers kept
        assert sco.locator("input[name=q2][value=a]").is_checked()
        sco.check("input[name=q2][value=c]")
        sco.click("#next")
        sco.check("input[name=q3][value=a]")
        sco.click("#score")
        assert "100点です。合格です" in sco.locator("#result").inner_text()
        page.wait_for_function("() => document.querySelector('.lesson-done').getAttribute('aria-disabled') === null")
        assert "合格（100点）" in page.locator(".scorm-status").inner_text()
        page.goto(base + "/courses/security-self-check/")
        assert page.locator(".badge-completed").count() >= 1 and page.locator("a[download]").count() == 1
    finally:
        context.close()
    assert attempt(live_server, "security-self-check/01") == ("passed", 100.0, 1, 1)


def answer_golf_quiz(quiz) -> None:  # type: ignore[no-untyped-def]
    """The package shows its right answers on the page; the test reads them from its own script."""
    quiz.evaluate("""() => { for (const q of test.Questions) {
        if (q.Type === QUESTION_TYPE_CHOICE) {
            document.getElementById("question_" + q.Id + "_" + q.Answers.indexOf(q.CorrectAnswer)).checked = true;
        } else if (q.Type === QUESTION_TYPE_TF) {
            document.getElementById("question_" + q.Id + "_" + (q.CorrectAnswer ? "True" : "False")).checked = true;
        } else { document.getElementById("question_" + q.Id + "_Text").value = String(q.CorrectAnswer); } } }""")
    quiz.click("text=Submit Answers")


def test_packages_from_another_provider_complete_close_and_resume(live_server, browser):
    base = live_server["base_url"]
    for number, name in ((1, "golf12"), (2, "golf2004")):
        dialogs: list[str] = []
        context, page = learner_page(browser, live_server, dialogs)
        try:
            lesson = f"{base}/courses/scorm-samples/{number:02d}-{name}"
            page.goto(lesson)
            launch = frame_ending(page, "/shared/launchpage.html")
            for _ in range(4):
                launch.click("text=Next")
            page.goto(base + "/")  # closed on page 5: its unload hands the location to the API
            page.goto(lesson)
            launch = frame_ending(page, "/shared/launchpage.html")
            assert any("resume" in message for message in dialogs), dialogs  # the package offered to resume
            frame_ending(page, "/Playing/RulesOfGolf.html")  # and took the learner back to page 5
            while launch.locator("text=Next").is_enabled():
                launch.click("text=Next")
            answer_golf_quiz(frame_ending(page, "/shared/assessmenttemplate.html"))
            launch.click("text=Exit")
            page.wait_for_function(
                "() => document.querySelector('.lesson-done').getAttribute('aria-disabled') === null")
        finally:
            context.close()
        status, score, passed, complete = attempt(live_server, f"scorm-samples/{number:02d}")
        assert (score, passed, complete) == (100.0, 1, 1) and "passed" in status, name


def test_a_package_s_script_cannot_read_the_app_or_post_as_the_learner(live_server, browser):
    base = live_server["base_url"]
    context, page = learner_page(browser, live_server)
    try:
        page.goto(base + SELF_CHECK)
        sco = frame_ending(page, "/p/index.html")
        # What any package could run: every door to the app's origin, tried from the package's frame.
        outcome = sco.evaluate("""async (app) => {
            const tried = {};
            try { tried.parentDocument = String(window.parent.parent.document.title); }
            catch (error) { tried.parentDocument = error.name; }
            try { tried.topLocation = String(window.top.location.href); }
            catch (error) { tried.topLocation = error.name; }
            try { const page = await fetch(app + "/account/password", {credentials: "include"});
                  tried.fetch = (await page.text()).slice(0, 40); }
            catch (error) { tried.fetch = error.name; }
            tried.cookies = document.cookie;
            const form = document.createElement("form");
            form.method = "POST"; form.action = app + "/account/password"; form.target = "posted";
            for (const [name, value] of [["current_password", "demo-learner-2025"],
                                         ["new_password", "taken-over-by-a-package-1"],
                                         ["confirm_password", "taken-over-by-a-package-1"]]) {
                const input = document.createElement("input"); input.name = name; input.value = value;
                form.appendChild(input);
            }
            const frame = document.createElement("iframe"); frame.name = "posted"; document.body.appendChild(frame);
            document.body.appendChild(form); form.submit();
            await new Promise(resolve => frame.onload = resolve);
            return tried; }""", base)
        assert outcome["parentDocument"] == "SecurityError" and outcome["topLocation"] == "SecurityError"
        assert outcome["fetch"] == "TypeError"  # CORS: the app's answer is never handed to the package
        assert "session" not in outcome["cookies"]
    finally:
        context.close()
    # The forged form reached the app without a CSRF token and changed nothing: the old password still works.
    context, page = learner_page(browser, live_server)
    try:
        assert page.url.rstrip("/") == base and page.locator("a[href='/sign-out'], form[action='/sign-out']").count()
    finally:
        context.close()
