"""Workshop assignments: the learner submits a worksheet, a manager or the training office accepts it or
returns it with a comment, and only then does the course complete."""

from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from PIL import Image
from sqlalchemy import func, select
from support import SAMPLE_CONTENT, answer_form, csrf_token_from, sign_in

from elearn import db
from elearn.domain.people import Permission
from elearn.models import Certificate, Completion, Course, Notice, QuizAttempt, WorkshopSubmission

COURSE = "/courses/sample-course"
WORKSHOP = f"{COURSE}/workshop"
INSTRUCTIONS = """---
title: 業務棚卸表をつくる
minutes: 30
template: workshop/sheet.xlsx
---
## 進め方
1. 係の業務を書き出します。

## 確認の観点
- 件数と時間が書かれているか
"""


def xlsx_bytes(macro: bool = False) -> bytes:
    book = Workbook()
    book.active["A1"] = "業務名"
    out = io.BytesIO()
    book.save(out)
    if not macro:
        return out.getvalue()
    with zipfile.ZipFile(out, "a") as package:
        package.writestr("xl/vbaProject.bin", b"macro")
    return out.getvalue()


@pytest.fixture(scope="module")
def workshop_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("workshop-content") / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    course = root / "courses" / "sample-course"
    (course / "workshop").mkdir()
    (course / "workshop" / "sheet.xlsx").write_bytes(xlsx_bytes())
    (course / "workshop.md").write_text(INSTRUCTIONS, encoding="utf-8")
    text = (course / "course.md").read_text(encoding="utf-8")
    (course / "course.md").write_text(text.replace("estimated_minutes: 20", "estimated_minutes: 60"),
                                      encoding="utf-8")
    return root


@pytest.fixture
def app(make_app, workshop_root):
    app = make_app(CONTENT_ROOT=str(workshop_root))
    assert app.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    return app


@pytest.fixture
def people(app, make_user):
    return {
        "learner": make_user(division="P101", name="受講 花子"),
        "manager": make_user(division="P101", permissions=[(Permission.MANAGER, "P100")], name="部長 太郎"),
        "office": make_user(division="P102", permissions=[(Permission.ORGANISER, "P000")], name="研修 担当"),
        "other_manager": make_user(division="P201", permissions=[(Permission.MANAGER, "P200")]),
        "colleague": make_user(division="P101"),
        "city_office": make_user(division="M110", permissions=[(Permission.ORGANISER, "M100")]),
    }


def as_(app, person, body: str = "P000"):
    client = app.test_client()
    sign_in(client, person, body=body)
    return client


def pass_the_quiz(app, client) -> None:
    for lesson in ("01-first", "02-second"):
        client.post(f"{COURSE}/{lesson}/read")
    started = client.post(f"{COURSE}/quiz/start")
    attempt_id = int(re.search(r"/quiz/attempts/(\d+)$", started.headers["Location"]).group(1))
    with app.app_context():
        attempt = db.session().get(QuizAttempt, attempt_id)
        questions, sequence = attempt.questions, attempt.sequence
    client.post(f"/quiz/attempts/{attempt_id}", data={**answer_form(questions), "sequence": sequence,
                                                      "action": "submit"})


def submissions(app) -> list[WorkshopSubmission]:
    with app.app_context():
        return list(db.session().scalars(select(WorkshopSubmission).order_by(WorkshopSubmission.round)))


def completions(app) -> int:
    with app.app_context():
        return db.session().scalar(select(func.count()).select_from(Completion))


def notices_of(app, person) -> list[str]:
    with app.app_context():
        return [n.kind.value for n in db.session().scalars(select(Notice).where(Notice.user_id == person.id))]


