"""A workshop assignment in Chromium: the learner downloads the template, submits a photographed sheet with a
note, the training office returns it with a comment, the learner revises it, and the office accepts it."""

from __future__ import annotations

import sqlite3

from PIL import Image
from support import browser_sign_in

WORKSHOP = "/courses/bpr-rpa/workshop"


def _account(live_server, permission: str) -> dict:
    return next(a for a in live_server["accounts"] if a["permission"] == permission and a["body"] == "P000")


def _latest_submission(database, staff_number: str) -> tuple[int, int, str]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT s.id, s.round, s.status FROM workshop_submissions s JOIN users u ON u.id = s.user_id "
            "WHERE u.staff_number = ? ORDER BY s.round DESC LIMIT 1", (staff_number,)).fetchone()


def test_a_workshop_is_submitted_returned_revised_and_accepted(live_server, browser, tmp_path):
    base = live_server["base_url"]
    learner_account, office_account = _account(live_server, "learner"), _account(live_server, "organiser")
    learner = browser.new_context(locale="ja-JP").new_page()
    browser_sign_in(learner, base, learner_account)
    learner.goto(base + WORKSHOP)
    assert learner.locator("h1").inner_text() == "ワークショップ課題：業務棚卸表をつくる"
    with learner.expect_download() as download:
        learner.click("text=ワークシートのひな形をダウンロード")
    with open(download.value.path(), "rb") as template:
        assert template.read(2) == b"PK"  # an xlsx is a ZIP package

    photo = tmp_path / "sheet.png"
    image = Image.new("RGB", (800, 600), "white")
    image.save(photo)
    learner.fill("textarea[name=text]", "手書きの棚卸表を撮影して添付します。")
    learner.set_input_files("input[name=file]", str(photo))
    learner.click("button:has-text('確認を依頼する')")
    assert "確認待ち" in learner.locator(".course-meta").inner_text()
    submission_id, round_number, status = _latest_submission(live_server["database"], learner_account["staff_number"])
    assert (round_number, status) == (1, "submitted")

    office = browser.new_context(locale="ja-JP").new_page()
    browser_sign_in(office, base, office_account)
    office.goto(base + "/reviews/")
    assert office.locator(f'a[href="/reviews/{submission_id}"]').count() == 1
    office.click(f'a[href="/reviews/{submission_id}"]')
    assert "手書きの棚卸表を撮影して添付します。" in office.locator("main").inner_text()
    office.wait_for_function("() => document.querySelector('img.submission-image').naturalWidth === 800")
    office.click("button:has-text('差し戻す')")  # without a comment: refused, nothing changes
    assert "差し戻すときは" in office.locator("main").inner_text()
    office.fill("textarea[name=comment]", "年間件数と1件あたりの時間を書き足してください。")
    office.click("button:has-text('差し戻す')")
    assert office.url.endswith("/reviews/")

    learner.reload()
    text = learner.locator("main").inner_text()
    assert "差し戻し" in text and "年間件数と1件あたりの時間を書き足してください。" in text
    learner.fill("textarea[name=text]", "窓口受付：年1,400件、1件6分。会議室予約：年2,100件、1件4分。")
    learner.click("button:has-text('確認を依頼する')")
    submission_id, round_number, status = _latest_submission(live_server["database"], learner_account["staff_number"])
    assert (round_number, status) == (2, "submitted")

    office.goto(f"{base}/reviews/{submission_id}")
    assert "以前の提出" in office.locator("main").inner_text()
    office.click("button:has-text('承認する')")
    learner.reload()
    assert "承認" in learner.locator(".course-meta").inner_text()
    assert learner.locator("form[enctype='multipart/form-data']").count() == 0  # accepted: final
    learner.goto(base + "/notices/")
    assert "ワークショップ課題が承認されました" in learner.locator("main").inner_text()
