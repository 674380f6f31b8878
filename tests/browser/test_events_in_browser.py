"""A workshop from start to certificate in Chromium: the organiser creates it with two places; three staff
register and the third waits; one cancels and the third moves up; the organiser checks one in on the roster
(on a tablet) and the other checks in by scanning the venue's QR code; the KPI for DX specialists rises by
two and both download their certificates."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta

from playwright.sync_api import expect
from support import browser_sign_in

from elearn.clock import TOKYO


def _account(live_server, permission: str, body: str = "P000") -> dict:
    return next(a for a in live_server["accounts"] if a["permission"] == permission and a["body"] == body)


def _specialists_counted(browser, live_server) -> int:
    context = browser.new_context()
    page = context.new_page()
    browser_sign_in(page, live_server["base_url"], _account(live_server, "reporter"))
    report = json.loads(page.request.get(f"{live_server['base_url']}/kpi/report.json").text())
    context.close()
    return report["by_tier"].get("dx_specialist", 0)


def _as(browser, live_server, permission: str, viewport: dict | None = None):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=viewport or {"width": 390, "height": 844})
    page = context.new_page()
    browser_sign_in(page, live_server["base_url"], _account(live_server, permission))
    return context, page


def test_a_workshop_from_registration_to_certificate(live_server, browser, tmp_path):
    base_url = live_server["base_url"]
    before = _specialists_counted(browser, live_server)
    # The session starts in twenty minutes: registration is still open and check-in already is.
    starts = datetime.now(TOKYO) + timedelta(minutes=20)
    ends = min(starts + timedelta(hours=2), starts.replace(hour=23, minute=59))

    organiser_context, organiser = _as(browser, live_server, "organiser", {"width": 1366, "height": 768})
    organiser.goto(f"{base_url}/events/manage/new")
    organiser.fill("#code", "WS-BROWSER")
    organiser.fill("#title", "ブラウザ演習ワークショップ")
    organiser.select_option("#format", "workshop")
    organiser.select_option("#delivery", "in_person")
    organiser.fill("#hours", "3")
    organiser.select_option("#kpi_tier", "dx_specialist")
    organiser.click("form button[type=submit].primary")
    organiser.click("a.button:has-text('日程を追加')")
    organiser.fill("#day", starts.strftime("%Y-%m-%d"))
    organiser.fill("#starts", starts.strftime("%H:%M"))
    organiser.fill("#ends", ends.strftime("%H:%M"))
    organiser.fill("#venue", "県庁 研修室B")
    organiser.fill("#capacity", "2")
    organiser.click("form button[type=submit].primary")
    organiser.click("button:has-text('公開する')")
    expect(organiser.locator("body")).to_contain_text("公開しました")
    event_url = organiser.url.replace("/manage/", "/")

    staff = {permission: _as(browser, live_server, permission) for permission in ("learner", "manager", "author")}
    for permission in ("learner", "manager", "author"):
        page = staff[permission][1]
        page.goto(event_url)
        page.click("button:has-text('この日程に申し込む')")
    expect(staff["author"][1].locator("body")).to_contain_text("キャンセル待ち")
    expect(staff["manager"][1].locator("body")).to_contain_text("申し込みました")

    learner = staff["learner"][1]
    learner.goto(event_url)
    learner.click("button:has-text('申込を取り消す')")
    expect(learner.locator("body")).to_contain_text("申込を取り消しました")
    staff["author"][1].goto(event_url)
    expect(staff["author"][1].locator("body")).to_contain_text("申込済み")  # moved up into the freed place

    # On a tablet at the venue: the roster, one person marked present.
    organiser_context.close()
    tablet_context, tablet = _as(browser, live_server, "organiser", {"width": 768, "height": 1024})
    tablet.goto(f"{base_url}/events/manage/")
    tablet.locator("article", has_text="ブラウザ演習ワークショップ").locator("a", has_text="名簿").click()
    manager_row = tablet.locator("fieldset.roster-row", has_text=_name_of(live_server, "manager"))
    manager_row.locator("label.choice", has_text="出席").click()
    tablet.click("button:has-text('出欠を保存')")
    expect(tablet.locator("body")).to_contain_text("出欠を保存しました（1件変更）")

    # The venue's screen shows the code; the author scans it with a phone and checks in.
    tablet.click("a.button:has-text('受付コード')")
    qr_png = tmp_path / "qr.png"
    tablet.locator(".qr svg").screenshot(path=str(qr_png))
    scanned = subprocess.run(["zbarimg", "--raw", "-q", str(qr_png)], capture_output=True, text=True, check=True)
    link = scanned.stdout.strip()
    assert link.startswith(f"{base_url}/events/check-in?code=")
    author = staff["author"][1]
    author.goto(link)
    author.click("button:has-text('今すぐ受付する')")
    expect(author.locator("body")).to_contain_text("受付しました")
    tablet_context.close()

    assert _specialists_counted(browser, live_server) == before + 2
    for permission in ("manager", "author"):
        page = staff[permission][1]
        page.goto(f"{base_url}/certificates/")
        row = page.locator("tr", has_text="ブラウザ演習ワークショップ")
        assert row.count() == 1
        with page.expect_download() as download_info:
            row.locator("a[download]").click()
        path = tmp_path / f"{permission}.pdf"
        download_info.value.save_as(path)
        assert path.read_bytes().startswith(b"%PDF")
    for context, _page in staff.values():
        context.close()


def _name_of(live_server, permission: str) -> str:
    """The demo account's name as the roster shows it (the demo draws names from a seed)."""
    import sqlite3

    account = _account(live_server, permission)
    with sqlite3.connect(live_server["database"]) as connection:
        (name,) = connection.execute(
            "SELECT u.name FROM users u JOIN org_units o ON o.id = u.body_id WHERE o.code = ? AND u.staff_number = ?",
            (account["body"], account["staff_number"])).fetchone()
    return name
