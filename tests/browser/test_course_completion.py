"""A learner takes the all-staff basic course from sign-in to completion in Chromium."""

from __future__ import annotations

import json
import sqlite3

from support import browser_sign_in


def stored_questions(database, attempt_id: int) -> list[dict]:
    """The test plays a learner who knows every answer: it reads them from the server's database."""
    with sqlite3.connect(database) as connection:
        (questions,) = connection.execute("SELECT questions FROM quiz_attempts WHERE id = ?", (attempt_id,)).fetchone()
    return json.loads(questions)


def answer_rightly(page, questions: list[dict]) -> None:
    for number, q in enumerate(questions, start=1):
        field, order = f"q{number}", q["order"]
        if q["kind"] in ("single", "multiple"):
            for index, choice in enumerate(q["choices"]):
                if choice["correct"]:
                    page.check(f"input[name={field}][value='{order.index(index)}']")
        elif q["kind"] == "true_false":
            page.check(f"input[name={field}][value={'true' if q['answer'] else 'false'}]")
        elif q["kind"] == "short_answer":
            page.fill(f"input[name={field}]", q["answers"][0])
        else:
            for position, item_index in enumerate(order):
                page.select_option(f"select[name={field}-{position}]", str(item_index + 1))


def test_a_learner_completes_the_basic_course(live_server, page):
    base = live_server["base_url"]
    learner = next(a for a in live_server["accounts"] if a["permission"] == "learner")
    browser_sign_in(page, base, learner)
    page.click("text=DXの基礎")
    page.click("main >> text=受講を始める")
    lessons = 0
    while "/courses/dx-basics/0" in page.url:
        assert page.locator("article.lesson h1").inner_text()
        lessons += 1
        page.click("main button[type=submit]")
    assert lessons == 9
    assert page.url.endswith("/courses/dx-basics/")
    page.click("main >> text=確認テストを受ける")
    attempt_id = int(page.url.rstrip("/").split("/")[-1])
    answer_rightly(page, stored_questions(live_server["database"], attempt_id))
    page.click("text=提出して結果を見る")
    assert page.locator(".verdict").inner_text() == "合格"
    assert page.locator(".question-result.wrong").count() == 0
    page.goto(base + "/")
    card = page.locator("article.course-card", has_text="DXの基礎")
    assert "修了" in card.inner_text()
    with page.expect_download() as download:
        card.locator("text=修了証書（PDF）").click()
    saved = download.value.path()
    with open(saved, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert download.value.suggested_filename.startswith("修了証書_R")

    with sqlite3.connect(live_server["database"]) as connection:
        (code, holder) = connection.execute(
            "SELECT verification_code, holder_name FROM certificates WHERE id = "
            "(SELECT max(id) FROM certificates)").fetchone()
    visitor = page.context.browser.new_context(locale="en-US").new_page()  # anyone, not signed in
    visitor.goto(f"{base}/verify/{code}")
    assert "有効" in visitor.locator(".verify-result h2").inner_text()
    assert holder in visitor.locator(".verify-result").inner_text()
    visitor.context.close()
