"""Who may see which page."""

from __future__ import annotations

import pytest
from support import sign_in

from elearn.domain.people import Permission


def test_anonymous_visitors_are_sent_to_sign_in(client):
    for path in ("/", "/team/", "/admin/", "/admin/staff", "/admin/audit", "/admin/import/staff"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/sign-in" in response.headers["Location"]


def test_manager_sees_staff_of_their_department_subtree(synced, client, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    colleague = make_user(division="P102", name="部下 一郎")
    sign_in(client, manager)
    team = client.get("/team/").get_data(as_text=True)
    assert "部下 一郎" in team
    assert client.get(f"/team/staff/{colleague.id}").status_code == 200


def test_manager_is_refused_another_divisions_staff_page(synced, client, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P101")])
    outsider = make_user(division="P201", name="他部署 花子")
    municipal = make_user(division="M110", name="市職員 太郎")
    sign_in(client, manager)
    assert client.get(f"/team/staff/{outsider.id}").status_code == 403
    assert client.get(f"/team/staff/{municipal.id}").status_code == 403
    team = client.get("/team/").get_data(as_text=True)
    assert "他部署 花子" not in team
    assert "市職員 太郎" not in team


def test_learner_is_refused_team_and_admin_pages(client, make_user):
    learner = make_user()
    other = make_user()
    sign_in(client, learner)
    assert client.get("/team/").status_code == 403
    assert client.get(f"/team/staff/{other.id}").status_code == 403
    assert client.get("/admin/").status_code == 403
    assert client.get(f"/admin/staff/{other.id}").status_code == 403


@pytest.mark.parametrize("permission", [Permission.AUTHOR, Permission.REPORTER, Permission.MANAGER])
def test_only_admins_reach_administration(client, make_user, permission):
    unit = "P000" if permission is not Permission.AUTHOR else None
    user = make_user(permissions=[(permission, unit)])
    sign_in(client, user)
    assert client.get("/admin/staff").status_code == 403


def test_error_pages_are_japanese(client, make_user):
    sign_in(client, make_user())
    assert "権限" in client.get("/admin/").get_data(as_text=True)
    assert "見つかりません" in client.get("/no-such-page").get_data(as_text=True)


def test_english_can_be_chosen_and_japanese_is_the_default(client, make_user):
    sign_in(client, make_user(name="英語 好子"))
    assert "ようこそ" in client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    client.get("/language/en?next=/")
    english = client.get("/").get_data(as_text=True)
    assert "Welcome, 英語 好子" in english and 'lang="en"' in english
    client.get("/language/ja?next=/")
    assert "ようこそ" in client.get("/").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/language/en?next=https://evil.example/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize(("permissions", "shown"), [
    ((), set()),
    (((Permission.MANAGER, "P101"),), {"/team/", "/reviews/"}),
    (((Permission.REPORTER, "P000"),), {"/kpi/"}),
    (((Permission.AUTHOR, None),), {"/magazine/studio/"}),
    (((Permission.ORGANISER, "P000"),), {"/reviews/"}),
    (((Permission.ADMIN, None),), {"/team/", "/kpi/", "/admin/", "/reviews/"}),
])
def test_the_menu_offers_what_the_access_policy_allows(synced, client, make_user, permissions, shown):
    sign_in(client, make_user(permissions=permissions))
    page = client.get("/courses/sample-course/").get_data(as_text=True)
    menu = page[page.index("<header"):page.index("</header>")]
    offered = {path for path in ("/team/", "/kpi/", "/admin/", "/magazine/studio/", "/reviews/")
               if f'href="{path}"' in menu}
    assert offered == shown
    assert ("/quiz/stats/sample-course" in page) == bool(shown & {"/magazine/studio/", "/admin/"})
