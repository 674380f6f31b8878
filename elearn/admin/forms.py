from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from elearn.domain.kpi import CountUnit
from elearn.domain.people import Permission, Tier
from elearn.labels import PERMISSION_LABELS, TIER_LABELS

IMPORT_EXTENSIONS = ["csv", "xlsx"]
SEAL_EXTENSIONS = ["png", "jpg", "jpeg", "webp"]


class ImportUploadForm(FlaskForm):
    file = FileField(
        _l("File (CSV or XLSX)"),
        validators=[FileRequired(), FileAllowed(IMPORT_EXTENSIONS, _l("Choose a CSV or XLSX file."))],
    )
    deactivate_missing = BooleanField(_l("Deactivate staff missing from the file (full list only)"))


class ImportApplyForm(FlaskForm):
    # Only the upload: the options it was previewed with are stored with it, not posted again.
    upload_id = HiddenField(validators=[DataRequired(), Length(max=64)])


class UndoImportForm(FlaskForm):
    confirm = BooleanField(_l("I understand: these records stop counting and the certificates listed are withdrawn"),
                           validators=[DataRequired()])


class ReissueForm(FlaskForm):
    """The confirmation of a bulk reissue; the unit limits it to a subtree (empty: everyone the admin administers)."""

    unit_code = HiddenField(validators=[Optional(), Length(max=32)])
    confirmed_count = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9]{1,7}$")])
    confirm = BooleanField(_l("I understand: their current initial passwords and reset links stop working"),
                           validators=[DataRequired()])


class GrantForm(FlaskForm):
    permission = SelectField(_l("Permission"), validators=[DataRequired()])
    unit_code = StringField(_l("Unit code (managers, reporters and training organisers)"),
                            validators=[Optional(), Length(max=32)])
    editor = BooleanField(_l("Magazine editor (authors only: approves, schedules and withdraws issues)"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.permission.choices = [
            SelectChoice(p.value, str(PERMISSION_LABELS[p])) for p in Permission if p is not Permission.LEARNER
        ]


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Reason for revocation (kept in the audit log)"),
                           validators=[DataRequired(), Length(max=500)])


class IssuerForm(FlaskForm):
    title = StringField(_l("Issuer's title (e.g. みどり県知事)"), validators=[DataRequired(), Length(max=100)])
    name = StringField(_l("Issuer's name"), validators=[Optional(), Length(max=100)])
    seal = FileField(_l("Seal image (PNG, JPEG or WebP; optional)"),
                     validators=[FileAllowed(SEAL_EXTENSIONS, _l("Choose a PNG, JPEG or WebP image."))])
    remove_seal = BooleanField(_l("Remove the seal"))


class KpiRuleForm(FlaskForm):
    tiers = SelectMultipleField(_l("Tiers that count"), validators=[DataRequired(_l("Choose at least one tier."))],
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    since_fiscal_year = IntegerField(_l("Count from fiscal year (Western year of its April, e.g. 2022 for R4)"),
                                     validators=[DataRequired(), NumberRange(2019, 2100)])
    unit = SelectField(_l("What is counted"), validators=[DataRequired()])
    municipal_staff_count_for_prefecture = BooleanField(_l("Municipal staff count toward the prefecture's figure"))

    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.tiers.choices = [SelectChoice(t.value, str(TIER_LABELS[t])) for t in Tier]
        self.unit.choices = [SelectChoice(CountUnit.PEOPLE.value, str(_l("Distinct people"))),
                             SelectChoice(CountUnit.COMPLETIONS.value, str(_l("Completions")))]