def test_a_passed_quiz_waits_for_the_workshop_and_acceptance_completes_the_course(app, people):
    learner = as_(app, people["learner"])
    pass_the_quiz(app, learner)
    assert completions(app) == 0
    course_page = learner.get(f"{COURSE}/").get_data(as_text=True)
    assert "業務棚卸表をつくる" in course_page and "未提出" in course_page
    assert "ワークショップ課題が承認されると修了" in course_page

    page = learner.get(WORKSHOP).get_data(as_text=True)
    assert "係の業務を書き出します" in page and "/learn/assets/sample-course/workshop/sheet.xlsx" in page
    sent = learner.post(WORKSHOP, data={"text": "業務名: 窓口受付\n件数: 月120件"})
    assert sent.status_code == 302
    assert [(s.round, s.status.value) for s in submissions(app)] == [(1, "submitted")]
    assert "workshop_submitted" in notices_of(app, people["manager"])
    assert "workshop_submitted" in notices_of(app, people["office"])
    assert notices_of(app, people["other_manager"]) == [] and notices_of(app, people["colleague"]) == []

    manager = as_(app, people["manager"])
    queue = manager.get("/reviews/").get_data(as_text=True)
    assert "受講 花子" in queue and "テスト用コース" in queue
    submission = submissions(app)[0]
    review = manager.get(f"/reviews/{submission.id}").get_data(as_text=True)
    assert "月120件" in review and "件数と時間が書かれているか" in review
    accepted = manager.post(f"/reviews/{submission.id}", data={"revision": "1", "decision": "accept",
                                                               "comment": "よくできています"})
    assert accepted.status_code == 302
    assert completions(app) == 1
    with app.app_context():
        assert db.session().scalar(select(func.count()).select_from(Certificate)) == 1
    assert {"workshop_reviewed", "certificate_issued"} <= set(notices_of(app, people["learner"]))
    assert "よくできています" in learner.get(WORKSHOP).get_data(as_text=True)
    assert learner.post(WORKSHOP, data={"text": "もう一度"}).status_code == 400  # accepted: final


def test_accepting_before_the_quiz_is_passed_completes_when_the_quiz_is_passed(app, people):
    learner = as_(app, people["learner"])
    learner.post(WORKSHOP, data={"text": "先に提出します"})
    manager = as_(app, people["manager"])
    manager.post(f"/reviews/{submissions(app)[0].id}", data={"revision": "1", "decision": "accept", "comment": ""})
    assert completions(app) == 0  # lessons and quiz still to do
    pass_the_quiz(app, learner)
    assert completions(app) == 1


def test_a_return_needs_a_comment_and_the_revision_is_a_new_round(app, people):
    learner = as_(app, people["learner"])
    pass_the_quiz(app, learner)
    learner.post(WORKSHOP, data={"text": "一回目"})
    office = as_(app, people["office"])
    first = submissions(app)[0]
    refused = office.post(f"/reviews/{first.id}", data={"revision": "1", "decision": "return", "comment": " "})
    assert refused.status_code == 400 and "差し戻すときは" in refused.get_data(as_text=True)
    office.post(f"/reviews/{first.id}", data={"revision": "1", "decision": "return",
                                              "comment": "件数を書いてください"})
    page = learner.get(WORKSHOP).get_data(as_text=True)
    assert "差し戻し" in page and "件数を書いてください" in page
    learner.post(WORKSHOP, data={"text": "二回目: 月120件",
                                 "file": (io.BytesIO(xlsx_bytes()), "棚卸表.xlsx")},
                 content_type="multipart/form-data")
    rounds = submissions(app)
    assert [(s.round, s.status.value) for s in rounds] == [(1, "returned"), (2, "submitted")]
    assert rounds[1].filename == "棚卸表.xlsx" and rounds[0].text == "一回目"
    assert completions(app) == 0
    office.post(f"/reviews/{rounds[1].id}", data={"revision": "1", "decision": "accept", "comment": ""})
    assert completions(app) == 1


def test_a_review_of_a_replaced_submission_is_refused_and_shows_the_new_text(app, people):
    learner = as_(app, people["learner"])
    learner.post(WORKSHOP, data={"text": "古い版"})
    learner.post(WORKSHOP, data={"text": "新しい版"})  # nobody reviewed it yet: replaced in place
    [only] = submissions(app)
    assert only.revision == 2 and only.text == "新しい版"
    manager = as_(app, people["manager"])
    stale = manager.post(f"/reviews/{only.id}", data={"revision": "1", "decision": "accept", "comment": ""})
    assert stale.status_code == 409 and "新しい版" in stale.get_data(as_text=True)
    assert submissions(app)[0].status.value == "submitted"


