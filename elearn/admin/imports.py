"""Web import of the organisation tree, the staff list and past training records: upload, full plan, then
apply; past-training imports are listed and can be undone one file at a time."""

from flask import Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from elearn.admin.blueprint import bp
from elearn.admin.forms import ImportApplyForm, ImportUploadForm, UndoImportForm
from elearn.admin.passwords import passwords_download
from elearn.imports.columns import RowError, group_errors
from elearn.services import import_runs, visibility
from elearn.services.files import uploads
from elearn.services.learning import history_import
from elearn.services.people import import_samples, importer, orgs
from elearn.services.reports.spreadsheets import Sheet, csv_bytes, xlsx_bytes
from elearn.web import content_disposition, permitted, viewer

SAMPLE_NAMES = {"staff": "職員一覧_見本", "orgs": "所属一覧_見本", "history": "研修履歴_見本"}
SAMPLE_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}

# kind -> (preview(data, filename, deactivate_missing), apply(data, filename, actor, deactivate_missing))
KINDS = {
    "staff": (
        lambda data, name, deactivate: importer.preview_staff_import(data, name, deactivate_missing=deactivate),
        lambda data, name, actor, deactivate: importer.apply_staff_import(
            data, name, actor, deactivate_missing=deactivate
        ),
    ),
    "orgs": (
        lambda data, name, _deactivate: importer.preview_org_import(data, name),
        lambda data, name, actor, _deactivate: importer.apply_org_import(data, name, actor),
    ),
    "history": (
        lambda data, name, _deactivate: history_import.preview(data, name),
        lambda data, name, actor, _deactivate: history_import.apply(data, name, actor),
    ),
}
REJECTED = (importer.ImportRejected, history_import.HistoryImportRejected)


@bp.url_value_preprocessor
def _import_upload_limit(endpoint: str | None, values: dict | None) -> None:
    """The import upload's own request limit, set before CSRF protection reads the form; only for administrators."""
    if endpoint == "admin.import_upload" and current_user.is_authenticated and visibility.may_administer(viewer()):
        request.max_content_length = current_app.config["IMPORT_UPLOAD_LIMIT"]


@bp.route("/import/<kind>", methods=["GET", "POST"])
@permitted(visibility.may_administer)
def import_upload(kind: str):
    preview, _apply = KINDS.get(kind) or abort(404)
    form = ImportUploadForm()
    if not form.validate_on_submit():
        return render_template("admin/import_upload.html", form=form, kind=kind,
                               guide=import_samples.column_guide(kind), runs=import_runs.recent(kind))
    data, filename = form.file.data.read(), form.file.data.filename
    deactivate_missing = kind == "staff" and bool(form.deactivate_missing.data)
    plan = preview(data, filename, deactivate_missing)  # file-level problems come back as plan errors
    options = {"deactivate_missing": deactivate_missing,
               "in_background": plan.is_valid and import_runs.in_background(kind, plan)}
    upload_id = uploads.save_pending(current_user.id, data, filename, options) if plan.is_valid else ""
    apply_form = ImportApplyForm(upload_id=upload_id)
    return render_template(
        f"admin/import_plan_{kind}.html", plan=plan, kind=kind, filename=filename, apply_form=apply_form,
        unit_names=orgs.unit_names(), options=options,
    )


@bp.post("/import/<kind>/apply")
@permitted(visibility.may_administer)
def import_apply(kind: str):
    _preview_fn, apply = KINDS.get(kind) or abort(404)
    form = ImportApplyForm()
    if not form.validate_on_submit():
        abort(400)
    pending = uploads.load_pending(current_user.id, form.upload_id.data)
    if pending is None:
        flash(_("The uploaded file has expired. Upload it again."), "error")
        return redirect(url_for("admin.import_upload", kind=kind))
    data, filename, options = pending
    if options.get("in_background"):
        run = import_runs.start(kind, current_user, form.upload_id.data, filename,
                                options.get("deactivate_missing", False))
        return redirect(url_for("admin.import_run", run_id=run.id))
    try:
        # Exactly what was previewed: the options come from the stored upload, not from the request.
        result = apply(data, filename, current_user, options.get("deactivate_missing", False))
    except REJECTED as rejected:
        # The data changed since the preview and the file no longer applies cleanly.
        return render_template(
            f"admin/import_plan_{kind}.html", plan=rejected.plan, kind=kind, filename=filename,
            apply_form=None, unit_names=orgs.unit_names(), options=options,
        ), 409
    uploads.discard(current_user.id, form.upload_id.data)
    initial = getattr(result, "initial_passwords", None)
    download = passwords_download(initial) if initial else None
    return render_template(f"admin/import_done_{kind}.html", result=result, filename=filename, download=download)


@bp.get("/import/runs/<int:run_id>")
@permitted(visibility.may_administer)
def import_run(run_id: int):
    run = import_runs.get(run_id) or abort(404)
    return render_template("admin/import_run.html", run=run, errors=import_runs.stored_errors(run))


@bp.get("/import/runs/<int:run_id>/state")
@permitted(visibility.may_administer)
def import_run_state(run_id: int):
    """What the run's page polls for while the worker has it."""
    run = import_runs.get(run_id) or abort(404)
    return jsonify(checking=run.waiting, state=run.state.value)


@bp.get("/import/<kind>/sample.<file_format>")
@permitted(visibility.may_administer)
def import_sample(kind: str, file_format: str):
    if kind not in KINDS or file_format not in SAMPLE_TYPES:
        abort(404)
    header, rows = import_samples.sample(kind)
    # Through the spreadsheet helpers: text that looks like a formula stays text.
    data = xlsx_bytes([Sheet(kind, header, rows)]) if file_format == "xlsx" else csv_bytes(header, rows)
    return Response(data, mimetype=SAMPLE_TYPES[file_format], headers={
        "Content-Disposition": content_disposition(f"{SAMPLE_NAMES[kind]}.{file_format}")})


@bp.get("/history-imports/")
@permitted(visibility.may_administer)
def history_imports():
    return render_template("admin/history_imports.html", imports=history_import.imports())


@bp.route("/history-imports/<int:import_id>/undo", methods=["GET", "POST"])
@permitted(visibility.may_administer)
def history_import_undo(import_id: int):
    batch = history_import.get(import_id) or abort(404)
    form = UndoImportForm()
    if batch.undone_at is None and form.validate_on_submit():
        try:
            removed = history_import.undo(current_user, import_id)
        except history_import.UndoRefused:
            flash(_("This import has already been undone."), "error")
        else:
            flash(_("Removed %(count)d records of %(file)s.", count=removed, file=batch.filename), "success")
        return redirect(url_for("admin.history_imports"))
    return render_template("admin/history_import_undo.html", batch=batch, form=form,
                           certificates=history_import.certificates_of(import_id))


@bp.app_template_filter("row_error")
def row_error(error: RowError) -> str:
    """An import error in the reader's language (the planners hand over message ids)."""
    return error.render(_)


bp.add_app_template_filter(group_errors, "error_groups")
