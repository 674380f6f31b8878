"""courses/<slug>/ -> Course: front matter, overview and lessons, checked against courses/README.md."""

from __future__ import annotations

import re
from pathlib import Path

from elearn.content import markdown
from elearn.content.fields import Fields
from elearn.content.model import Bank, Course, Lesson
from elearn.content.scorm_lessons import load_scorm
from elearn.content.source import SourceError, split_front_matter
from elearn.content.video_lessons import load_video, minutes_of
from elearn.content.workshops import WORKSHOP_FILE, load_workshop
from elearn.domain.people import Tier
from elearn.domain.quiz import AttemptCounts, LateSubmission, QuizSettings, ShowAnswers
from elearn.storage import FileStore

COURSE_KEYS = {"slug", "title", "summary", "version", "tiers", "required_for_grades", "estimated_minutes",
               "recurrence_years", "quiz", "video_watch_percent"}
QUIZ_KEYS = {"bank", "questions", "pools", "passing_score", "max_attempts", "cooldown_minutes",
             "time_limit_minutes", "late_submission", "show_answers", "attempt_counts"}
LESSON_FILE = re.compile(r"^(\d{2})-[a-z0-9]+(?:-[a-z0-9]+)*\.md$")


def load_course(folder: Path, banks: dict[str, Bank], errors: list[SourceError], asset_base: str,
                thorough_media: bool = False, library: FileStore | None = None) -> Course | None:
    before = len(errors)
    path = folder / "course.md"
    if not path.is_file():
        errors.append(SourceError(folder, 0, "a course folder needs a course.md"))
        return None
    try:
        front, body, body_line = split_front_matter(path)
    except SourceError as error:
        errors.append(error)
        return None
    fields = Fields(front, path, errors, COURSE_KEYS)
    slug = fields.slug("slug")
    if slug and slug != folder.name:
        fields.error(f"slug {slug!r} must equal the folder name {folder.name!r}", key="slug")
    tiers = set()
    for name in fields.text_list("tiers", required=True):
        try:
            tiers.add(Tier(name))
        except ValueError:
            fields.error(f"unknown tier {name!r} (use {', '.join(t.value for t in Tier)})", key="tiers")
    quiz = _quiz(fields, banks)
    lessons = _lessons(folder, errors, asset_base.format(slug=folder.name), thorough_media, library)
    if not lessons and len(errors) == before:
        fields.error("a course needs at least one lesson file NN-<name>.md")
    workshop = load_workshop(folder, errors, asset_base.format(slug=folder.name))
    estimated_minutes = fields.integer("estimated_minutes", minimum=1, required=True, default=1) or 1
    lesson_minutes = sum(lesson.minutes for lesson in lessons) + (workshop.minutes if workshop else 0)
    if lesson_minutes > estimated_minutes:
        fields.error(f"'estimated_minutes' ({estimated_minutes}) is less than its lessons and workshop take "
                     f"({lesson_minutes}, videos by their real length)", key="estimated_minutes")
    course = Course(
        slug=folder.name,
        title=fields.text("title"),
        summary=fields.text("summary"),
        version=fields.integer("version", minimum=1, required=True, default=1) or 1,
        tiers=frozenset(tiers),
        required_for_grades=frozenset(fields.text_list("required_for_grades")),
        estimated_minutes=estimated_minutes,
        recurrence_years=fields.integer("recurrence_years", minimum=1, maximum=10),
        quiz=quiz,
        overview_html=markdown.render(body, asset_base.format(slug=folder.name)),
        lessons=tuple(lessons),
        path=folder,
        assets=frozenset(_assets(folder, lessons)),
        watch_percent=fields.integer("video_watch_percent", minimum=50, maximum=100, default=90) or 90,
        workshop=workshop,
    )
    _check_images(path, body, body_line, folder, errors)
    return course if len(errors) == before else None


def _quiz(fields: Fields, banks: dict[str, Bank]) -> QuizSettings:
    raw = fields.sub_mapping("quiz", required=False) or {}  # none: the lessons alone complete the course
    quiz = Fields(raw, fields.path, fields.errors, QUIZ_KEYS) if raw else fields
    bank = quiz.text("bank") if raw else ""
    count = (quiz.integer("questions", minimum=1, required=True, default=1) or 1) if raw else 1
    pools: list[tuple[str, int]] = []
    raw_pools = raw.get("pools") or {}
    if not isinstance(raw_pools, dict):
        quiz.error("'pools' must map tags to counts, e.g. {security: 3}", key="pools")
        raw_pools = {}
    for tag, number in raw_pools.items():
        if str(tag).startswith("__"):
            continue
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            quiz.error(f"pool {tag!r} must draw a positive whole number of questions", key="pools")
            continue
        pools.append((str(tag), number))
    settings = QuizSettings(
        bank=bank,
        questions=count,
        passing_score=(quiz.integer("passing_score", minimum=1, maximum=100, required=True, default=80) or 80)
        if raw else 80,
        pools=tuple(pools),
        max_attempts=quiz.integer("max_attempts", minimum=0, default=0) or 0,
        cooldown_minutes=quiz.integer("cooldown_minutes", minimum=0, default=0) or 0,
        time_limit_minutes=quiz.integer("time_limit_minutes", minimum=1, maximum=600),
        late_submission=quiz.choice("late_submission", LateSubmission, LateSubmission.GRADE_AT_DEADLINE),
        show_answers=quiz.choice("show_answers", ShowAnswers, ShowAnswers.IMMEDIATELY),
        attempt_counts=quiz.choice("attempt_counts", AttemptCounts, AttemptCounts.HIGHEST),
    )
    if raw and bank:
        _check_drawable(quiz, settings, banks.get(bank))
    return settings


