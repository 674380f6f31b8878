from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from elearn.domain.passwords import MIN_LENGTH, password_problems

PASSWORD_PROBLEM_MESSAGES = {
    "too_short": _l("Use at least %(n)d characters.", n=MIN_LENGTH),
    "too_simple": _l("Use more different characters."),
    "contains_staff_number": _l("Do not include your staff number."),
    "contains_email": _l("Do not include your email address."),
}


class SignInForm(FlaskForm):
    body = SelectField(_l("Organisation"), validators=[DataRequired()])
    sign_in_name = StringField(_l("Staff number or email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    remember = BooleanField(_l("Keep me signed in on this computer"))


class NewPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("New password (again)"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The two passwords differ."))],
    )

    def __init__(self, *args, staff_number: str = "", email: str = "", **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._staff_number = staff_number
        self._email = email or ""

    def validate_new_password(self, field: PasswordField) -> None:
        problems = password_problems(field.data or "", staff_number=self._staff_number, email=self._email)
        if problems:
            raise ValidationError(" ".join(str(PASSWORD_PROBLEM_MESSAGES[p]) for p in problems))


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that POST."""
