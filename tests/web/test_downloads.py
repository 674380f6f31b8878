"""Slow downloads made fast on repeat: the KPI PDF from its store, the team certificate ZIP after a
preparation page has rendered the missing PDFs. WeasyPrint really prints; the fixtures only count what it
is asked to print. No timings here (bench/downloads.py)."""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import delete, func, select
from support import complete, csrf_token_from, run_at_once, run_queued, sign_in

from elearn import db, jobs
from elearn.clock import today_in_japan
from elearn.domain.fiscal import fiscal_year
from elearn.domain.kpi import DEFAULT_RULE
from elearn.domain.people import Permission
from elearn.models import KpiReportPdf, KpiTarget, RoleGrant, User
from elearn.services import certificates, visibility
from elearn.services.certificates import pdf as certificate_pdf
from elearn.services.reports import kpi, kpi_pdf

AS_OF = "2024-03-31"


@pytest.fixture
def prints(monkeypatch) -> list[str]:
    """Every KPI report WeasyPrint prints."""
    printed: list[str] = []
    print_html = kpi_pdf.print_html

    def counted_print(html: str) -> bytes:
        printed.append(html)
        return print_html(html)

    monkeypatch.setattr(kpi_pdf, "print_html", counted_print)
    return printed


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """Ids of the certificates rendered."""
    rendered: list[int] = []
    render = certificate_pdf.render

    def counted_render(certificate) -> bytes:  # type: ignore[no-untyped-def]
        rendered.append(certificate.id)
        return render(certificate)

    monkeypatch.setattr(certificate_pdf, "render", counted_render)
    return rendered


@pytest.fixture
def reporter(synced, make_user):
    return make_user(division="P101", permissions=[(Permission.REPORTER, "P000")], name="県 報告")


def _stored_kpi_pdfs(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(KpiReportPdf))


def test_a_repeated_kpi_pdf_comes_from_the_store_and_a_new_completion_prints_a_new_one(
        synced, client, reporter, make_user, prints):
    complete(synced, make_user(division="P201"), when=datetime(2023, 6, 1, 3, tzinfo=UTC))
    sign_in(client, reporter)
    first = client.get(f"/kpi/report.pdf?as_of={AS_OF}")
    assert first.status_code == 200 and first.mimetype == "application/pdf" and len(prints) == 1
    assert first.headers["Cache-Control"] == "private, no-cache" and "KPI_" in first.headers["Content-Disposition"]

    again = client.get(f"/kpi/report.pdf?as_of={AS_OF}", headers={"Accept-Language": "en"})
    assert len(prints) == 1 and again.data == first.data and again.headers["ETag"] == first.headers["ETag"]
    not_modified = client.get(f"/kpi/report.pdf?as_of={AS_OF}", headers={"If-None-Match": first.headers["ETag"]})
    assert not_modified.status_code == 304 and not not_modified.data and len(prints) == 1
    assert _stored_kpi_pdfs(synced) == 1

    figures = client.get(f"/kpi/report.json?as_of={AS_OF}").get_json()["years"]
    complete(synced, make_user(division="P101"), when=datetime(2023, 9, 1, 3, tzinfo=UTC))
    assert client.get(f"/kpi/report.json?as_of={AS_OF}").get_json()["years"] != figures
    after = client.get(f"/kpi/report.pdf?as_of={AS_OF}", headers={"If-None-Match": first.headers["ETag"]})
    assert after.status_code == 200 and len(prints) == 2 and after.headers["ETag"] != first.headers["ETag"]
    assert after.data != first.data and _stored_kpi_pdfs(synced) == 2