def _check_drawable(quiz: Fields, settings: QuizSettings, bank: Bank | None) -> None:
    if bank is None:
        quiz.error(f"no question bank quizzes/{settings.bank}.yaml", key="bank")
        return
    if settings.pools:
        for tag, number in settings.pools:
            available = sum(tag in q.tags for q in bank.questions)
            if available < number:
                quiz.error(f"pool {tag!r} draws {number} but the bank has {available} question(s) tagged so",
                           key="pools")
        drawn = sum(number for _tag, number in settings.pools)
        if drawn != settings.questions:
            quiz.error(f"the pools draw {drawn} questions but 'questions' is {settings.questions}", key="pools")
    elif len(bank.questions) < settings.questions:
        quiz.error(f"the quiz draws {settings.questions} questions but the bank has {len(bank.questions)}",
                   key="questions")


def _lessons(folder: Path, errors: list[SourceError], asset_base: str, thorough_media: bool,
             library: FileStore | None) -> list[Lesson]:
    lessons = []
    numbers: dict[int, str] = {}
    for path in sorted(folder.glob("*.md")):
        if path.name in ("course.md", WORKSHOP_FILE):
            continue
        match = LESSON_FILE.match(path.name)
        if not match:
            errors.append(SourceError(path, 0, "a lesson file must be named NN-<name>.md (e.g. 01-basics.md)"))
            continue
        number = int(match.group(1))
        if number in numbers:
            errors.append(SourceError(path, 0, f"lesson number {number:02d} is also used by {numbers[number]}"))
            continue
        numbers[number] = path.name
        lesson = _lesson(path, number, errors, asset_base, thorough_media, library)
        if lesson is not None:
            lessons.append(lesson)
    return lessons


def _lesson(path: Path, number: int, errors: list[SourceError], asset_base: str,
            thorough_media: bool, library: FileStore | None) -> Lesson | None:
    before = len(errors)
    try:
        front, body, body_line = split_front_matter(path)
    except SourceError as error:
        errors.append(error)
        return None
    fields = Fields(front, path, errors, {"title", "minutes", "video", "scorm"})
    title = fields.text("title")
    video = load_video(fields, path.parent, thorough_media, library) if "video" in front else None
    scorm = load_scorm(fields, path.parent, library) if "scorm" in front else None
    if "video" in front and "scorm" in front:
        fields.error("a lesson is a video or a SCORM package, not both", key="scorm")
    if "scorm" in front:
        minutes = fields.integer("minutes", minimum=1, maximum=240, required=True, default=1) or 1
    elif "video" in front:
        if "minutes" in front:
            fields.error("a video lesson's minutes come from the video's length: remove 'minutes'", key="minutes")
        minutes = minutes_of(video) if video else 1
    else:
        minutes = fields.integer("minutes", minimum=1, maximum=240, required=True, default=1) or 1
        if not body.strip():
            fields.error("the lesson has no text")
    _check_images(path, body, body_line, path.parent, errors)
    if len(errors) > before:
        return None
    return Lesson(number=number, slug=path.stem, title=title, minutes=minutes,
                  html=markdown.render(body, asset_base) if body.strip() else "", path=path, video=video,
                  scorm=scorm)


def _check_images(path: Path, body: str, body_line: int, folder: Path, errors: list[SourceError]) -> None:
    for line, target in markdown.image_paths(body):
        resolved = (folder / target).resolve()
        if folder.resolve() not in resolved.parents or not resolved.is_file():
            errors.append(SourceError(path, body_line + line - 1, f"image {target!r} is not a file in {folder.name}/"))


def _assets(folder: Path, lessons: list[Lesson]) -> list[str]:
    """Files the app serves from the course folder: never a SCORM package's (those are another provider's
    script and are served only from the package origin)."""
    packages = [lesson.scorm.root for lesson in lessons
                if lesson.scorm and lesson.scorm.root and folder.resolve() in lesson.scorm.root.parents]
    return [str(p.relative_to(folder)) for p in folder.rglob("*")
            if p.is_file() and p.suffix != ".md" and not any(root in p.resolve().parents for root in packages)]
