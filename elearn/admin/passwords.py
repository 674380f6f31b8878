"""Initial passwords: issued again in bulk to accounts never signed in to, and handed out as a one-time CSV.

The CSV is written into the result page itself as a data: link. The page is served no-store and nothing is kept
on the server, so the file exists only in the browser tab that shows the passwords, for as long as it is open."""

from __future__ import annotations

import base64
from collections.abc import Sequence

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elearn.admin.blueprint import bp
from elearn.admin.forms import ReissueForm
from elearn.clock import today_in_japan
from elearn.dates import date_text, file_date
from elearn.services import visibility
from elearn.services.directory import initial_passwords
from elearn.services.people.importer import InitialPassword
from elearn.services.reports.spreadsheets import csv_bytes
from elearn.web import permitted, viewer


def passwords_download(passwords: Sequence[InitialPassword]) -> dict[str, str]:
    """href and file name of the in-page CSV: body code, staff number, name, email, password, expiry.
    Names and addresses that look like formulas stay text (csv_bytes)."""
    header = [_("Organisation"), _("Staff number"), _("Name"), _("Email"), _("Initial password"), _("Expires")]
    rows = [[item.body_code, item.staff_number, item.name, item.email or "", item.password,
             date_text(item.expires_at)] for item in passwords]
    encoded = base64.b64encode(csv_bytes(header, rows)).decode("ascii")
    return {"href": f"data:text/csv;charset=utf-8;base64,{encoded}",
            "filename": _("Initial passwords_%(date)s", date=file_date(today_in_japan())) + ".csv"}


@bp.get("/initial-passwords")
@permitted(visibility.may_administer)
def reissue_confirm():
    code = request.args.get("unit", "").strip()[:32]
    unit = initial_passwords.find_unit(code)
    count = initial_passwords.count_never_signed_in(viewer(), unit) if unit or not code else 0
    form = ReissueForm(unit_code=unit.code if unit else "", confirmed_count=str(count))
    return render_template("admin/initial_passwords_reissue.html", form=form, code=code, unit=unit, count=count,
                           unknown_unit=bool(code) and unit is None)


@bp.post("/initial-passwords")
@permitted(visibility.may_administer)
def reissue():
    form = ReissueForm()
    if not form.validate_on_submit():
        abort(400)
    unit = initial_passwords.find_unit(form.unit_code.data or "")
    if form.unit_code.data and unit is None:
        abort(400)
    try:
        passwords = initial_passwords.reissue(current_user, viewer(), unit, int(form.confirmed_count.data))
    except initial_passwords.ListChanged as changed:
        flash(_("The list changed since you confirmed it (now %(count)d accounts); nothing was reissued. "
                "Check the count and confirm again.", count=changed.now), "error")
        return redirect(url_for("admin.reissue_confirm", unit=unit.code if unit else None))
    return render_template("admin/initial_passwords_done.html", passwords=passwords, unit=unit,
                           download=passwords_download(passwords) if passwords else None)
