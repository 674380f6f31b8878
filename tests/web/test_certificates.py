"""Certificates: issued on completion, downloaded, verified, revoked, reissued, zipped for managers."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from support import answer_form, answers_for, complete, run_at_once, sign_in, trainees_by_sql

from elearn import db
from elearn.clock import TOKYO, utcnow
from elearn.domain.certificates import CertificateState
from elearn.domain.completion import completion_fiscal_year
from elearn.domain.fiscal import fiscal_year_label
from elearn.domain.kpi import DEFAULT_RULE, Fact, count
from elearn.domain.people import Permission, Tier
from elearn.models import Certificate, CertificatePdf, Completion, CourseVersion, QuizAttempt, User
from elearn.services import certificates, visibility
from elearn.services.learning import quiz


def stored(app, certificate_id: int) -> Certificate:
    with app.app_context():
        return db.session().get(Certificate, certificate_id)


@pytest.fixture
def admin(make_user):
    return make_user(division="P102", permissions=[(Permission.ADMIN, None)], name="管理 者")


def this_year_serial(sequence: int) -> str:
    year = completion_fiscal_year(utcnow())
    return f"{fiscal_year_label(year)}-L-{sequence:06d}"


# --- issuing -------------------------------------------------------------------------------------------------


def pass_quiz(app, client, holder) -> int:  # type: ignore[no-untyped-def]
    """Sign `holder` in, read the sample course and pass its quiz through the pages; the attempt's id."""
    sign_in(client, holder)
    for lesson in ("01-first", "02-second"):
        client.post(f"/courses/sample-course/{lesson}/read")
    attempt_id = int(re.search(r"/quiz/attempts/(\d+)$",
                               client.post("/courses/sample-course/quiz/start").headers["Location"]).group(1))
    with app.app_context():
        questions = db.session().get(QuizAttempt, attempt_id).questions
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": 0, "action": "submit"})
    return attempt_id



def test_passing_the_quiz_issues_a_certificate_shown_on_the_result_and_my_learning(synced, client, make_user):
    holder = make_user(name="髙﨑 花子")
    attempt_id = pass_quiz(synced, client, holder)

    with synced.app_context():
        issued = db.session().scalars(select(Certificate)).all()
        assert len(issued) == 1
        certificate = issued[0]
        assert certificate.serial == this_year_serial(1)  # the sample course is for digital leaders: L
        assert (certificate.holder_name, certificate.course_title) == ("髙﨑 花子", "テスト用コース")
        assert certificate.minutes == 20
        assert certificate.completed_on == utcnow().astimezone(TOKYO).date()
        assert certificate.tier is Tier.DIGITAL_LEADER
        assert certificate.body.code == "P000" and certificate.body_name == "みどり県"
        assert len(certificate.verification_code) == 24
    pdf_link = f"/certificates/{certificate.id}.pdf"
    assert pdf_link in client.get(f"/quiz/attempts/{attempt_id}/result").get_data(as_text=True)
    assert pdf_link in client.get("/").get_data(as_text=True)
    assert pdf_link in client.get("/courses/sample-course/").get_data(as_text=True)
    mine = client.get("/certificates/").get_data(as_text=True)
    assert certificate.serial in mine and pdf_link in mine


def test_concurrent_submissions_issue_exactly_one_certificate(synced, client, make_user):
    holder = make_user()
    sign_in(client, holder)
    for lesson in ("01-first", "02-second"):
        client.post(f"/courses/sample-course/{lesson}/read")
    with synced.app_context():
        attempt = quiz.start(db.session().get(User, holder.id), "sample-course")
        answers = answers_for(attempt.questions)
        attempt_id = attempt.id
    outcomes = run_at_once(synced, 12, lambda: quiz.submit(db.session().get(User, holder.id), attempt_id, 0,
                                                             answers).newly_graded)
    assert outcomes.count(True) == 1
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 1
        assert db.session().scalar(select(func.count()).select_from(Completion)) == 1


def test_serials_count_up_per_body_and_fiscal_year(synced, make_user):
    first, second = make_user(), make_user(division="P201")
    municipal = make_user(division="M110")
    last_year = utcnow() - timedelta(days=366)
    serials = [complete(synced, person).serial for person in (first, second, municipal)]
    assert serials == [this_year_serial(1), this_year_serial(2), this_year_serial(1)]
    older = complete(synced, first, when=last_year)
    assert older.serial == f"{fiscal_year_label(completion_fiscal_year(last_year))}-L-000001"
    with synced.app_context():
        issued_by = db.session().scalars(select(Certificate.body_name).where(Certificate.user_id == municipal.id))
        assert list(issued_by) == ["みどり市"]


