from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from elearn.domain.magazine import Audience, InboxKind, InboxStatus
from elearn.labels import AUDIENCE_LABELS, INBOX_KIND_LABELS, INBOX_STATUS_LABELS

PAGE_EXTENSIONS = ("png", "jpg", "jpeg", "webp")


class IssueForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    summary = TextAreaField(_l("Summary (shown in the archive and the feed)"), validators=[Length(max=1000)])
    audience = RadioField(_l("Audience"), default=Audience.SHARED.value,
                          choices=[SelectChoice(audience.value, AUDIENCE_LABELS[audience]) for audience in Audience])
    tags = StringField(_l("Tags (separated by commas)"), validators=[Length(max=500)])
    courses = SelectMultipleField(_l("Related courses"), coerce=int, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    people = TextAreaField(_l("Staff who appear: staff numbers, one per line (another body: M100:200045)"),
                           validators=[Length(max=2000)])


class PagesUploadForm(FlaskForm):
    files = MultipleFileField(_l("Page images (PNG, JPEG or WebP; several at once, in reading order)"))


class ScheduleForm(FlaskForm):
    publish_at = StringField(_l("Publication time (Japan time)"), validators=[DataRequired()])


class InboxForm(FlaskForm):
    kind = RadioField(_l("What are you sending?"), default=InboxKind.QUESTION.value,
                      choices=[SelectChoice(kind.value, INBOX_KIND_LABELS[kind]) for kind in InboxKind])
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=5000)])
    anonymous = BooleanField(_l("Do not show my name to other staff (the magazine team still sees it)"))
    about_issue = IntegerField(_l("About issue No. (optional)"), validators=[Optional(), NumberRange(1, 100000)])


class InboxWorkForm(FlaskForm):
    status = SelectField(_l("Status"),
                         choices=[SelectChoice(status.value, INBOX_STATUS_LABELS[status]) for status in InboxStatus])
    assignee = SelectField(_l("Assignee"), coerce=int)
    adopted_issue = IntegerField(_l("Adopted for issue No."), validators=[Optional(), NumberRange(1, 100000)])
    reply = TextAreaField(_l("Reply (the sender sees it)"), validators=[Length(max=5000)])
    internal_notes = TextAreaField(_l("Internal notes (authors only)"), validators=[Length(max=5000)])


class StickerForm(FlaskForm):
    user_id = IntegerField(validators=[DataRequired()])
    reason = StringField(_l("Reason"), validators=[DataRequired(), Length(max=200)])
    issue_number = IntegerField(_l("With issue No. (optional)"), validators=[Optional(), NumberRange(1, 100000)])