@pytest.mark.parametrize("name, data, message", [
    ("sheet.pdf", b"<html><script>alert(1)</script></html>", "拡張子どおりの形式として読み取れません"),
    ("sheet.xlsx", xlsx_bytes(macro=True), "マクロ"),
    ("sheet.exe", b"MZ", "PDF、XLSX、DOCX、PPTX、PNG、JPEG"),
    ("photo.png", b"\x89PNG\r\n\x1a\nnot really", "画像"),
])
def test_a_bad_file_is_refused_with_a_reason_and_nothing_is_stored(app, people, name, data, message):
    learner = as_(app, people["learner"])
    response = learner.post(WORKSHOP, data={"text": "", "file": (io.BytesIO(data), name)},
                            content_type="multipart/form-data")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert submissions(app) == []


def test_an_empty_submission_is_refused(app, people):
    response = as_(app, people["learner"]).post(WORKSHOP, data={"text": "   "})
    assert response.status_code == 400 and "入力するか、ファイルを添付" in response.get_data(as_text=True)
    assert submissions(app) == []


def test_a_photo_is_stored_re_encoded_without_its_metadata(app, people):
    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "SecretCamera"
    raw = io.BytesIO()
    image.save(raw, "JPEG", exif=exif)
    learner = as_(app, people["learner"])
    learner.post(WORKSHOP, data={"text": "", "file": (io.BytesIO(raw.getvalue()), "sheet.jpg")},
                 content_type="multipart/form-data")
    [stored] = submissions(app)
    download = learner.get(f"/workshop-files/{stored.id}")
    assert download.status_code == 200 and download.mimetype == "image/jpeg"
    assert b"SecretCamera" not in download.data and download.data != raw.getvalue()
    assert download.headers["X-Content-Type-Options"] == "nosniff"


def test_only_the_author_and_their_reviewers_see_a_submission(app, people):
    learner = as_(app, people["learner"])
    learner.post(WORKSHOP, data={"text": "秘密ではないが本人の課題", "file": (io.BytesIO(xlsx_bytes()), "a.xlsx")},
                 content_type="multipart/form-data")
    [submission] = submissions(app)
    for who in ("manager", "office"):
        client = as_(app, people[who])
        assert client.get(f"/reviews/{submission.id}").status_code == 200
        assert client.get(f"/workshop-files/{submission.id}").status_code == 200
    for who, body in (("other_manager", "P000"), ("city_office", "M100")):
        client = as_(app, people[who], body)
        assert "本人の課題" not in client.get("/reviews/?show=all").get_data(as_text=True)
        assert client.get(f"/reviews/{submission.id}").status_code == 404
        assert client.get(f"/workshop-files/{submission.id}").status_code == 404
        assert client.post(f"/reviews/{submission.id}", data={"revision": "1", "decision": "accept"}).status_code == 404
    colleague = as_(app, people["colleague"])
    assert colleague.get("/reviews/").status_code == 403
    assert colleague.get(f"/workshop-files/{submission.id}").status_code == 404
    assert learner.get("/reviews/").status_code == 403
    assert learner.get(f"/workshop-files/{submission.id}").status_code == 200
    assert submissions(app)[0].status.value == "submitted"


def test_a_manager_does_not_review_their_own_workshop(app, people):
    manager = as_(app, people["manager"])
    manager.post(WORKSHOP, data={"text": "所属長自身の課題"})
    [own] = submissions(app)
    assert "所属長自身の課題" not in manager.get("/reviews/").get_data(as_text=True)
    assert manager.get(f"/reviews/{own.id}").status_code == 404
    assert manager.get(f"/workshop-files/{own.id}").status_code == 404  # no file, but also not a reviewer's
    assert "workshop_submitted" not in notices_of(app, people["manager"])
    assert as_(app, people["office"]).get(f"/reviews/{own.id}").status_code == 200


def test_the_navigation_counts_what_waits(app, people):
    as_(app, people["learner"]).post(WORKSHOP, data={"text": "待っています"})
    page = as_(app, people["manager"]).get("/reviews/").get_data(as_text=True)
    assert re.search(r'ワークショップ課題の確認 <span class="nav-count">1</span>', page)


