from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField
from wtforms import HiddenField, TextAreaField
from wtforms.validators import Length

from elearn.domain.workshops import MAX_COMMENT_CHARACTERS, MAX_TEXT_CHARACTERS

SUBMISSION_EXTENSIONS = ["pdf", "xlsx", "docx", "pptx", "png", "jpg", "jpeg", "webp"]


class SubmissionForm(FlaskForm):
    text = TextAreaField(_l("Your worksheet (typed)"), validators=[Length(max=MAX_TEXT_CHARACTERS)])
    file = FileField(_l("Or a file: the filled-in template (Excel, Word, PowerPoint, PDF) or a photo of a hand-drawn "
                        "sheet (PNG, JPEG)"),
                     validators=[FileAllowed(SUBMISSION_EXTENSIONS,
                                             _l("Choose a PDF, XLSX, DOCX, PPTX, PNG or JPEG file."))])


class ReviewForm(FlaskForm):
    revision = HiddenField()
    comment = TextAreaField(_l("Comment to the learner"), validators=[Length(max=MAX_COMMENT_CHARACTERS)])
