"""Every demo account signs in through a real browser and sees a Japanese home page."""

from __future__ import annotations

from support import browser_sign_in


def test_each_demo_account_signs_in_and_sees_a_japanese_home_page(live_server, page):
    requests_outside = []
    page.on("request", lambda request: requests_outside.append(request.url)
            if not request.url.startswith(live_server["base_url"]) else None)
    accounts = live_server["accounts"]
    assert {a["permission"] for a in accounts} >= {"learner", "manager", "author", "reporter", "admin"}
    for account in accounts:
        browser_sign_in(page, live_server["base_url"], account)
        assert page.locator("html").get_attribute("lang") == "ja"
        heading = page.locator("h1").first.inner_text()
        assert "ようこそ" in heading, (account, heading)
        page.click("text=サインアウト")
        assert page.url.endswith("/sign-in")
    assert requests_outside == []


def test_manager_and_admin_see_their_pages(live_server, page):
    accounts = {a["permission"]: a for a in live_server["accounts"]}
    browser_sign_in(page, live_server["base_url"], accounts["manager"])
    page.click("text=チームの状況")
    page.wait_for_load_state()  # count() does not wait: the click only starts the navigation
    assert page.locator("table.data tbody tr").count() > 5
    page.click("text=サインアウト")
    browser_sign_in(page, live_server["base_url"], accounts["admin"])
    page.click("nav >> text=管理メニュー")
    page.wait_for_load_state()
    assert page.locator(".tile").count() >= 4


def test_sign_in_page_fits_a_phone_screen(live_server, browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server['base_url']}/sign-in")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0
