from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import StringField
from wtforms.validators import DataRequired, Length, Regexp


class VideoUploadForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    slug = StringField(
        _l("Name in lesson files (lower-case letters, digits and hyphens)"),
        validators=[DataRequired(), Length(max=100),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and hyphens."))])
    video = FileField(_l("Video (MP4: H.264 and AAC, or WebM)"),
                      validators=[FileRequired(), FileAllowed(["mp4", "webm"], _l("Choose an MP4 or WebM file."))])
    captions_ja = FileField(_l("Japanese captions (WebVTT, required)"),
                            validators=[FileRequired(), FileAllowed(["vtt"], _l("Choose a WebVTT (.vtt) file."))])
    captions_en = FileField(_l("English captions (WebVTT, optional)"),
                            validators=[FileAllowed(["vtt"], _l("Choose a WebVTT (.vtt) file."))])
    poster = FileField(_l("Poster image (optional)"),
                       validators=[FileAllowed(["jpg", "jpeg", "png", "webp"],
                                               _l("Choose a JPEG, PNG or WebP image."))])


class ScormUploadForm(FlaskForm):
    slug = StringField(
        _l("Name in lesson files (lower-case letters, digits and hyphens)"),
        validators=[DataRequired(), Length(max=100),
                    Regexp(r"^[a-z0-9]+(?:-[a-z0-9]+)*$", message=_l("Use lower-case letters, digits and hyphens."))])
    package = FileField(_l("SCORM package (a zip with imsmanifest.xml at its root)"),
                        validators=[FileRequired(), FileAllowed(["zip"], _l("Choose a zip file."))])
