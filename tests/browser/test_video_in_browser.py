"""The demo's video lesson in Chromium: captions on, played at double speed, resumed, and done when watched."""

from __future__ import annotations

from support import browser_sign_in

LESSON = "/courses/security-basics/06-spotting-suspicious-mail"


def video_state(page) -> dict:
    return page.evaluate("""() => { const v = document.querySelector('video');
        return {time: v.currentTime, duration: v.duration, error: v.error && v.error.code, rate: v.playbackRate,
                tracks: Array.from(v.textTracks).map(t => t.language + ':' + t.mode)}; }""")


def test_a_learner_watches_the_video_lesson_and_it_counts_only_once_watched(live_server, browser):
    base = live_server["base_url"]
    learner = next(a for a in live_server["accounts"] if a["permission"] == "learner")
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="ja-JP")
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    try:
        browser_sign_in(page, base, learner)
        page.goto(base + LESSON)
        page.wait_for_function("() => document.querySelector('video').readyState >= 1")
        state = video_state(page)
        assert state["error"] is None and 53 < state["duration"] < 55
        assert state["tracks"] == ["ja:showing", "en:hidden"]
        assert page.locator(".lesson-done").get_attribute("aria-disabled") == "true"

        # A seek to near the end, by the keyboard (L: +10 s) and the transcript, does not count as watching.
        page.select_option(".player-speed", "2")
        page.locator("#player").focus()
        page.keyboard.press("c")
        assert video_state(page)["tracks"] == ["ja:hidden", "en:hidden"]
        page.keyboard.press("c")
        page.evaluate("() => { document.querySelector('video').muted = true; }")
        page.locator(".transcript .cue-time").last.click()  # starts playing near the end
        page.wait_for_function("() => document.querySelector('video').ended", timeout=20_000)
        page.wait_for_function("() => /視聴 \\d+%/.test(document.querySelector('.player-progress').textContent)")
        assert page.locator(".lesson-done").get_attribute("aria-disabled") == "true"

        # From the start at double speed, pausing once: a reload (or another device) resumes there.
        page.locator(".transcript .cue-time").first.click()
        page.wait_for_function("() => document.querySelector('video').currentTime > 12", timeout=20_000)
        with page.expect_response(lambda response: response.url.endswith("/watched")):  # reported on pause
            page.keyboard.press("k")
        paused_at = video_state(page)["time"]
        page.reload()
        page.wait_for_function("() => document.querySelector('video').readyState >= 1")
        page.wait_for_function(f"() => document.querySelector('video').currentTime >= {paused_at - 0.5}")
        assert video_state(page)["rate"] == 2  # the chosen speed is kept
        page.evaluate("() => { document.querySelector('video').muted = true; }")
        page.keyboard.press("k")  # the focus is on the page, not a control: K plays
        page.evaluate("() => { document.querySelector('video').play(); }")
        page.wait_for_function("() => document.querySelector('.lesson-done').getAttribute('aria-disabled') === null",
                               timeout=40_000)
        assert "受講済み" in page.locator(".player-progress").inner_text()
        page.click(".lesson-done")  # on to the first lesson not yet read
        assert "/courses/security-basics/0" in page.url
        page.goto(base + "/courses/security-basics/")
        assert page.locator(".lesson-list li", has_text="動画でふりかえり").locator(".badge-completed").count() == 1
    finally:
        context.close()
    assert not errors, errors