def test_the_key_follows_targets_rule_revocations_and_the_as_of_date_and_nothing_else(
        synced, reporter, make_user, org):
    trained = complete(synced, make_user(division="P101"), when=datetime(2023, 6, 1, 3, tzinfo=UTC))
    with synced.test_request_context():
        def key(as_of: str = AS_OF) -> str:
            bodies = visibility.bodies(visibility.COMMAND_LINE)
            return kpi_pdf.printout(kpi.report(bodies, datetime.fromisoformat(as_of).date(), "P000")).key

        today = today_in_japan().isoformat()
        keys = [key(), key(today), key("2024-03-30")]
        assert key() == keys[0]  # nothing changed: the same PDF
        with db.write_session() as session:
            session.add(KpiTarget(body_id=org["P000"].id, fiscal_year=2023, target=10))
        keys.append(key())
        kpi.save_rule(None, replace(DEFAULT_RULE, since_fiscal_year=2023))
        keys.append(key())
        keys.append(key(today))
        certificates.revoke(db.session().get(User, reporter.id), trained.id, "誤登録")
        keys.append(key(today))  # revoked today: it stops counting today
        assert key(today) == keys[-1]
    assert len(set(keys)) == len(keys), keys


def test_two_requests_printing_the_same_report_at_once_store_one_pdf(synced, reporter, prints):
    def download() -> str:
        with synced.test_request_context():
            report = kpi.report(visibility.bodies(visibility.COMMAND_LINE), datetime(2024, 3, 31).date(), "P000")
            return kpi_pdf.pdf_of(kpi_pdf.printout(report)).etag

    etags = run_at_once(synced, 2, download)
    assert len(set(etags)) == 1 and _stored_kpi_pdfs(synced) == 1


def test_only_the_newest_pdfs_of_a_body_are_kept(synced, client, reporter, prints, monkeypatch):
    monkeypatch.setattr(kpi_pdf, "KEEP_PER_BODY", 1)
    sign_in(client, reporter)
    for day in ("2024-03-30", "2024-03-31"):
        assert client.get(f"/kpi/report.pdf?as_of={day}").status_code == 200
    with synced.app_context():
        kept = db.session().scalars(select(KpiReportPdf.as_of).order_by(KpiReportPdf.as_of)).all()
    assert [day.isoformat() for day in kept] == ["2024-03-31"]