def test_concurrent_completions_of_different_people_get_distinct_consecutive_serials(synced, make_user):
    people = iter([make_user(division=("P101", "P201")[n % 2]) for n in range(8)])
    serials = run_at_once(synced, 8, lambda: complete(synced, next(people)).serial)
    assert sorted(serials) == [this_year_serial(n) for n in range(1, 9)]


def test_issuer_title_name_and_seal_are_copied_at_issue(synced, client, admin, make_user, png_seal):
    sign_in(client, admin)
    response = client.post("/admin/issuers/P000", data={"title": "みどり県知事", "name": "緑川 一郎",
                                                          "seal": (io.BytesIO(png_seal), "seal.png")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    edit_page = client.get("/admin/issuers/P000").get_data(as_text=True)
    assert 'value="みどり県知事"' in edit_page and "/admin/issuers/P000/seal.png" in edit_page
    assert client.get("/admin/issuers/P000/seal.png").data.startswith(b"\x89PNG")
    certificate = complete(synced, make_user())
    assert (certificate.issuer_title, certificate.issuer_name) == ("みどり県知事", "緑川 一郎")
    assert certificate.seal_id is not None
    client.post("/admin/issuers/P000", data={"title": "みどり県知事", "name": "青山 次郎", "remove_seal": "y"})
    later = complete(synced, make_user())
    assert (later.issuer_name, later.seal_id) == ("青山 次郎", None)
    assert stored(synced, certificate.id).issuer_name == "緑川 一郎"


# --- downloads -----------------------------------------------------------------------------------------------


def test_who_may_download_a_certificate(synced, client, make_user, admin):
    holder = make_user(division="P101")
    certificate = complete(synced, holder)
    path = f"/certificates/{certificate.id}.pdf"
    assert client.get(path).status_code == 302  # anonymous: to sign-in
    cases = [
        (holder, 200),
        (make_user(division="P101"), 403),  # a colleague
        (make_user(division="P201", permissions=[(Permission.MANAGER, "P200")]), 403),  # another department
        (make_user(division="M110", permissions=[(Permission.MANAGER, "M100")]), 403),  # a municipality
        (make_user(division="P102", permissions=[(Permission.MANAGER, "P100")]), 200),  # the holder's department
        (admin, 200),
    ]
    for viewer, status in cases:
        viewer_client = synced.test_client()
        sign_in(viewer_client, viewer, body="M100" if viewer.body_id != holder.body_id else "P000")
        response = viewer_client.get(path)
        assert response.status_code == status, (viewer.name, response.headers.get("Location"))
        if status == 200:
            assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")


def test_the_worker_renders_a_new_certificate_s_pdf_after_the_commit_so_the_download_is_stored(
        synced, client, make_user):
    from elearn import jobs

    pass_quiz(synced, client, make_user())
    queue = jobs.queue(synced)
    waiting = [task for task in queue.pending() if task.name == "render_new_certificates"]
    with synced.app_context():
        certificate_id = db.session().scalars(select(Certificate.id)).one()
        assert db.session().get(CertificatePdf, certificate_id) is None  # queued, not rendered in the request
    assert [task.args for task in waiting] == [([certificate_id],)]
    for task in waiting:
        queue.execute(task)
    with synced.app_context():
        stored = db.session().get(CertificatePdf, certificate_id)
        assert stored is not None and stored.content.startswith(b"%PDF-")
        rendered_at = stored.rendered_at
    download = client.get(f"/certificates/{certificate_id}.pdf")
    assert download.status_code == 200 and download.data == stored.content
    with synced.app_context():
        assert db.session().get(CertificatePdf, certificate_id).rendered_at == rendered_at


def test_a_stored_pdf_is_served_with_an_etag_and_rendered_again_only_when_its_key_changes(
        synced, client, make_user, admin):
    holder = make_user()
    certificate = complete(synced, holder)
    sign_in(client, holder)
    path = f"/certificates/{certificate.id}.pdf"
    first = client.get(path)
    etag = first.headers["ETag"]
    assert first.headers["Cache-Control"] == "private, no-cache"
    with synced.app_context():
        rendered_at = db.session().get(CertificatePdf, certificate.id).rendered_at
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    again = client.get(path)
    assert again.data == first.data
    with synced.app_context():
        assert db.session().get(CertificatePdf, certificate.id).rendered_at == rendered_at

    with synced.app_context():  # a different template key, as after a template edit
        db.session().get(CertificatePdf, certificate.id).template_key = "older-template"
        db.session().commit()
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304  # same template, same bytes
    with synced.app_context():
        assert db.session().get(CertificatePdf, certificate.id).rendered_at > rendered_at

    with synced.app_context():
        certificates.revoke(db.session().get(User, admin.id), certificate.id, "誤登録")
    revoked = client.get(path)
    assert revoked.status_code == 200 and revoked.headers["ETag"] != etag


def test_managers_download_their_teams_certificates_as_one_zip(synced, client, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")], name="課長 一郎")
    inside = [make_user(division="P101", name="人事 太郎"), make_user(division="P102", name="髙橋 﨑子")]
    outside = [make_user(division="P201", name="福祉 次郎"), make_user(division="M110", name="市役所 三郎")]
    issued = {person.name: complete(synced, person) for person in inside + outside}
    with synced.app_context():  # a revoked certificate is not handed out
        certificates.revoke(db.session().get(User, manager.id), issued["人事 太郎"].id, "誤登録")
    sign_in(client, manager)
    team_page = client.get("/team/").get_data(as_text=True)
    assert 'href="/team/certificates/"' in team_page  # the link that decides: the ZIP, or a preparation page
    response = client.get("/team/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "filename*=UTF-8''%E4%BF%AE%E4%BA%86%E8%A8%BC%E6%9B%B8.zip" in response.headers["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = archive.namelist()
    assert len(names) == 1
    assert "髙橋 﨑子" in names[0] and issued["髙橋 﨑子"].serial in names[0]
    assert archive.read(names[0]).startswith(b"%PDF-")
    other_year = client.get(f"/team/certificates.zip?fiscal_year={completion_fiscal_year(utcnow()) - 3}")
    assert other_year.status_code == 302


def test_staff_names_in_the_team_zip_are_made_safe(synced, client, make_user):
    manager = make_user(division="P101", permissions=[(Permission.MANAGER, "P100")])
    hostile = {
        "../../../etc/cron.d/evil": "_._._etc_cron.d_evil",
        "..\\..\\Windows\\win.ini": "_._Windows_win.ini",
        "CON": "_CON",
        "改行\r\n入り\x1b": "改行 入り",  # PostgreSQL stores no NUL; tests/unit/test_archive_names.py has it
        "髙橋　﨑子": "髙橋　﨑子",  # Japanese kept, full-width space too
    }
    issued = {name: complete(synced, make_user(division="P102", name=name)) for name in hostile}
    sign_in(client, manager)
    response = client.get("/team/certificates.zip")
    assert response.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    assert len(names) == len(hostile)
    for name in names:
        folder, _, file_name = name.partition("/")
        assert folder == fiscal_year_label(completion_fiscal_year(utcnow())) and file_name.endswith(".pdf")
        assert "/" not in file_name and "\\" not in name and ".." not in name
        assert not any(ord(character) < 32 for character in name)
    for name, safe in hostile.items():
        with synced.app_context():
            staff_number = db.session().get(User, issued[name].user_id).staff_number
        expected = f"{fiscal_year_label(issued[name].fiscal_year)}/{staff_number}_{safe}_{issued[name].serial}.pdf"
        assert expected in names, (name, names)


def test_an_administrator_downloads_the_team_zip_of_every_body_the_team_page_shows(
        synced, client, make_user, admin):
    prefecture = complete(synced, make_user(division="P101", name="県 職員"))
    city = complete(synced, make_user(division="M110", name="市 職員"))
    assert prefecture.serial == city.serial  # serials count per body: the same in both
    sign_in(client, admin)
    team_page = client.get("/team/").get_data(as_text=True)
    assert 'href="/team/certificates/"' in team_page and "市 職員" in team_page
    response = client.get("/team/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.data)).namelist()
    year = fiscal_year_label(prefecture.fiscal_year)
    assert sorted(name.rsplit("_", 1)[0].split("/")[:2] for name in names) == [["M100", year], ["P000", year]]
    assert len(set(names)) == 2 and any("市 職員" in name for name in names)
    assert client.get(f"/team/certificates.zip?fiscal_year={prefecture.fiscal_year}").status_code == 200


def test_learners_cannot_download_team_zips(synced, client, make_user):
    complete(synced, make_user())
    sign_in(client, make_user())
    assert client.get("/team/certificates.zip").status_code == 403


# --- verification --------------------------------------------------------------------------------------------


def test_verification_of_a_valid_certificate_needs_no_sign_in(synced, client, make_user):
    certificate = complete(synced, make_user(name="髙﨑 花子"))
    code = certificate.verification_code
    page = client.get(f"/verify/{code}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "有効" in html and "髙﨑 花子" in html and "テスト用コース" in html and certificate.serial in html
    typed = "-".join(code[i:i + 4] for i in range(0, 24, 4)).lower()
    assert client.get(f"/verify/{typed}").status_code == 200
    assert client.get(f"/verify/?code={typed}").headers["Location"].endswith(f"/verify/{code}")


def test_verification_of_an_unknown_code(synced, client):
    page = client.get("/verify/AAAABBBBCCCCDDDDEEEEFFFF")
    assert page.status_code == 404
    assert "見つかりません" in page.get_data(as_text=True) or "ありません" in page.get_data(as_text=True)


def test_verification_of_a_revoked_certificate_shows_the_date(synced, client, make_user, admin):
    certificate = complete(synced, make_user(name="取消 太郎"))
    sign_in(client, admin)
    response = client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "受講記録の誤り"})
    assert response.status_code == 302
    html = client.get(f"/verify/{certificate.verification_code}").get_data(as_text=True)
    today = utcnow().astimezone(TOKYO).date()
    assert "失効" in html and f"{today.month}月{today.day}日" in html and "取消 太郎" in html
    revoked = stored(synced, certificate.id)
    assert revoked.state is CertificateState.REVOKED and revoked.revoked_reason == "受講記録の誤り"


def test_a_revocation_needs_a_reason(synced, client, make_user, admin):
    certificate = complete(synced, make_user())
    sign_in(client, admin)
    assert client.post(f"/admin/certificates/{certificate.id}/revoke", data={"reason": "  "}).status_code == 400
    assert stored(synced, certificate.id).state is CertificateState.VALID


def test_reissue_after_a_change_of_name_supersedes_the_old_certificate(synced, client, make_user, admin):
    holder = make_user(name="旧姓 花子")
    old = complete(synced, holder)
    with synced.app_context(), db.write_session() as session:
        session.get(User, holder.id).name = "新姓 花子"
    sign_in(client, admin)
    detail = client.get(f"/admin/certificates/{old.id}").get_data(as_text=True)
    assert "新姓 花子" in detail  # the admin sees that the name changed
    response = client.post(f"/admin/certificates/{old.id}/reissue")
    new_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
    new, old = stored(synced, new_id), stored(synced, old.id)
    assert new.holder_name == "新姓 花子" and new.completion_id == old.completion_id
    assert new.completed_on == old.completed_on and new.serial != old.serial
    assert old.state is CertificateState.SUPERSEDED and old.superseded_by_id == new.id
    old_page = client.get(f"/verify/{old.verification_code}").get_data(as_text=True)
    assert "再発行" in old_page and new.serial in old_page
    assert "有効" in client.get(f"/verify/{new.verification_code}").get_data(as_text=True)
    assert client.post(f"/admin/certificates/{old.id}/reissue").status_code == 302  # refused, said so
    with synced.app_context():
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 2
        assert trainees_by_sql(new.completed_on, [Tier.DIGITAL_LEADER]) == 1


def test_verification_is_throttled(synced, make_app, make_user):
    throttled = make_app(VERIFY_LIMIT="3 per minute")
    client = throttled.test_client()
    statuses = [client.get("/verify/AAAABBBBCCCCDDDDEEEEFFFF").status_code for _ in range(4)]
    assert statuses == [404, 404, 404, 429]


# --- counting ------------------------------------------------------------------------------------------------


def test_a_revoked_certificate_stops_counting_from_its_revocation_day(synced, make_user, admin):
    people = [make_user() for _ in range(3)]
    completed_at = datetime(2025, 6, 2, 1, 0, tzinfo=UTC)
    issued = [complete(synced, person, when=completed_at) for person in people]
    with synced.app_context(), db.write_session() as session:  # revoked on 2025-10-01 (Japan)
        revoked = session.get(Certificate, issued[0].id)
        revoked.revoked_at = datetime(2025, 9, 30, 16, 0, tzinfo=UTC)
        revoked.revoked_on = date(2025, 10, 1)
        revoked.revoked_reason = "誤登録"
    tiers = [Tier.DIGITAL_LEADER]
    with synced.app_context():
        facts = [Fact(c.user_id, c.tier, c.completed_on, c.revoked_on, c.superseded_at is not None)
                 for c in db.session().scalars(select(Certificate))]
        for as_of, expected in [(date(2025, 6, 1), 0), (date(2025, 6, 2), 3), (date(2025, 9, 30), 3),
                                (date(2025, 10, 1), 2), (date(2026, 3, 31), 2)]:
            assert trainees_by_sql(as_of, tiers) == expected, as_of
            assert count(facts, replace(DEFAULT_RULE, tiers=frozenset(tiers)), as_of) == expected, as_of
        assert trainees_by_sql(date(2025, 9, 30), [Tier.DX_MANAGER]) == 0


# --- admin pages ---------------------------------------------------------------------------------------------


def test_admin_list_counts_and_offers_the_years_certificates_were_issued_in(synced, client, make_user, admin):
    issued = [complete(synced, make_user(name=f"年度 {n}"), when=utcnow() - timedelta(days=days))
              for n, days in enumerate((0, 0, 800, 800, 800))]
    with synced.app_context():
        certificates.revoke(db.session().get(User, admin.id), issued[2].id, "誤登録")
    years = sorted({c.fiscal_year for c in issued})
    assert len(years) == 2 and years[1] - years[0] >= 2  # a year with none between them
    sign_in(client, admin)
    page = client.get("/admin/certificates/").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d{4})"', page.split('name="fiscal_year"', 1)[1].split("</select>", 1)[0])
    assert offered == [str(year) for year in reversed(years)]
    assert "<p>5件</p>" in page
    assert "<p>3件</p>" in client.get(f"/admin/certificates/?fiscal_year={years[0]}").get_data(as_text=True)
    valid = client.get(f"/admin/certificates/?fiscal_year={years[0]}&state=valid").get_data(as_text=True)
    assert "<p>2件</p>" in valid
    assert "<p>1件</p>" in client.get("/admin/certificates/?state=revoked").get_data(as_text=True)
    assert "<p>1件</p>" in client.get("/admin/certificates/?q=年度 3").get_data(as_text=True)  # the count reads names


def test_admin_finds_certificates_by_name_serial_year_and_state(synced, client, make_user, admin):
    a = complete(synced, make_user(name="検索 一子"))
    b = complete(synced, make_user(name="検索 二子"), when=utcnow() - timedelta(days=400))
    with synced.app_context():
        certificates.revoke(db.session().get(User, admin.id), b.id, "誤登録")
    sign_in(client, admin)
    assert "検索 一子" in client.get("/admin/certificates/?q=一子").get_data(as_text=True)
    by_serial = client.get(f"/admin/certificates/?q={a.serial}").get_data(as_text=True)
    assert "検索 一子" in by_serial
    revoked = client.get("/admin/certificates/?state=revoked").get_data(as_text=True)
    assert "検索 二子" in revoked and "検索 一子" not in revoked
    this_year = client.get(f"/admin/certificates/?fiscal_year={a.fiscal_year}").get_data(as_text=True)
    assert "検索 一子" in this_year and "検索 二子" not in this_year
    learner_client = synced.test_client()
    sign_in(learner_client, make_user())
    assert learner_client.get("/admin/certificates/").status_code == 403
    assert learner_client.get(f"/admin/certificates/{a.id}").status_code == 403
    assert learner_client.post(f"/admin/certificates/{a.id}/revoke", data={"reason": "x"}).status_code == 403


def test_a_search_pages_its_findings_newest_first_and_a_page_past_the_end_shows_the_last(
        synced, make_user, admin, monkeypatch):
    monkeypatch.setattr(certificates, "PAGE_SIZE", 2)
    found = [complete(synced, make_user(name=f"頁送 {n}"), when=utcnow() - timedelta(days=10 - n)) for n in range(5)]
    complete(synced, make_user(name="別人 一郎"))
    newest_first = [c.serial for c in reversed(found)]
    with synced.app_context():
        viewer = visibility.viewer_of(db.session().get(User, admin.id))
        pages = [certificates.search(viewer, "頁送", page=n) for n in (1, 2, 3)]
        assert [[c.serial for c in p.certificates] for p in pages] == [newest_first[:2], newest_first[2:4],
                                                                       newest_first[4:]]
        assert {(p.total, p.pages) for p in pages} == {(5, 3)}
        past_the_end = certificates.search(viewer, "頁送", page=9)
        assert (past_the_end.page, [c.serial for c in past_the_end.certificates]) == (3, newest_first[4:])
        nothing = certificates.search(viewer, "頁送 9", page=2)
        assert (nothing.page, nothing.pages, nothing.total, nothing.certificates) == (1, 1, 0, [])
        # What is typed is looked for as it is: % and _ are no wildcards.
        assert certificates.search(viewer, "%").total == 0 and certificates.search(viewer, "頁送_1").total == 0
        assert certificates.search(viewer, "頁送 1").total == 1
        assert certificates.search(viewer, "頁送\u3000１").total == 0  # a full-width digit is another character
        assert certificates.search(viewer, "\u3000頁送\u30001 ").total == 1  # names are typed with either space
        assert certificates.search(viewer, found[0].serial.lower()).total == 1  # a serial in any case
        staff_number = db.session().get(User, found[2].user_id).staff_number
        assert [c.id for c in certificates.search(viewer, staff_number).certificates] == [found[2].id]
        assert certificates.search(viewer, renamed=True, state=CertificateState.REVOKED).total == 0


# --- seal uploads --------------------------------------------------------------------------------------------


@pytest.fixture
def png_seal() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGBA", (200, 200), (200, 30, 30, 255)).save(out, format="PNG")
    return out.getvalue()


def test_a_seal_upload_is_re_encoded_without_metadata(synced, client, admin):
    from PIL import Image

    image = Image.new("RGB", (300, 200), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: shown upright after exif_transpose
    exif[0x010E] = "secret description"
    upload = io.BytesIO()
    image.save(upload, format="JPEG", exif=exif.tobytes())
    sign_in(client, admin)
    response = client.post("/admin/issuers/P000", data={"title": "みどり県知事", "name": "",
                                                          "seal": (io.BytesIO(upload.getvalue()), "seal.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    seal = client.get("/admin/issuers/P000/seal.png")
    assert seal.mimetype == "image/png"
    saved = Image.open(io.BytesIO(seal.data))
    assert saved.format == "PNG" and saved.size == (200, 300)
    assert b"secret description" not in seal.data and not saved.getexif()


def _truncated_png(png: bytes) -> bytes:
    return png[: len(png) // 2]


@pytest.mark.parametrize("filename, payload, message", [
    ("seal.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "PNG、JPEG"),
    ("seal.png", b"<html><body>not an image</body></html>", "PNG、JPEG"),
    ("seal.png", b"#!/bin/sh\nrm -rf /\n", "PNG、JPEG"),
    ("seal.png", "truncated", "壊れて"),
    ("seal.png", "bomb", "大きすぎ"),
    ("seal.svg", b"<svg/>", "PNG、JPEG"),
])
def test_bad_seal_uploads_are_refused_and_nothing_is_stored(synced, client, admin, png_seal, filename,
                                                            payload, message):
    if payload == "truncated":
        payload = _truncated_png(png_seal)
    elif payload == "bomb":
        from PIL import Image

        out = io.BytesIO()
        Image.new("1", (6000, 6000)).save(out, format="PNG")  # tiny file, 36 million pixels
        payload = out.getvalue()
    sign_in(client, admin)
    response = client.post("/admin/issuers/P000", data={"title": "みどり県知事", "name": "",
                                                          "seal": (io.BytesIO(payload), filename)},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    with synced.app_context():
        from elearn.models import CertificateIssuer, CertificateSeal

        assert db.session().scalar(select(func.count()).select_from(CertificateSeal)) == 0
        assert db.session().scalar(select(func.count()).select_from(CertificateIssuer)) == 0


# --- command line --------------------------------------------------------------------------------------------


def test_cli_lists_renders_and_writes_certificates(synced, make_user, tmp_path):
    holder = make_user(name="髙﨑 花子")
    certificate = complete(synced, holder)
    complete(synced, make_user(), when=utcnow() - timedelta(days=800))
    runner = synced.test_cli_runner()
    year_label = fiscal_year_label(certificate.fiscal_year)

    listed = runner.invoke(args=["certificates", "list", "--fiscal-year", year_label])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].split("\t") == [certificate.serial, "P000", "髙﨑 花子", "テスト用コース",
                                    certificate.completed_on.isoformat(), "valid"]
    assert len(runner.invoke(args=["certificates", "list"]).output.strip().splitlines()) == 2

    rendered = runner.invoke(args=["certificates", "render"])
    assert rendered.exit_code == 0 and "rendered: 2" in rendered.output
    assert "rendered: 0" in runner.invoke(args=["certificates", "render"]).output

    target = tmp_path / "one.pdf"
    written = runner.invoke(args=["certificates", "pdf", certificate.serial.lower(), "-o", str(target)])
    assert written.exit_code == 0, written.output
    assert target.read_bytes().startswith(b"%PDF-")
    missing = runner.invoke(args=["certificates", "pdf", "R1-L-999999", "-o", str(tmp_path / "x.pdf")])
    assert missing.exit_code != 0 and "no certificate" in missing.output
    assert runner.invoke(args=["certificates", "list", "--fiscal-year", "soon"]).exit_code != 0


def test_cli_render_issues_certificates_missing_for_older_completions(synced, make_user):
    holder = make_user()
    already = complete(synced, make_user())  # has its certificate: not issued again
    with synced.app_context(), db.write_session() as session:
        version = session.scalar(select(CourseVersion))
        now = utcnow()
        session.add(Completion(user_id=holder.id, course_id=version.course_id, course_version_id=version.id,
                               completed_at=now, fiscal_year=completion_fiscal_year(now), body_id=holder.body_id,
                               division_id=holder.division_id))
    result = synced.test_cli_runner().invoke(args=["certificates", "render"])
    assert "issued: 1" in result.output and "rendered: 2" in result.output
    with synced.app_context():
        holders = db.session().execute(select(Certificate.user_id, func.count()).group_by(Certificate.user_id)).all()
    assert sorted(holders) == sorted([(holder.id, 1), (already.user_id, 1)])


def test_admin_finds_certificates_whose_holder_was_renamed_and_sees_them_on_the_staff_page(
        synced, client, make_user, admin):
    renamed, unchanged = make_user(name="旧姓 一子"), make_user(name="同姓 二子")
    first = complete(synced, renamed)
    complete(synced, unchanged)
    with synced.app_context(), db.write_session() as session:
        session.get(User, renamed.id).name = "新姓 一子"
    sign_in(client, admin)
    listed = client.get("/admin/certificates/?renamed=1").get_data(as_text=True)
    assert "旧姓 一子" in listed and "新姓 一子" in listed and "同姓 二子" not in listed
    assert first.serial in client.get(f"/admin/staff/{renamed.id}").get_data(as_text=True)


def test_behind_a_trusted_proxy_each_client_address_has_its_own_verification_limit(synced, make_app):
    proxied = make_app(VERIFY_LIMIT="2 per minute", PROXY_COUNT=1).test_client()
    path = "/verify/AAAABBBBCCCCDDDDEEEEFFFF"
    first = [proxied.get(path, headers={"X-Forwarded-For": "10.0.0.1"}).status_code for _ in range(3)]
    other = proxied.get(path, headers={"X-Forwarded-For": "10.0.0.2"}).status_code
    assert (first, other) == ([404, 404, 429], 404)
    direct = make_app(VERIFY_LIMIT="2 per minute").test_client()  # no proxy: the header is not believed
    spoofed = [direct.get(path, headers={"X-Forwarded-For": f"10.0.1.{n}"}).status_code for n in range(3)]
    assert spoofed == [404, 404, 429]


def test_a_304_is_answered_from_the_etag_without_reading_the_stored_pdf(synced, client, make_user):
    from sqlalchemy import event

    holder = make_user()
    certificate = complete(synced, holder)
    sign_in(client, holder)
    path = f"/certificates/{certificate.id}.pdf"
    etag = client.get(path).headers["ETag"]
    engine = synced.extensions["elearn.engine"]

    def pdf_reads(headers: dict) -> tuple[int, list[str]]:
        statements: list[str] = []

        def record(conn, cursor, statement, *args):  # type: ignore[no-untyped-def]
            statements.append(" ".join(statement.split()))

        event.listen(engine, "before_cursor_execute", record)
        try:
            status = client.get(path, headers=headers).status_code
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return status, [statement for statement in statements if "certificate_pdfs.content" in statement]

    assert pdf_reads({"If-None-Match": etag}) == (304, [])
    status, reads = pdf_reads({})
    assert status == 200 and len(reads) == 1  # the check sees a read when there is one
