"""What the content files describe, as plain frozen data."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from elearn.content.media import Cue
from elearn.content.scorm import Sco
from elearn.domain.people import Tier
from elearn.domain.quiz import Question, QuizSettings
from elearn.domain.video import DEFAULT_WATCH_PERCENT


@dataclass(frozen=True)
class Bank:
    slug: str
    title: str
    questions: tuple[Question, ...]
    path: Path

    def question(self, question_id: str) -> Question:
        return next(q for q in self.questions if q.id == question_id)


@dataclass(frozen=True)
class CaptionTrack:
    language: str  # "ja" or "en"
    file: str  # relative to the course folder
    cues: tuple[Cue, ...]


@dataclass(frozen=True)
class Video:
    file: str  # relative to the course folder
    mime_type: str
    duration: float  # seconds, read from the file
    width: int
    height: int
    captions: tuple[CaptionTrack, ...]  # Japanese first
    poster: str | None = None
    library: str | None = None  # the media library's folder the files are in, else the course folder
    library_version: str = ""  # the library upload that filed it: library folders never change once filed

    def track(self, language: str) -> CaptionTrack:
        """The captions in `language`, else the Japanese ones."""
        return next((t for t in self.captions if t.language == language), self.captions[0])


@dataclass(frozen=True)
class ScormLesson:
    package: str  # the media library's folder, or "<course>/<folder>" for a package kept in the course
    version: str  # "1.2" or "2004"
    title: str
    items: tuple[Sco, ...]  # in the manifest's order; the lesson is done when every one is
    root: Path | None  # the course's folder holding imsmanifest.xml and the files; None: in the media library

    def library_key(self, name: str) -> str:
        """A file of a package filed in the media library, as the library store names it."""
        return f"{self.package}/content/{name}"

    def item(self, identifier: str) -> Sco | None:
        return next((item for item in self.items if item.identifier == identifier), None)


@dataclass(frozen=True)
class Lesson:
    number: int
    slug: str  # the file name without .md, e.g. "01-three-stages"
    title: str
    minutes: int  # a video lesson's comes from the video's length
    html: str
    path: Path
    video: Video | None = None
    scorm: ScormLesson | None = None


@dataclass(frozen=True)
class Workshop:
    """A worksheet the learner submits; a reviewer accepts it before the course completes."""

    title: str
    minutes: int  # the learner's working time, part of the course's estimated_minutes
    html: str  # the instructions
    template: str | None  # a file in the course folder offered for download
    path: Path


@dataclass(frozen=True)
class Course:
    slug: str
    title: str
    summary: str
    version: int
    tiers: frozenset[Tier]
    required_for_grades: frozenset[str]
    estimated_minutes: int
    recurrence_years: int | None
    quiz: QuizSettings
    overview_html: str
    lessons: tuple[Lesson, ...]
    path: Path
    assets: frozenset[str] = field(default_factory=frozenset)  # relative paths of files besides the .md
    watch_percent: int = DEFAULT_WATCH_PERCENT  # share of a video lesson to watch for it to count
    workshop: Workshop | None = None

    @property
    def has_quiz(self) -> bool:
        """Without one (a SCORM course with its own test, say), finishing every lesson completes the course."""
        return bool(self.quiz.bank)


@dataclass(frozen=True)
class ContentTree:
    courses: tuple[Course, ...]
    banks: dict[str, Bank]
    glossary: tuple = ()  # content.glossary.Term, sorted by reading

    def course(self, slug: str) -> Course | None:
        return next((course for course in self.courses if course.slug == slug), None)