def test_the_kpi_page_says_the_pdf_is_being_prepared_and_links_it_plainly(synced, client, reporter):
    sign_in(client, reporter)
    html = client.get(f"/kpi/?as_of={AS_OF}", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    link = re.search(r'<a class="button" href="(/kpi/report\.pdf[^"]*)" download\s+data-download-status="([^"]+)"'
                     r'\s+data-preparing="([^"]+)"', html)
    assert link and link.group(3) == "PDFを作成しています…"
    assert re.search(rf'id="{link.group(2)}" role="status" aria-live="polite"', html)
    script_url = re.search(r'<script src="(/static/js/downloads\.js\?v=[0-9a-f]{12})" defer></script>', html)
    assert script_url
    with client.get(script_url.group(1)) as script:
        assert script.status_code == 200 and b"data-download-status" in script.data


# --- the team certificate ZIP ------------------------------------------------------------------------------


@pytest.fixture
def team(synced, make_user):
    """A manager of P100, three of their staff with a certificate this year, one outsider with one."""
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")], name="課長 一郎")
    staff = [complete(synced, make_user(division=division)) for division in ("P101", "P102", "P102")]
    outsider = complete(synced, make_user(division="P201"))
    return manager, staff, outsider


def test_with_pdfs_missing_the_team_link_shows_a_preparation_page(synced, client, team, renders):
    manager, staff, _ = team
    sign_in(client, manager)
    assert 'href="/team/certificates/"' in client.get("/team/").get_data(as_text=True)
    page = client.get("/team/certificates/", headers={"Accept-Language": "ja"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and renders == []
    assert "修了証書を準備しています 0 / 3" in html and re.search(r'<progress[^>]* max="3" value="0"', html)
    assert 'role="status" aria-live="polite"' in html
    assert 'data-prepare-url="/team/certificates/prepare"' in html
    assert 'href="/team/certificates.zip"' in html  # the direct download, for browsers without the script
    assert 'data-preparing="修了証書を準備しています %(done)s / %(total)s"' in html




def test_the_prepare_endpoint_has_the_worker_render_the_missing_pdfs_and_reports_progress(
        synced, client, team, renders):
    manager, staff, outsider = team
    sign_in(client, manager)
    with synced.app_context():  # one already stored
        certificate_pdf.pdf_of(certificates.get(staff[0].id))
    assert renders == [staff[0].id]
    answer = client.post("/team/certificates/prepare")
    assert answer.status_code == 200 and answer.get_json() == {"done": 1, "total": 3}
    assert client.post("/team/certificates/prepare").get_json() == {"done": 1, "total": 3}
    assert len(renders) == 1  # nothing rendered in the request
    assert run_queued(synced) == ["render_certificates"]  # queued once, however often the page asked
    assert sorted(renders) == sorted(c.id for c in staff) and outsider.id not in renders
    assert client.post("/team/certificates/prepare").get_json() == {"done": 3, "total": 3}

    ready = client.get("/team/certificates/")  # everything stored: straight to the ZIP
    assert ready.status_code == 303 and ready.headers["Location"] == "/team/certificates.zip"
    archive = zipfile.ZipFile(io.BytesIO(client.get(ready.headers["Location"]).data))
    assert len(archive.namelist()) == 3 and len(renders) == 3  # nothing rendered again
    again = client.post("/team/certificates/prepare")
    assert again.get_json() == {"done": 3, "total": 3} and run_queued(synced) == [] and len(renders) == 3


def test_the_prepare_endpoint_keeps_to_the_fiscal_year_asked_for(synced, client, team, make_user, renders):
    manager, staff, _ = team
    older = complete(synced, make_user(division="P101"), when=datetime(2023, 6, 1, 3, tzinfo=UTC))
    sign_in(client, manager)
    answer = client.post(f"/team/certificates/prepare?fiscal_year={older.fiscal_year}")
    assert answer.get_json() == {"done": 0, "total": 1}
    run_queued(synced)
    assert renders == [older.id]
    this_year = fiscal_year(today_in_japan())
    page = client.get(f"/team/certificates/?fiscal_year={this_year}").get_data(as_text=True)
    assert f'data-prepare-url="/team/certificates/prepare?fiscal_year={this_year}"' in page


def test_a_unit_chosen_on_the_team_page_narrows_the_download_to_its_people(synced, client, team, org, renders):
    manager, staff, outsider = team
    sign_in(client, manager)
    unit = org["P102"].id
    team_page = client.get(f"/team/?unit={unit}").get_data(as_text=True)
    assert f'href="/team/certificates/?unit={unit}"' in team_page
    assert client.post(f"/team/certificates/prepare?unit={unit}").get_json() == {"done": 0, "total": 2}
    run_queued(synced)
    assert sorted(renders) == sorted(c.id for c in staff[1:])
    ready = client.get(f"/team/certificates/?unit={unit}")
    assert ready.status_code == 303 and ready.headers["Location"] == f"/team/certificates.zip?unit={unit}"
    assert len(zipfile.ZipFile(io.BytesIO(client.get(ready.headers["Location"]).data)).namelist()) == 2
    # A unit outside the team narrows to nobody: the policy decides, the unit only narrows.
    elsewhere = org["P201"].id
    assert client.post(f"/team/certificates/prepare?unit={elsewhere}").get_json() == {"done": 0, "total": 0}
    assert client.get(f"/team/certificates.zip?unit={elsewhere}").headers["Location"] == "/team/"
    assert outsider.id not in renders


def test_a_units_own_staff_alone_are_prepared_and_downloaded_apart_from_the_units_below(
        synced, client, team, org, make_user, renders):
    manager, staff, _ = team
    own = complete(synced, make_user(division="P100"))  # attached to the department itself
    sign_in(client, manager)
    department = org["P100"].id
    assert client.post(f"/team/certificates/prepare?unit={department}&alone=1").get_json() == {"done": 0, "total": 1}
    assert client.post(f"/team/certificates/prepare?unit={department}").get_json() == {"done": 0, "total": 4}
    assert run_queued(synced) == ["render_certificates", "render_certificates"]  # two selections, two jobs
    assert sorted(renders) == sorted(c.id for c in [own, *staff])
    ready = client.get(f"/team/certificates/?unit={department}&alone=1")
    assert ready.headers["Location"] == f"/team/certificates.zip?unit={department}&alone=1"
    assert len(zipfile.ZipFile(io.BytesIO(client.get(ready.headers["Location"]).data)).namelist()) == 1


def test_a_preparation_queued_before_the_own_staff_choice_still_runs(synced, team, org, renders):
    """A job queued by the release before: four arguments, the unit with everything below it."""
    manager, staff, _ = team
    with synced.app_context():
        jobs.task("render_certificates", synced)("certificates:old", manager.id, None, org["P102"].id)
    assert run_queued(synced) == ["render_certificates"]
    assert sorted(renders) == sorted(c.id for c in staff[1:])


def test_a_selection_larger_than_one_archive_is_refused_with_a_way_forward(synced, client, team, org, monkeypatch,
                                                                          renders):
    manager, _, _ = team
    monkeypatch.setattr(certificates, "TEAM_ARCHIVE_LIMIT", 2)
    sign_in(client, manager)
    team_page = client.get("/team/").get_data(as_text=True)
    assert 'href="/team/certificates/"' not in team_page and "最大 2 件" in team_page
    refused = client.get("/team/certificates/", follow_redirects=True).get_data(as_text=True)
    assert "修了証書 3 件は、1つのファイルには多すぎます" in refused
    assert client.post("/team/certificates/prepare").status_code == 413
    assert client.get("/team/certificates.zip").headers["Location"] == "/team/certificates/"
    assert run_queued(synced) == [] and renders == []
    unit = org["P102"].id
    assert client.post(f"/team/certificates/prepare?unit={unit}").get_json() == {"done": 0, "total": 2}


def test_the_worker_renders_for_the_team_the_person_has_when_it_runs(synced, client, team, renders):
    manager, _, _ = team
    sign_in(client, manager)
    client.post("/team/certificates/prepare")
    with synced.app_context(), db.write_session() as session:
        # No longer a manager by the time the worker gets to it.
        session.execute(delete(RoleGrant).where(RoleGrant.user_id == manager.id))
    assert run_queued(synced) == ["render_certificates"] and renders == []


def test_a_preparation_whose_worker_died_is_queued_again_after_ten_minutes(synced, client, team, monkeypatch):
    manager, _, _ = team
    sign_in(client, manager)
    client.post("/team/certificates/prepare")
    queue = jobs.queue(synced)
    assert queue.dequeue().name == "render_certificates"  # taken by a worker that then dies
    client.post("/team/certificates/prepare")
    assert queue.pending_count() == 0  # still claimed
    later = time.time() + 601
    monkeypatch.setattr(jobs.time, "time", lambda: later)
    client.post("/team/certificates/prepare")
    assert [task.name for task in queue.pending()] == ["render_certificates"]


def test_learners_and_reporters_may_not_open_or_drive_the_preparation(synced, client, team, make_user, renders):
    for person in (make_user(division="P101"),
                   make_user(division="P101", permissions=[(Permission.REPORTER, "P000")])):
        sign_in(client, person)
        assert client.get("/team/certificates/").status_code == 403
        assert client.post("/team/certificates/prepare").status_code == 403
        client.post("/sign-out")
    assert renders == []


def test_a_manager_without_certificates_in_the_team_is_sent_back(synced, client, make_user):
    manager = make_user(division="P201", permissions=[(Permission.MANAGER, "P200")])
    sign_in(client, manager)
    assert client.get("/team/certificates/").headers["Location"] == "/team/"
    assert client.post("/team/certificates/prepare").get_json() == {"done": 0, "total": 0}


def test_the_prepare_post_needs_the_csrf_token_of_the_page(make_app, synced, team, renders):
    app = make_app(WTF_CSRF_ENABLED=True)
    manager, staff, _ = team
    client = app.test_client()
    token = csrf_token_from(client.get("/sign-in").get_data(as_text=True))
    sign_in(client, manager, csrf_token=token)
    page = client.get("/team/certificates/").get_data(as_text=True)
    assert client.post("/team/certificates/prepare").status_code == 400 and renders == []
    page_token = re.search(r'data-csrf-token="([^"]+)"', page).group(1)
    answer = client.post("/team/certificates/prepare", data={"csrf_token": page_token})
    assert answer.status_code == 200 and json.loads(answer.data) == {"done": 0, "total": 3}
