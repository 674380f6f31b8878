import io

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from elearn import jobs
from elearn.dates import fiscal_year_text
from elearn.domain.archive_names import safe_member_name
from elearn.domain.certificates import CertificateState, grouped_code, normalise_code
from elearn.domain.fiscal import fiscal_year_label
from elearn.extensions import limiter
from elearn.models import Certificate
from elearn.services import certificates, visibility
from elearn.services.certificates import pdf as certificate_pdf
from elearn.services.learning import records
from elearn.web import content_disposition, permitted, viewer, zip_stream

bp = Blueprint("certificates", __name__)

# Codes carry 120 random bits, so guessing is hopeless; the limit keeps scanners from even trying and
# keeps a leaked list of codes from being checked in bulk.
_verify_limit = limiter.limit(lambda: current_app.config["VERIFY_LIMIT"])
# A preparation step renders for about this long: short enough for any proxy's timeout and for the page
# to show progress often, long enough that the requests cost little next to the rendering.


@bp.get("/certificates/")
@login_required
def mine():
    imported = [record for record in records.of_person(current_user.id)
                if record.is_imported and record.certificate_id is None]
    return render_template("certificates/mine.html", certificates=certificates.of_holder(current_user.id),
                           imported=imported)


@bp.get("/certificates/<int:certificate_id>.pdf")
@login_required
def pdf(certificate_id: int):
    certificate = certificates.get(certificate_id) or abort(404)
    if not visibility.may_download_certificate(viewer(), certificate):
        abort(403)
    etag = certificate_pdf.current_etag(certificate)
    if etag is not None and etag in request.if_none_match:
        return _revalidate(Response(status=304), etag)
    rendered = certificate_pdf.pdf_of(certificate)
    name = _("Certificate_%(serial)s", serial=certificate.serial) + ".pdf"
    response = send_file(io.BytesIO(rendered.content), mimetype="application/pdf", download_name=name,
                         etag=rendered.etag, last_modified=rendered.rendered_at, conditional=True)
    return _revalidate(response, rendered.etag)


def _revalidate(response: Response, etag: str) -> Response:
    # Revalidate every time (a revocation changes the PDF) but let the browser keep a copy.
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _team_selection() -> certificates.TeamSelection:
    unit_id = request.args.get("unit", type=int)
    return certificates.TeamSelection(request.args.get("fiscal_year", type=int), unit_id,
                                      unit_alone=unit_id is not None and request.args.get("alone") == "1")


def _selection_args(selection: certificates.TeamSelection) -> dict:
    return {"fiscal_year": selection.fiscal_year, "unit": selection.unit_id,
            "alone": 1 if selection.unit_alone else None}


@bp.get("/team/certificates/")
@permitted(visibility.may_see_team)  # the ZIP's policy and scope, exactly
def team_download():
    """The team page's link: the ZIP at once when every PDF is stored, else a page that prepares them."""
    selection = _team_selection()
    progress = certificate_pdf.team_progress(viewer(), selection)
    if not progress.total:
        flash(_("There are no certificates to download for that year."), "info")
        return redirect(url_for("reports.team"))
    if progress.total > certificates.TEAM_ARCHIVE_LIMIT:
        flash(_("%(count)d certificates are too many for one file (at most %(limit)d). Choose a unit on the team "
                "page, or a single year.", count=progress.total, limit=certificates.TEAM_ARCHIVE_LIMIT), "error")
        return redirect(url_for("reports.team", unit=selection.unit_id))
    if progress.is_complete:
        return redirect(url_for(".team_zip", **_selection_args(selection)), 303)
    return render_template("certificates/team_prepare.html", progress=progress, selection=selection,
                           args=_selection_args(selection))


@bp.post("/team/certificates/prepare")
@permitted(visibility.may_see_team)
def team_prepare():
    """Say how far the selection's PDFs are, and have the worker render the missing ones (queued once per
    person and selection, however often the page asks)."""
    selection = _team_selection()
    progress = certificate_pdf.team_progress(viewer(), selection)
    if progress.total > certificates.TEAM_ARCHIVE_LIMIT:
        abort(413)
    if not progress.is_complete:
        key = certificate_pdf.preparation_key(current_user.id, selection)
        jobs.enqueue_once(key, "render_certificates", key, current_user.id, selection.fiscal_year, selection.unit_id,
                          selection.unit_alone)
    return jsonify(done=progress.done, total=progress.total)


@bp.get("/team/certificates.zip")
@permitted(visibility.may_see_team)  # the scope of the team page: admins see every body
def team_zip():
    selection = _team_selection()
    count = certificates.team_count(viewer(), selection)
    if not count:
        flash(_("There are no certificates to download for that year."), "info")
        return redirect(url_for("reports.team"))
    if count > certificates.TEAM_ARCHIVE_LIMIT:  # the download page says why
        return redirect(url_for(".team_download", **_selection_args(selection)))
    team = certificates.for_team(viewer(), selection)
    # Names are fixed now; each PDF is fetched in the session alive while the stream runs.
    entries = [(name, lambda certificate_id=c.id: certificate_pdf.pdf_of(certificates.get(certificate_id)).content)
               for name, c in zip(_member_names(team), team, strict=True)]
    # Streamed: PDFs not rendered yet are rendered as the archive goes out, so a large team neither
    # waits for all of them before the first byte nor holds the whole archive in memory.
    response = Response(stream_with_context(zip_stream(entries)), mimetype="application/zip")
    fiscal_year = selection.fiscal_year
    response.headers["Content-Disposition"] = content_disposition(
        (_("Certificates_%(fiscal_year)s", fiscal_year=fiscal_year_text(fiscal_year)) if fiscal_year
         else _("Certificates")) + ".zip")
    return response


def _member_names(team: list[Certificate]) -> list[str]:
    """Archive paths from staff records, made safe (a name holding `../` stays inside its folder) and
    unique; with several bodies (an administrator's team) each body has its own folder."""
    several_bodies = len({c.body_id for c in team}) > 1
    names: list[str] = []
    taken: set[str] = set()
    for c in team:
        folder = fiscal_year_label(c.fiscal_year)
        if several_bodies:
            folder = f"{safe_member_name(c.body.code)}/{folder}"
        stem = "_".join([safe_member_name(c.holder.staff_number, 20), safe_member_name(c.holder_name, 40),
                         safe_member_name(c.serial, 30)])
        name, copy = f"{folder}/{stem}.pdf", 1
        while name.casefold() in taken:  # extracting tools on Windows and macOS ignore case
            copy += 1
            name = f"{folder}/{stem}_{copy}.pdf"
        taken.add(name.casefold())
        names.append(name)
    return names


@bp.get("/verify/")
def verify_form():
    typed = request.args.get("code", "")
    if typed.strip():
        return redirect(url_for("certificates.verify", code=normalise_code(typed) or "-"))
    return render_template("certificates/verify_form.html")


@bp.get("/verify/<code>")
@_verify_limit
def verify(code: str):
    certificate = certificates.by_code(code)
    if certificate is None:
        return render_template("certificates/verify.html", certificate=None, typed=code), 404
    replacement = certificate.superseded_by if certificate.state is CertificateState.SUPERSEDED else None
    return render_template("certificates/verify.html", certificate=certificate, replacement=replacement,
                           code=grouped_code(certificate.verification_code))
