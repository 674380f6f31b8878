"""Forms of the notice pages: a person's channels, and a training office's announcement."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from elearn.domain.notices import Channel, Topic, channels_allowed
from elearn.domain.people import Tier
from elearn.forms import checkboxes
from elearn.labels import CHANNEL_LABELS, TIER_LABELS, TOPIC_LABELS, WEEKDAY_LABELS

# Topics a person may choose for; the overdue reminder is shown, fixed, the digest only to managers and the imports
# only to administrators.
CHOOSABLE = [topic for topic in Topic if len(channels_allowed(topic)) > 1]


def settings_form(is_manager: bool, formdata=None, chosen: dict | None = None, digest_weekday: int = 0,  # type: ignore[no-untyped-def]
                  is_admin: bool = False):
    """A form with one radio group per topic (named after it) and, for managers, the digest day."""

    class SettingsForm(FlaskForm):
        pass

    for topic in CHOOSABLE:
        if (topic is Topic.DIGEST and not is_manager) or (topic is Topic.IMPORTS and not is_admin):
            continue
        choices = [SelectChoice(channel.value, str(CHANNEL_LABELS[channel])) for channel in channels_allowed(topic)]
        setattr(SettingsForm, topic.value, RadioField(TOPIC_LABELS[topic], choices=choices,
                                                      validators=[DataRequired()]))
    if is_manager:
        SettingsForm.digest_weekday = SelectField(_l("Day of the team digest"), coerce=int, choices=[
            SelectChoice(day, str(label)) for day, label in enumerate(WEEKDAY_LABELS)])
    data = {topic.value: channel.value for topic, channel in (chosen or {}).items()}
    return SettingsForm(formdata=formdata, data={**data, "digest_weekday": digest_weekday})


def topics_of(form) -> dict[Topic, Channel]:  # type: ignore[no-untyped-def]
    return {topic: Channel(getattr(form, topic.value).data) for topic in CHOOSABLE if hasattr(form, topic.value)}


CHECKS = {"class": "checks"}  # boxes side by side, wrapping (app.css)


class AnnouncementForm(FlaskForm):
    body_id = SelectField(_l("To the staff of"), coerce=int)
    units = checkboxes(_l("Only these units (and the units below them)"), coerce=int, render_kw=CHECKS)
    tiers = checkboxes(_l("Only these tiers"), render_kw=CHECKS)
    grades = checkboxes(_l("Only these grades"), coerce=int, render_kw=CHECKS)
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=200)])
    text = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=4000)])

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self.tiers.choices = [SelectChoice(tier.value, str(TIER_LABELS[tier])) for tier in Tier]
