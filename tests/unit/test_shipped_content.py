"""What a training office adopting the shipped courses relies on, checked mechanically: honest minutes, banks
large enough not to memorise, sources dated, hard words read. (Terms and repeated questions:
test_content_loader.py.)"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest

from elearn.content import reading_time
from elearn.content.loader import ContentInvalid, load_content
from elearn.content.model import ContentTree

PROJECT = Path(__file__).resolve().parents[2]
MINIMUM_BANK = 30
# Akita's tier 4: the basic course for all staff takes one to two hours.
ALL_STAFF_BASIC_COURSE = ("dx-basics", 60, 120)
# A quiz question takes about a minute.
QUIZ_MINUTES_PER_QUESTION = 1
# Documents whose content changes by edition: a lesson naming one must list it, dated, under 参考.
POLICY_DOCUMENTS = ("自治体DX推進計画", "自治体DX推進手順書", "自治体DX全体手順書", "参考事例集",
                    "情報セキュリティポリシーに関するガイドライン", "AI活用・導入ガイドブック", "重点計画",
                    "デジタルスキル標準", "サービス設計12箇条", "標準化基本方針")
DATED = re.compile(r"(令和|平成)(\d+|元)年|\b(19|20)\d\d年")
HARD_WORDS = {"強靱": "きょうじん", "按分": "あんぶん", "附票": "ふひょう", "墨消し": "すみけし", "秘匿": "ひとく",
              "名寄せ": "なよせ", "準拠法": "じゅんきょほう"}


@cache
def shipped() -> ContentTree:
    try:
        return load_content(PROJECT)
    except ContentInvalid as invalid:
        pytest.fail("\n".join(error.shown_from(PROJECT) for error in invalid.errors))


# Collected from the files, so that invalid content fails the tests with its errors rather than collection.
COURSE_SLUGS = sorted(path.parent.name for path in (PROJECT / "courses").glob("*/course.md"))
LESSON_FILES = sorted(f"{path.parent.name}/{path.stem}" for path in (PROJECT / "courses").glob("*/[0-9][0-9]-*.md"))


def lesson(name: str):
    slug, lesson_slug = name.split("/")
    return next(item for item in shipped().course(slug).lessons if item.slug == lesson_slug)


def body(lesson) -> str:
    return reading_time.body_of(lesson.path.read_text(encoding="utf-8"))


def references(text: str) -> list[str]:
    section = text.split("\n## 参考", 1)
    if len(section) < 2:
        return []
    return [line[2:] for line in section[1].splitlines() if line.startswith("- ")]


def test_reading_time_counts_prose_not_markup_and_adds_exercises():
    text = ("## 見出し\n\n**太字**の[リンク](https://example.jp/long/address)です。\n\n"
            "| 列 | 列 |\n| --- | --- |\n\n!!! tip \"やってみよう（5分）\"\n    書き出す。\n")
    assert reading_time.reading_characters(text) == len("見出し太字のリンクです。列列\"やってみよう（5分）\"書き出す。")
    assert reading_time.exercise_minutes(text) == 5
    assert reading_time.exercise_minutes('!!! note "ポイント"\n    なし\n') == 0
    assert reading_time.within_allowance(3, 2.5) and not reading_time.within_allowance(12, 3.1)


@pytest.mark.parametrize("name", LESSON_FILES)
def test_a_lesson_claims_about_the_time_it_takes_to_read(name):
    shown = lesson(name)
    if shown.video or shown.scorm:
        return  # their minutes come from the media (a video's length) or the provider
    measured = reading_time.measured_minutes(body(shown))
    assert reading_time.within_allowance(shown.minutes, measured), (
        f"{name}: claims {shown.minutes} min, measured {measured:.1f} "
        f"({reading_time.CHARACTERS_PER_MINUTE} characters a minute plus exercises)")


@pytest.mark.parametrize("slug", COURSE_SLUGS)
def test_a_course_estimate_is_its_lessons_quiz_and_workshop(slug):
    course = shipped().course(slug)
    needed = sum(lesson.minutes for lesson in course.lessons)
    needed += course.quiz.questions * QUIZ_MINUTES_PER_QUESTION if course.has_quiz else 0
    needed += course.workshop.minutes if course.workshop else 0
    assert needed <= course.estimated_minutes <= needed * reading_time.ALLOWED_FACTOR, (
        f"{course.slug}: estimated_minutes {course.estimated_minutes}, parts take {needed}")


def test_the_all_staff_basic_course_fits_akitas_one_to_two_hours():
    slug, shortest, longest = ALL_STAFF_BASIC_COURSE
    assert shortest <= shipped().course(slug).estimated_minutes <= longest


@pytest.mark.parametrize("slug", COURSE_SLUGS)
def test_every_quiz_draws_per_tag_from_a_bank_too_large_to_memorise(slug):
    course = shipped().course(slug)
    if not course.has_quiz:
        return  # a SCORM package with its own test
    bank = shipped().banks[course.quiz.bank]
    assert len(bank.questions) >= MINIMUM_BANK, f"{bank.slug} has {len(bank.questions)} questions"
    assert course.quiz.pools, f"{course.slug} draws from the whole bank: give it pools"
    drawn_tags = {tag for tag, _count in course.quiz.pools}
    untagged = [q.id for q in bank.questions if not set(q.tags) & drawn_tags]
    assert untagged == [], f"{bank.slug}: never drawn: {untagged}"
    assert all(q.explanation.strip() for q in bank.questions)


@pytest.mark.parametrize("name", LESSON_FILES)
def test_every_source_says_as_of_when_and_every_policy_document_named_is_listed(name):
    shown = lesson(name)
    if shown.scorm:
        return  # another provider's package: its sources are its own
    text = body(shown)
    listed = references(text)
    assert listed, f"{name} has no 参考 section"
    undated = [item for item in listed if not DATED.search(item)]
    assert undated == [], f"{name}: sources without a date: {undated}"
    prose = text.split("\n## 参考", 1)[0]
    unlisted = [document for document in POLICY_DOCUMENTS
                if document in prose and not any(document in item for item in listed)]
    assert unlisted == [], f"{name} names {unlisted} but does not list them under 参考"


def test_hard_words_carry_their_reading_on_first_use_in_each_lesson_and_question():
    sources = [(name, body(lesson(name))) for name in LESSON_FILES]
    sources += [(f"{bank.slug}/{q.id}", q.text) for bank in shipped().banks.values() for q in bank.questions]
    missing = [f"{where}: {word}（{reading}）"
               for where, text in sources for word, reading in HARD_WORDS.items()
               if word in text and not text[text.index(word) + len(word):].startswith(f"（{reading}）")]
    assert missing == []


def test_the_content_is_written_for_any_prefecture():
    sources = [*sorted((PROJECT / "courses").glob("*/*.md")), *sorted((PROJECT / "quizzes").glob("*.yaml"))]
    found = [f"{path.relative_to(PROJECT)}:{number}: {match[0]}"
             for path in sources
             for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
             for match in re.finditer(r"(?<!熊)本県|当県|我が県|わが県|デジタルリーダー", line)]
    assert found == []
