"""Admin pages for certificates: find, revoke, reissue, and who signs each body's certificates."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from elearn.admin.blueprint import bp
from elearn.admin.forms import IssuerForm, RevokeForm
from elearn.auth.forms import EmptyForm
from elearn.domain.certificates import CertificateState
from elearn.services import certificates, visibility
from elearn.services.certificates import CertificateRefused, issuers
from elearn.services.certificates.issuers import IssuerChange
from elearn.services.certificates.seal_image import SealRejected
from elearn.services.people import orgs
from elearn.web import permitted, viewer

REFUSALS = {
    "revoked": _l("This certificate is already revoked."),
    "superseded": _l("This certificate was already replaced by a reissued one."),
    "reason": _l("Give a reason."),
}
SEAL_ERRORS = {
    "empty": _l("The seal file is empty."),
    "too_large": _l("The seal file is larger than 2 MB."),
    "too_many_pixels": _l("The seal image is too large (at most 4096 × 4096 pixels)."),
    "not_an_image": _l("The seal file is not a PNG, JPEG or WebP image."),
    "damaged": _l("The seal image is damaged or incomplete."),
}


@bp.get("/certificates/")
@permitted(visibility.may_administer)
def certificate_list():
    state_value = request.args.get("state", "")
    state = CertificateState(state_value) if state_value in set(CertificateState) else None
    fiscal_year = request.args.get("fiscal_year", type=int)
    q = request.args.get("q", "")
    renamed = request.args.get("renamed") == "1"
    page = certificates.search(viewer(), q, fiscal_year, state, request.args.get("page", 1, type=int),
                               renamed=renamed)
    return render_template("admin/certificate_list.html", page=page, q=q, state=state_value, renamed=renamed,
                           fiscal_year=fiscal_year, fiscal_years=certificates.fiscal_years())


@bp.get("/certificates/<int:certificate_id>")
@permitted(visibility.may_administer)
def certificate_detail(certificate_id: int):
    certificate = certificates.get(certificate_id) or abort(404)
    return _detail(certificate, RevokeForm())


def _detail(certificate, revoke_form):  # type: ignore[no-untyped-def]
    return render_template("admin/certificate_detail.html", certificate=certificate, revoke_form=revoke_form,
                           form=EmptyForm(), history=certificates.history(certificate))


@bp.post("/certificates/<int:certificate_id>/revoke")
@permitted(visibility.may_administer)
def revoke_certificate(certificate_id: int):
    certificate = certificates.get(certificate_id) or abort(404)
    form = RevokeForm()
    if not form.validate_on_submit():
        return _detail(certificate, form), 400
    try:
        certificates.revoke(current_user, certificate.id, form.reason.data)
    except CertificateRefused as refused:
        flash(str(REFUSALS[str(refused)]), "error")
    else:
        flash(_("Certificate %(serial)s revoked.", serial=certificate.serial), "success")
    return redirect(url_for("admin.certificate_detail", certificate_id=certificate.id))


@bp.post("/certificates/<int:certificate_id>/reissue")
@permitted(visibility.may_administer)
def reissue_certificate(certificate_id: int):
    certificate = certificates.get(certificate_id) or abort(404)
    try:
        new = certificates.reissue(current_user, certificate.id)
    except CertificateRefused as refused:
        flash(str(REFUSALS[str(refused)]), "error")
        return redirect(url_for("admin.certificate_detail", certificate_id=certificate.id))
    flash(_("Reissued as %(serial)s; %(old)s is now marked as replaced.", serial=new.serial, old=certificate.serial),
          "success")
    return redirect(url_for("admin.certificate_detail", certificate_id=new.id))


@bp.get("/issuers/")
@permitted(visibility.may_administer)
def issuer_list():
    bodies = orgs.bodies()
    return render_template("admin/issuer_list.html", bodies=bodies,
                           issuers={body.id: issuers.issuer_of(body.id) for body in bodies})


@bp.route("/issuers/<code>", methods=["GET", "POST"])
@permitted(visibility.may_administer)
def issuer_edit(code: str):
    body = next((body for body in orgs.bodies() if body.code == code), None) or abort(404)
    current = issuers.issuer_of(body.id)
    form = IssuerForm(data={"title": current.title, "name": current.name} if current else None)
    if form.validate_on_submit():
        upload = form.seal.data.read() if form.seal.data else None
        try:
            issuers.save(current_user, body, IssuerChange(form.title.data, form.name.data or "", upload,
                                                          form.remove_seal.data))
        except SealRejected as rejected:
            form.seal.errors = [str(SEAL_ERRORS[str(rejected)])]
        else:
            flash(_("Saved. Certificates issued from now on carry this signer."), "success")
            return redirect(url_for("admin.issuer_list"))
    status = 400 if request.method == "POST" else 200
    return render_template("admin/issuer_edit.html", form=form, body=body, current=current), status


@bp.get("/issuers/<code>/seal.png")
@permitted(visibility.may_administer)
def issuer_seal(code: str):
    body = next((body for body in orgs.bodies() if body.code == code), None) or abort(404)
    current = issuers.issuer_of(body.id)
    if current is None or current.seal_id is None:
        abort(404)
    return issuers.seal_png(current.seal_id), 200, {"Content-Type": "image/png"}
