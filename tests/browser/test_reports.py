"""Reports through a real browser: a manager filters the team page and downloads it as Excel; a
municipality's reporter sees the KPI of that municipality and is refused the prefecture's."""

from __future__ import annotations

from openpyxl import load_workbook
from support import browser_sign_in


def _account(live_server, permission: str, body: str) -> dict:
    return next(a for a in live_server["accounts"] if a["permission"] == permission and a["body"] == body)


def test_a_manager_filters_the_team_page_and_downloads_it_as_xlsx(live_server, page, tmp_path):
    base_url = live_server["base_url"]
    browser_sign_in(page, base_url, _account(live_server, "manager", "P000"))
    page.click("nav >> text=チームの状況")
    page.wait_for_load_state()  # count() does not wait: the click only starts the navigation
    assert page.locator("table.matrix tbody tr").count() > 20  # one row per person by default
    page.click(".view-switch >> text=職員・コースごと（詳細）")
    page.wait_for_load_state()
    rows = page.locator("table.team tbody tr")
    everyone = rows.count()
    assert everyone > 20
    page.select_option("select[name=status]", "overdue")
    page.select_option("select[name=tier]", "all_staff")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state()
    assert "status=overdue" in page.url and "view=detail" in page.url  # the filters keep the view
    overdue = rows.count()
    assert 0 < overdue < everyone  # the demo's security course was due at the end of October
    assert rows.locator(".badge-overdue").count() == overdue
    with page.expect_download() as download_info:
        page.click("text=Excel（XLSX）をダウンロード")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = tmp_path / "team.xlsx"
    download.save_as(path)
    sheet = load_workbook(path).worksheets[0]
    assert sheet["A1"].value == "所属" and sheet.freeze_panes == "A2"
    assert sheet.max_row - 1 == overdue
    assert all(sheet.cell(row=r, column=11).value == "期限超過" for r in range(2, sheet.max_row + 1))


def test_a_municipal_reporter_sees_the_municipality_and_is_refused_the_prefecture(live_server, page):
    base_url = live_server["base_url"]
    browser_sign_in(page, base_url, _account(live_server, "reporter", "M100"))
    page.click("nav >> text=KPI")
    assert "みどり市" in page.locator("h1").inner_text()
    assert page.locator("figure.chart svg:visible").count() == 1  # the wide drawing; the phone one is hidden
    assert page.locator("select[name=body]").count() == 0  # nothing else to choose
    response = page.goto(f"{base_url}/kpi/?body=P000")
    assert response.status == 403
    assert "みどり県" not in page.content()


def test_an_import_says_at_once_that_it_is_checking_and_is_not_sent_twice(live_server, page, tmp_path):
    base_url = live_server["base_url"]
    browser_sign_in(page, base_url, _account(live_server, "admin", "P000"))
    staff = tmp_path / "staff.csv"
    staff.write_text("職員番号,氏名,ふりがな,メール,所属コード,職位,研修区分\n"
                     "990001,試験 太郎,しけん たろう,,P101,,\n", encoding="utf-8")
    page.goto(f"{base_url}/admin/import/staff")
    # What the page shows the moment the form is sent (a 300,000-row file's answer takes many seconds), and
    # whether a second press is sent too, noted where the next page can read it.
    page.evaluate("""() => {
        const form = document.querySelector("form[data-busy]");
        let noted = false;
        form.addEventListener("submit", () => {
            if (noted) return;
            noted = true;
            const again = new Event("submit", {cancelable: true});
            form.dispatchEvent(again);
            sessionStorage.setItem("busy", JSON.stringify({
                status: form.querySelector("[role=status].busy-status").textContent,
                pressed: form.querySelector("button[type=submit]").getAttribute("aria-disabled"),
                secondSent: !again.defaultPrevented}));
        });
    }""")
    page.set_input_files("input[name=file]", str(staff))
    page.click("form[data-busy] button[type=submit]")
    page.wait_for_selector("text=990001")  # the plan: one person to create
    noted = page.evaluate("() => JSON.parse(sessionStorage.getItem('busy'))")
    assert "ファイルを確認しています" in noted["status"]
    assert noted["pressed"] == "true" and noted["secondSent"] is False
    assert page.locator("form[data-busy] button[type=submit]").inner_text() == "この内容で反映"
