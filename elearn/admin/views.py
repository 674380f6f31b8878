from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from elearn.admin import (
    audit,  # noqa: F401  (registers the audit log routes on bp)
    imports,  # noqa: F401  (registers the import routes on bp)
    mail,  # noqa: F401  (registers the mail and job logs on bp)
    passwords,  # noqa: F401  (registers the initial password routes on bp)
    reporting,  # noqa: F401  (registers the KPI and deadline routes on bp)
)
from elearn.admin import certificates as certificate_pages  # noqa: F401  (registers its routes on bp)
from elearn.admin.blueprint import bp
from elearn.admin.forms import GrantForm
from elearn.auth.forms import EmptyForm
from elearn.domain.people import Permission
from elearn.services import certificates, visibility
from elearn.services.directory import admin, staff
from elearn.services.learning import records
from elearn.services.people import accounts
from elearn.web import permitted, safe_next_url, viewer

__all__ = ["bp"]

GRANT_ERRORS = {
    "unknown_unit": _l("No unit has that code."),
    "reporter_needs_body": _l("A reporter covers a whole body: give the prefecture's or a municipality's code."),
    "organiser_needs_body": _l("A training organiser runs a whole body's training: give the prefecture's or a "
                               "municipality's code."),
    "duplicate": _l("That permission is already granted."),
}


@bp.get("/")
@permitted(visibility.may_administer)
def index():
    return render_template("admin/index.html")


@bp.get("/staff")
@permitted(visibility.may_administer)
def staff_list():
    page = staff.list_visible_staff(
        viewer(),
        search=request.args.get("q", ""),
        page=request.args.get("page", 1, type=int),
        include_inactive=True,
    )
    return render_template("admin/staff_list.html", page=page, q=request.args.get("q", ""))


@bp.get("/staff/<int:staff_id>")
@permitted(visibility.may_administer)
def staff_detail(staff_id: int):
    member = admin.staff_member(viewer(), staff_id) or abort(404)
    return render_template("admin/staff_detail.html", member=member, form=EmptyForm(), grant_form=GrantForm(),
                           certificates=certificates.of_holder(member.id), records=records.of_person(member.id))


@bp.post("/staff/<int:staff_id>/records/<int:completion_id>/certificate")
@permitted(visibility.may_administer)
def issue_record_certificate(staff_id: int, completion_id: int):
    member = admin.staff_member(viewer(), staff_id) or abort(404)
    if not any(record.completion_id == completion_id and record.is_imported for record in records.of_person(member.id)):
        abort(404)
    try:
        certificate = certificates.issue_for_record(current_user, completion_id)
    except certificates.CertificateRefused:
        flash(_("A certificate has already been issued for this record."), "error")
    else:
        flash(_("Certificate %(serial)s issued from the record.", serial=certificate.serial), "success")
    return redirect(url_for("admin.staff_detail", staff_id=member.id))


@bp.post("/staff/<int:staff_id>/temporary-password")
@permitted(visibility.may_administer)
def temporary_password(staff_id: int):
    member = admin.staff_member(viewer(), staff_id) or abort(404)
    password = accounts.issue_temporary_password(current_user, member.id)
    return render_template("admin/secret_once.html", member=member, password=password)


@bp.post("/staff/<int:staff_id>/reset-link")
@permitted(visibility.may_administer)
def reset_link(staff_id: int):
    member = admin.staff_member(viewer(), staff_id) or abort(404)
    token = accounts.create_reset_link_token(current_user, member.id)
    link = url_for("auth.reset_password", token=token, _external=True)
    return render_template("admin/secret_once.html", member=member, link=link)


@bp.post("/staff/<int:staff_id>/active")
@permitted(visibility.may_administer)
def set_active(staff_id: int):
    member = admin.staff_member(viewer(), staff_id) or abort(404)
    make_active = request.form.get("active") == "1"
    if member.id == current_user.id and not make_active:
        flash(_("You cannot deactivate your own account."), "error")
    else:
        staff.set_active(current_user, member.id, make_active)
        flash(_("Reactivated.") if make_active else _("Deactivated; their sessions have ended."), "success")
    return redirect(url_for("admin.staff_detail", staff_id=member.id))


@bp.post("/staff/<int:staff_id>/grants")
@permitted(visibility.may_administer)
def add_grant(staff_id: int):
    member = admin.staff_member(viewer(), staff_id) or abort(404)
    form = GrantForm()
    if form.validate_on_submit():
        try:
            admin.grant(current_user, member.id, Permission(form.permission.data), form.unit_code.data,
                        is_editor=form.editor.data)
            flash(_("Permission granted."), "success")
        except admin.GrantError as error:
            flash(GRANT_ERRORS[str(error)], "error")
    return redirect(url_for("admin.staff_detail", staff_id=member.id))


@bp.post("/grants/<int:grant_id>/delete")
@permitted(visibility.may_administer)
def remove_grant(grant_id: int):
    admin.revoke(current_user, grant_id)
    flash(_("Permission removed."), "success")
    return redirect(safe_next_url(request.form.get("next"), url_for("admin.staff_list")))

