"""Forms of the training-event pages. Times are typed in Japan time and stored in UTC."""

from __future__ import annotations

from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp, ValidationError

from elearn.clock import TOKYO
from elearn.domain.events import Delivery, EventFormat
from elearn.domain.people import Tier
from elearn.forms import checkboxes
from elearn.labels import DELIVERY_LABELS, EVENT_FORMAT_LABELS, TIER_LABELS

MATERIAL_EXTENSIONS = ["pdf", "pptx", "docx", "xlsx"]
MAX_QUESTIONS = 10


class EventForm(FlaskForm):
    owner_body = SelectField(_l("Run by"), coerce=int)
    code = StringField(_l("Event code (used in past-training files)"),
                       validators=[DataRequired(), Length(max=40),
                                   Regexp(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$",
                                          message=_l("Letters, digits, “-”, “_” and “.” only."))])
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    format = SelectField(_l("Format"))
    delivery = SelectField(_l("Delivery"))
    hours = DecimalField(_l("Hours of study"), places=2, validators=[DataRequired(), NumberRange(0.25, 100)])
    target_tiers = checkboxes(_l("For tiers (none: everyone invited)"))
    target_grades = checkboxes(_l("For grades (none: any grade)"))
    kpi_tier = SelectField(_l("Counts toward the KPI as"))
    invited_bodies = checkboxes(_l("Also open to"), coerce=int)
    scale_questions = TextAreaField(_l("Survey: questions answered from 1 to 5 (one per line)"),
                                    validators=[Optional(), Length(max=3000)])
    text_questions = TextAreaField(_l("Survey: questions answered in words (one per line)"),
                                   validators=[Optional(), Length(max=3000)])
    survey_required = BooleanField(_l("Answering the survey is part of completing"))

    def __init__(self, bodies: list[tuple[int, str]], owner_choices: list[tuple[int, str]], grades: list[str],
                 *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.owner_body.choices = owner_choices
        self.format.choices = [SelectChoice(item.value, str(EVENT_FORMAT_LABELS[item])) for item in EventFormat]
        self.delivery.choices = [SelectChoice(item.value, str(DELIVERY_LABELS[item])) for item in Delivery]
        self.target_tiers.choices = [SelectChoice(tier.value, str(TIER_LABELS[tier])) for tier in Tier]
        self.target_grades.choices = [SelectChoice(grade, grade) for grade in grades]
        self.kpi_tier.choices = [SelectChoice("", str(_l("Does not count"))),
                                 *(SelectChoice(tier.value, str(TIER_LABELS[tier])) for tier in Tier)]
        self.invited_bodies.choices = bodies

    def questions(self) -> list[dict]:
        return ([{"kind": "scale", "text": line.strip()} for line in (self.scale_questions.data or "").splitlines()
                 if line.strip()]
                + [{"kind": "text", "text": line.strip()} for line in (self.text_questions.data or "").splitlines()
                   if line.strip()])

    def validate_scale_questions(self, field) -> None:  # type: ignore[no-untyped-def]
        if len(self.questions()) > MAX_QUESTIONS:
            raise ValidationError(_l("At most %(count)d questions in all.", count=MAX_QUESTIONS))
        if any(len(question["text"]) > 200 for question in self.questions()):
            raise ValidationError(_l("Each question at most 200 characters."))


class SessionForm(FlaskForm):
    day = DateField(_l("Date"), validators=[DataRequired()])
    starts = TimeField(_l("Starts (Japan time)"), validators=[DataRequired()])
    ends = TimeField(_l("Ends (Japan time)"), validators=[DataRequired()])
    venue = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    meeting_url = StringField(_l("Meeting link (online)"),
                              validators=[Optional(), Length(max=500),
                                          Regexp(r"^https?://\S+$", message=_l("A link starting with https://"))])
    capacity = IntegerField(_l("Places"), validators=[DataRequired(), NumberRange(1, 10000)])
    registration_opens_on = DateField(_l("Registration opens on (optional)"), validators=[Optional()])
    registration_closes_on = DateField(_l("Registration closes at the end of (optional)"), validators=[Optional()])
    cancellation_deadline_on = DateField(_l("Cancelling possible until the end of (optional)"),
                                         validators=[Optional()])

    def validate_ends(self, field) -> None:  # type: ignore[no-untyped-def]
        if self.starts.data and field.data and field.data <= self.starts.data:
            raise ValidationError(_l("The end must come after the start."))

    @staticmethod
    def japan_time(day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=TOKYO)

    @staticmethod
    def start_of(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(), tzinfo=TOKYO)

    @staticmethod
    def end_of(day: date | None) -> datetime | None:
        return None if day is None else datetime.combine(day, time(23, 59, 59), tzinfo=TOKYO)


class NominateForm(FlaskForm):
    staff_numbers = TextAreaField(_l("Staff numbers, one per line (another body's staff: body code, a space, "
                                     "then the number)"), validators=[DataRequired(), Length(max=20000)])


class AnswerForm(FlaskForm):
    accept = HiddenField(validators=[DataRequired(), Regexp(r"^[01]$")])
    reason = TextAreaField(_l("Reason (when declining)"), validators=[Optional(), Length(max=500)])


class CheckInForm(FlaskForm):
    code = HiddenField(validators=[DataRequired(), Length(max=200)])


class MaterialForm(FlaskForm):
    file = FileField(_l("File (PDF, PowerPoint, Word or Excel)"),
                     validators=[FileRequired(), FileAllowed(MATERIAL_EXTENSIONS,
                                                             _l("Choose a PDF, PPTX, DOCX or XLSX file."))])


class AttendanceFileForm(FlaskForm):
    file = FileField(_l("Attendance sheet (CSV or XLSX)"),
                     validators=[FileRequired(), FileAllowed(["csv", "xlsx"], _l("Choose a CSV or XLSX file."))])
