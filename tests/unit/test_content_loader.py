"""Loading courses/ and quizzes/: what a valid tree gives, and how each broken rule is reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from elearn.content.loader import ContentInvalid, load_content
from elearn.domain.people import Tier
from elearn.domain.quiz import LateSubmission, QuestionKind, Scoring, ShowAnswers

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "content"
PROJECT = Path(__file__).resolve().parents[2]


@pytest.fixture
def tree_copy(tmp_path: Path) -> Path:
    shutil.copytree(SAMPLE, tmp_path / "content")
    return tmp_path / "content"


def errors_of(root: Path) -> list[str]:
    with pytest.raises(ContentInvalid) as invalid:
        load_content(root)
    return [f"{error.path.name}:{error.line}: {error.message}" for error in invalid.value.errors]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_valid_tree_loads_courses_lessons_and_banks():
    tree = load_content(SAMPLE)
    course = tree.course("sample-course")
    assert course.title == "テスト用コース" and course.version == 2
    assert course.tiers == {Tier.ALL_STAFF, Tier.DIGITAL_LEADER}
    assert course.required_for_grades == {"課長級"}
    assert course.recurrence_years == 1
    assert [lesson.title for lesson in course.lessons] == ["最初の課", "二番目の課"]
    assert course.quiz.late_submission is LateSubmission.REFUSE
    assert course.quiz.show_answers is ShowAnswers.AFTER_LAST_ATTEMPT
    bank = tree.banks["sample-bank"]
    assert [q.kind for q in bank.questions] == list(QuestionKind)
    assert bank.question("multiple-1").scoring is Scoring.PARTIAL
    assert bank.question("order-1").items[0] == "現状を可視化する"


def test_lesson_html_is_sanitised_and_images_point_at_the_course_assets():
    lesson = load_content(SAMPLE).course("sample-course").lessons[0]
    assert "<script>" not in lesson.html
    assert 'src="/learn/assets/sample-course/images/diagram.png"' in lesson.html
    assert "<h2>見出し</h2>" in lesson.html
    second = load_content(SAMPLE).course("sample-course").lessons[1]
    assert 'class="admonition note"' in second.html and "<table>" in second.html


def test_a_yaml_syntax_error_names_the_file_and_line(tree_copy):
    edit(tree_copy / "quizzes/sample-bank.yaml", "    answer: false", "    answer: [false")
    messages = errors_of(tree_copy)
    assert any(m.startswith("sample-bank.yaml:28: YAML:") for m in messages), messages


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("      - text: デジタライゼーション\n", "      - text: デジタライゼーション\n        correct: true\n",
         "sample-bank.yaml:8: a single question needs exactly one correct choice, not 2"),
        ("    explanation: ゼロトラストでは場所で信頼しません。\n", "",
         "sample-bank.yaml:24: 'explanation' is required"),
        ("    kind: true_false", "    kind: essay", "sample-bank.yaml:25: 'kind' must be one of"),
        ("    scoring: partial\n", "", "sample-bank.yaml:14: a multiple question needs 'scoring'"),
        ("  - id: tf-1", "  - id: single-1", "sample-bank.yaml:24: question id 'single-1' is used twice"),
        ("    answers: [RPA, アールピーエー]", "    answers: []", "sample-bank.yaml:32: a short_answer question"),
        ("      - 改善案を試行する\n      - 効果を測定する\n", "",
         "sample-bank.yaml:37: an ordering question needs 3-7 items, not 2"),
        ("    tags: [basics]", "    tag: [basics]", "sample-bank.yaml:6: unknown key 'tag'"),
    ],
)
def test_each_broken_question_rule_is_reported_with_its_line(tree_copy, old, new, expected):
    edit(tree_copy / "quizzes/sample-bank.yaml", old, new)
    messages = errors_of(tree_copy)
    assert any(message.startswith(expected) for message in messages), messages


def test_course_rules_are_reported_with_file_and_line(tree_copy):
    course = tree_copy / "courses/sample-course"
    edit(course / "course.md", "tiers: [all_staff, digital_leader]", "tiers: [all_staff, wizards]")
    edit(course / "course.md", "  questions: 4", "  questions: 9")
    (course / "3-bad-name.md").write_text("---\ntitle: x\nminutes: 1\n---\ntext\n", encoding="utf-8")
    (course / "images/diagram.png").unlink()
    messages = errors_of(tree_copy)
    assert "course.md:6: unknown tier 'wizards' (use dx_manager, dx_specialist, digital_leader, all_staff)" in messages
    assert "course.md:12: the quiz draws 9 questions but the bank has 5" in messages
    assert any(m.startswith("3-bad-name.md:0: a lesson file must be named NN-<name>.md") for m in messages)
    assert "01-first.md:9: image 'images/diagram.png' is not a file in sample-course/" in messages


def test_a_slug_must_match_its_folder_and_front_matter_must_close(tree_copy):
    course = tree_copy / "courses/sample-course"
    edit(course / "course.md", "slug: sample-course", "slug: other-course")
    (course / "02-second.md").write_text("---\ntitle: x\nminutes: 1\n", encoding="utf-8")
    messages = errors_of(tree_copy)
    assert "course.md:2: slug 'other-course' must equal the folder name 'sample-course'" in messages
    assert "02-second.md:1: front matter is not closed by a --- line" in messages


def test_pools_must_be_drawable_from_tagged_questions(tree_copy):
    course = tree_copy / "courses/sample-course/course.md"
    edit(course, "  passing_score: 75", "  passing_score: 75\n  pools: {basics: 2, other: 2}")
    messages = errors_of(tree_copy)
    assert any("pool 'basics' draws 2 but the bank has 1" in m for m in messages)
    assert any("pool 'other' draws 2 but the bank has 0" in m for m in messages)


def test_the_shipped_content_is_valid():
    tree = load_content(PROJECT)
    for course in tree.courses:
        if any(lesson.scorm for lesson in course.lessons):
            # A SCORM course: the package is the course, its own test included.
            assert not course.has_quiz and all(lesson.scorm for lesson in course.lessons), course.slug
            continue
        assert 3 <= len(course.lessons) <= 9, course.slug
        assert len(tree.banks[course.quiz.bank].questions) >= 30, course.slug
    assert sum(1 for course in tree.courses for lesson in course.lessons if lesson.video) >= 1


# One name for each thing across every course and bank (issue 16): the long-vowel katakana of 公用文作成の考え方
# (令和4年), and the IT office as 情報政策担当課. A pattern here is a variant that must not come back.
FORBIDDEN_VARIANTS = {
    r"サーバ(?!ー)": "サーバー", r"フォルダ(?!ー)": "フォルダー", r"ブラウザ(?!ー)": "ブラウザー",
    r"コンピュータ(?!ー)": "コンピューター", r"ユーザ(?!ー)": "ユーザー",
    r"情報担当部門": "情報政策担当課", r"情報政策担当(?![課部])": "情報政策担当課",
}


def test_the_shipped_content_uses_one_set_of_terms():
    import re

    sources = [*sorted((PROJECT / "courses").glob("*/*.md")), *sorted((PROJECT / "quizzes").glob("*.yaml"))]
    found = [f"{path.relative_to(PROJECT)}:{number}: {match[0]!r}, write {wanted}"
             for path in sources
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for pattern, wanted in FORBIDDEN_VARIANTS.items() for match in re.finditer(pattern, line)]
    assert found == []


def test_no_question_is_asked_in_two_banks():
    tree = load_content(PROJECT)
    seen: dict[str, str] = {}
    for bank in tree.banks.values():
        for question in bank.questions:
            text = " ".join(question.text.split())
            assert text not in seen, f"{bank.slug}/{question.id} repeats {seen[text]}"
            seen[text] = f"{bank.slug}/{question.id}"


def test_the_glossary_explains_the_terms_the_issue_names_and_refuses_a_term_twice(tmp_path):
    from elearn.content.glossary import load_glossary
    from elearn.content.source import SourceError

    terms = {term.term.split("（")[0] for term in load_content(PROJECT).glossary}
    assert {"SLA", "RFI", "RFP", "MFA", "SSO", "ECRS", "EBPM", "PMO"} <= terms
    path = tmp_path / "glossary.yaml"
    path.write_text("terms:\n  - {term: SLA, reading: エスエルエー, text: 一つ目}\n"
                    "  - term: SLA\n    reading: エスエルエー\n    text: 二つ目\n", encoding="utf-8")
    errors: list[SourceError] = []
    assert [t.text for t in load_glossary(path, errors)] == ["一つ目"]
    assert [(e.line, e.message) for e in errors] == [(3, "'SLA' is explained twice (first on line 2)")]


def test_a_workshop_is_loaded_with_its_template_and_its_minutes_count_towards_the_estimate(tree_copy):
    import io
    import zipfile

    from openpyxl import Workbook

    course = tree_copy / "courses" / "sample-course"
    (course / "workshop").mkdir()
    book = io.BytesIO()
    Workbook().save(book)
    (course / "workshop" / "sheet.xlsx").write_bytes(book.getvalue())
    (course / "workshop.md").write_text("---\ntitle: 業務棚卸表\nminutes: 30\ntemplate: workshop/sheet.xlsx\n---\n"
                                        "## 進め方\n書き出します。\n", encoding="utf-8")
    assert errors_of(tree_copy) == ["course.md:8: 'estimated_minutes' (20) is less than its lessons and workshop "
                                    "take (42, videos by their real length)"]
    edit(course / "course.md", "estimated_minutes: 20", "estimated_minutes: 45")
    workshop = load_content(tree_copy).course("sample-course").workshop
    assert (workshop.title, workshop.minutes, workshop.template) == ("業務棚卸表", 30, "workshop/sheet.xlsx")
    assert "書き出します" in workshop.html

    with zipfile.ZipFile(course / "workshop" / "sheet.xlsx", "a") as package:
        package.writestr("xl/vbaProject.bin", b"macro")
    edit(course / "workshop.md", "title: 業務棚卸表\n", "")
    assert errors_of(tree_copy) == [
        "workshop.md:2: 'title' is required",
        "workshop.md:3: template 'workshop/sheet.xlsx' is refused: macros (macros, damage and size are checked as "
        "for uploads)"]
    edit(course / "workshop.md", "template: workshop/sheet.xlsx", "template: ../../quizzes/sample-bank.yaml")
    assert "template '../../quizzes/sample-bank.yaml' is not a file in sample-course/" in errors_of(tree_copy)[1]