def test_a_course_without_a_workshop_has_no_workshop_page(make_app, people):
    plain = make_app(CONTENT_ROOT=str(SAMPLE_CONTENT))  # this module's `app` has the workshop
    assert plain.test_cli_runner().invoke(args=["content", "sync"]).exit_code == 0
    client = as_(plain, people["learner"])
    assert client.get(WORKSHOP).status_code == 404
    assert "ワークショップ" not in client.get(f"{COURSE}/").get_data(as_text=True)


def test_submitting_and_reviewing_need_the_csrf_token(make_app, workshop_root, people):
    app = make_app(CONTENT_ROOT=str(workshop_root), WTF_CSRF_ENABLED=True)
    client = app.test_client()
    sign_in(client, people["learner"], csrf_token=csrf_token_from(client.get("/sign-in").get_data(as_text=True)))
    assert client.post(WORKSHOP, data={"text": "トークンなし"}).status_code == 400
    assert submissions(app) == []
    token = csrf_token_from(client.get(WORKSHOP).get_data(as_text=True))
    assert client.post(WORKSHOP, data={"text": "トークンあり", "csrf_token": token}).status_code == 302
    reviewer = app.test_client()
    sign_in(reviewer, people["manager"], csrf_token=csrf_token_from(reviewer.get("/sign-in").get_data(as_text=True)))
    [submission] = submissions(app)
    assert reviewer.post(f"/reviews/{submission.id}", data={"revision": "1", "decision": "accept"}).status_code == 400
    assert submissions(app)[0].status.value == "submitted"


def test_the_template_downloads_as_an_attachment_of_its_type(app, people):
    with as_(app, people["learner"]).get("/learn/assets/sample-course/workshop/sheet.xlsx") as response:
        assert response.status_code == 200 and response.data.startswith(b"PK")
        assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert response.headers["Content-Disposition"].startswith("attachment")


def test_a_revision_starts_from_the_last_text_and_keeps_the_file_unless_another_is_chosen(app, people):
    learner = as_(app, people["learner"])
    learner.post(WORKSHOP, data={"text": "一回目の本文", "file": (io.BytesIO(xlsx_bytes()), "棚卸表.xlsx")},
                 content_type="multipart/form-data")
    learner.post(WORKSHOP, data={"text": "差し替えた本文"})  # nobody reviewed it: replaced, the file stays
    [pending] = submissions(app)
    assert (pending.text, pending.filename, pending.revision) == ("差し替えた本文", "棚卸表.xlsx", 2)
    as_(app, people["manager"]).post(f"/reviews/{pending.id}", data={"revision": "2", "decision": "return",
                                                                     "comment": "時間も書いてください"})
    page = learner.get(WORKSHOP).get_data(as_text=True)
    assert re.search(r"<textarea[^>]*>\s*差し替えた本文</textarea>", page)
    assert "前回添付したファイル：棚卸表.xlsx" in page
    learner.post(WORKSHOP, data={"text": "時間を足しました"})
    first, second = submissions(app)
    assert (second.round, second.filename, second.etag) == (2, "棚卸表.xlsx", first.etag)
    assert learner.get(f"/workshop-files/{second.id}").data.startswith(b"PK")


def test_the_same_first_round_sent_from_two_windows_at_once_is_stored_once(app, people):
    from support import run_at_once

    from elearn.models import User
    from elearn.services import workshops
    from elearn.services.workshops import SubmissionRefused

    with app.app_context():
        course_id = db.session().scalar(select(Course.id).where(Course.slug == "sample-course"))

    def send() -> str:
        author = db.session().get(User, people["learner"].id)
        try:
            workshops.submit(author, course_id, "二つの窓から", None)
        except SubmissionRefused as refused:
            return refused.args[0]
        return "stored"

    outcomes = run_at_once(app, 2, send)
    assert set(outcomes) <= {"stored", "sent_twice"} and "stored" in outcomes
    assert [(s.round, s.text) for s in submissions(app)] == [(1, "二つの窓から")]
