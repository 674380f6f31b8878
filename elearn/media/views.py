"""動画・教材ライブラリ: authors and administrators upload lesson videos and SCORM packages; a worker checks them."""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elearn.media.forms import ScormUploadForm, VideoUploadForm
from elearn.models import UploadState
from elearn.services import media, scorm, visibility
from elearn.web import permitted, viewer

bp = Blueprint("media", __name__, url_prefix="/media")
UPLOADS = {"media.upload", "media.upload_scorm"}

@bp.url_value_preprocessor
def _video_upload_limit(endpoint: str | None, values: dict | None) -> None:
    """The upload's own request limit, set before CSRF protection reads the form; only for those allowed."""
    if endpoint in UPLOADS and current_user.is_authenticated and visibility.may_manage_media(viewer()):
        request.max_content_length = current_app.config["VIDEO_UPLOAD_LIMIT"]


@bp.errorhandler(413)
def upload_too_large(error):  # type: ignore[no-untyped-def]
    limit_mb = current_app.config["VIDEO_UPLOAD_LIMIT"] // (1024 * 1024)
    return render_template("media/library.html", form=VideoUploadForm(formdata=None),
                           scorm_form=ScormUploadForm(formdata=None), uploads=media.uploads(),
                           too_large=_("The upload is larger than the %(limit)d MB limit: nothing was stored. "
                                       "Shorten the video or encode it at a lower bit rate.", limit=limit_mb),
                           limit_mb=limit_mb), 413


@bp.get("/")
@permitted(visibility.may_manage_media)
def library():
    return _page()


def _page(form: VideoUploadForm | None = None, scorm_form: ScormUploadForm | None = None,
          status: int = 200):  # type: ignore[no-untyped-def]
    return render_template("media/library.html", form=form or VideoUploadForm(formdata=None),
                           scorm_form=scorm_form or ScormUploadForm(formdata=None), uploads=media.uploads(),
                           limit_mb=current_app.config["VIDEO_UPLOAD_LIMIT"] // (1024 * 1024)), status


@bp.post("/")
@permitted(visibility.may_manage_media)
def upload():
    form = VideoUploadForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        staged = media.stage(current_user, form.slug.data, form.title.data.strip(), form.video.data,
                             form.captions_ja.data, form.captions_en.data, form.poster.data)
    except media.UploadRefused as refused:
        _refusal_to_form(form, str(refused))
        return _page(form, status=400)
    flash(_("%(title)s was uploaded and is being checked. This page shows the result.", title=staged.title),
          "success")
    return redirect(url_for("media.library"))


@bp.post("/scorm")
@permitted(visibility.may_manage_media)
def upload_scorm():
    form = ScormUploadForm()
    if not form.validate_on_submit():
        return _page(scorm_form=form, status=400)
    try:
        staged = scorm.stage_upload(current_user, form.slug.data, form.package.data)
    except media.UploadRefused as refused:
        field, _sep, detail = str(refused).partition(":")
        if field == "slug":
            form.slug.errors.append(_("%(slug)s is already in the library. Choose another name.", slug=detail))
        else:
            form.package.errors.append(_("This package cannot be used: %(detail)s. Nothing was stored.",
                                         detail=detail))
        return _page(scorm_form=form, status=400)
    flash(_("%(title)s was uploaded and is being unpacked. This page shows the result.", title=staged.title),
          "success")  # the manifest's title
    return redirect(url_for("media.library"))


def _refusal_to_form(form: VideoUploadForm, refusal: str) -> None:
    field, _sep, detail = refusal.partition(":")
    if field == "slug":
        form.slug.errors.append(_("%(slug)s is already in the library. Choose another name.", slug=detail))
    elif field == "not_a_video":
        form.video.errors.append(_("This file is not an MP4 or WebM video (it may be a web page or a document "
                                   "renamed). Nothing was stored."))
    elif field == "poster":
        reasons = {"empty": _("the file is empty"), "too_large": _("it is over 10 MB"),
                   "too_many_pixels": _("it has too many pixels"), "not_an_image": _("it is not an image"),
                   "damaged": _("the file is damaged")}
        form.poster.errors.append(_("The poster is not a usable JPEG, PNG or WebP image: %(reason)s.",
                                    reason=reasons.get(detail, detail)))
    else:
        target = form.captions_en if field == "captions_en" else form.captions_ja
        target.errors.append(_("These captions cannot be used: %(detail)s. Nothing was stored.", detail=detail))


@bp.get("/<int:upload_id>.json")
@permitted(visibility.may_manage_media)
def state(upload_id: int):
    upload = media.get(upload_id)
    if upload is None:
        return jsonify(error="not found"), 404
    return jsonify(state=upload.state.value, checking=upload.state == UploadState.CHECKING)
