"""The import pages: upload, map the columns, preview, apply, with a progress bar."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_number, gettext, ngettext
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from crm import access
from crm.audit import services as audit
from crm.db import session
from crm.imports import engine, jobs, templates
from crm.imports.forms import RunForm, UploadForm
from crm.imports.kinds import IMPORTERS
from crm.imports.reading import ImportFileError, detect_format
from crm.routing import number_arg
from crm.security import accepts_large_body

bp = Blueprint("imports", __name__, url_prefix="/imports")
ROWS_PER_PAGE = 100
# Rows named in a message; the preview shows them all.
MAX_ROWS_NAMED = 10
# The longest name most file systems allow. The name goes into every history row the import
# writes ("Imported from …"), whose note has a limit of its own, so a forged longer one is cut.


@bp.get("")
@login_required
def index() -> ResponseReturnValue:
    _require_importer()
    return render_template("imports/index.html", form=UploadForm(), importers=IMPORTERS)


@bp.get("/templates/<kind>.<fmt>")
@login_required
def template(kind: str, fmt: str) -> ResponseReturnValue:
    importer = IMPORTERS.get(kind)
    if importer is None or fmt not in ("csv", "xlsx"):
        abort(404)
    body, mimetype = templates.template_file(importer, fmt)
    return Response(
        body,
        headers={
            "Content-Type": mimetype,
            "Content-Disposition": f'attachment; filename="twinning-{kind}-template.{fmt}"',
        },
    )


# A spreadsheet may be larger than the app's 2 MB limit: this request alone may carry up to
# IMPORT_MAX_MB, and a larger body is refused from its Content-Length before any of it is read.
@bp.post("")
@accepts_large_body("IMPORT_MAX_BYTES", for_whom=access.can_edit_pipeline)
@login_required
def upload() -> ResponseReturnValue:
    _require_importer()
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("imports/index.html", form=form, importers=IMPORTERS), 422
    upload_file = form.file.data
    filename = jobs.shown_filename(upload_file.filename or "")
    job = jobs.create_job(form.kind.data, current_user.id, filename, upload_file.save)
    try:
        file_format = detect_format(
            job.upload_path, encoding=form.encoding.data, separator=form.separator.data
        )
        headers = engine.read_header(job.upload_path, file_format)
    except ImportFileError as error:
        jobs.delete_job(job)
        form.file.errors = [error.message]
        return render_template("imports/index.html", form=form, importers=IMPORTERS), 422
    job.file_format = vars(file_format)
    job.headers = headers
    job.mapping = engine.guess_mapping(headers, IMPORTERS[job.kind].columns)
    jobs.save_job(job)
    return redirect(url_for(".show", token=job.token))


@bp.get("/<token>")
@login_required
def show(token: str) -> ResponseReturnValue:
    job = _job_or_404(token)
    return _render_job(job, RunForm(formdata=None, mode="all" if job.all_or_nothing else "valid"))


@bp.get("/<token>/progress")
@login_required
def progress(token: str) -> ResponseReturnValue:
    job = _job_or_404(token)
    return jsonify(jobs.read_progress(job))


@bp.post("/<token>/preview")
@login_required
def preview(token: str) -> ResponseReturnValue:
    job = _job_or_404(token)
    form = RunForm()
    if not form.validate_on_submit():
        return _render_job(job, form, status=422)
    try:
        with jobs.running(job):
            return _preview(job, form)
    except jobs.JobBusy:
        return _render_job(job, form, problems=[_busy()], status=409)


def _preview(job: jobs.Job, form: RunForm) -> ResponseReturnValue:
    _read_choices(job, form)
    problems = engine.check_mapping(job.mapping, IMPORTERS[job.kind].columns)
    if problems:
        jobs.save_job(job)
        return _render_job(job, form, problems=problems, status=422)
    try:
        summary = _run(job, apply=False)
    except ImportFileError as error:
        session.rollback()
        return _render_job(job, form, problems=[error.message], status=422)
    finally:
        session.rollback()  # a preview never writes
    job.summary = summary.to_json()
    job.state = "previewed"
    jobs.save_job(job)
    return redirect(url_for(".show", token=job.token))


@bp.post("/<token>/apply")
@login_required
def apply(token: str) -> ResponseReturnValue:
    job = _job_or_404(token)
    form = RunForm()
    if not form.validate_on_submit():
        return _render_job(job, form, status=422)
    try:
        with jobs.running(job):
            # Read again under the lock: a run that ended a moment ago may have applied it.
            job = jobs.load_job(token) or job
            if job.state != "previewed":
                return _refuse_unpreviewed(job, form)
            return _apply(job, form)
    except jobs.JobBusy:
        return _render_job(job, form, problems=[_busy()], status=409)


def _refuse_unpreviewed(job: jobs.Job, form: RunForm) -> ResponseReturnValue:
    flash(gettext("Preview the file before importing it."), "warning")
    return _render_job(job, form, status=409)


def _busy() -> str:
    return gettext(
        "This import is being previewed or imported in another window or tab; wait until that "
        "ends, then reload the page."
    )


def _apply(job: jobs.Job, form: RunForm) -> ResponseReturnValue:
    job.all_or_nothing = form.mode.data != "valid"
    applied_log = jobs.apply_log_name()
    try:
        summary = _run(job, apply=True, log_name=applied_log)
        unlike_preview = jobs.rows_unlike_preview(job, applied_log)
        if summary.applied and not unlike_preview:
            session.commit()
        else:
            session.rollback()
    except (ImportFileError, IntegrityError) as error:
        session.rollback()
        jobs.drop_log(job, applied_log)
        message = (
            error.message
            if isinstance(error, ImportFileError)
            else gettext(
                "Nothing was imported: someone changed the same records meanwhile. Try again."
            )
        )
        return _render_job(job, form, problems=[message], status=409)
    if unlike_preview:
        # Nothing was written. A new preview shows what the file would do now, to be checked
        # before the next apply.
        jobs.drop_log(job, applied_log)
        try:
            job.summary = _run(job, apply=False).to_json()
        finally:
            session.rollback()
        jobs.save_job(job)
        return _render_job(job, form, problems=[_changed_since_preview(unlike_preview)], status=409)
    jobs.show_applied_rows(job, applied_log)
    job.applied_summary = summary.to_json()
    job.summary = summary.to_json()
    job.state = "applied" if summary.applied else "previewed"
    jobs.save_job(job)
    if summary.applied:
        flash(
            ngettext(
                "Imported %(count)s row from %(file)s.",
                "Imported %(count)s rows from %(file)s.",
                summary.written,
                count=format_number(summary.written),
                file=job.filename,
            ),
            "success",
        )
    else:
        flash(gettext("Nothing was imported: some rows have errors (see below)."), "warning")
    return redirect(url_for(".show", token=job.token))


def _changed_since_preview(rows: list[int]) -> str:
    # Row numbers listed, not counted: one message for one row, one for a list of them.
    if len(rows) == 1:
        return gettext(
            "Nothing was imported: the register changed since the preview, and row %(row)s "
            "would now do something else. The preview below is as things stand now; check it "
            "and import again.",
            row=rows[0],
        )
    # Without digit grouping: "rows 1,204, 1,310" would read as four numbers.
    shown = ", ".join(str(number) for number in rows[:MAX_ROWS_NAMED])
    if len(rows) > MAX_ROWS_NAMED:
        shown = gettext(
            "%(rows)s and %(more)s more",
            rows=shown,
            more=format_number(len(rows) - MAX_ROWS_NAMED),
        )
    return gettext(
        "Nothing was imported: the register changed since the preview, and rows %(rows)s would "
        "now do something else. The preview below is as things stand now; check it and import "
        "again.",
        rows=shown,
    )


def _run(job: jobs.Job, *, apply: bool, log_name: str = jobs.PREVIEW_LOG) -> engine.Summary:
    importer = IMPORTERS[job.kind](user=current_user, source=job.filename)
    progress_writer = jobs.ProgressWriter(job)
    try:
        with jobs.RowLog(job, log_name) as log:
            summary = engine.run(
                job.upload_path,
                job.format,
                importer,
                job.mapping,
                apply=apply,
                all_or_nothing=job.all_or_nothing,
                on_row=log,
                on_progress=progress_writer,
            )
    except Exception:
        # Whatever stopped the run, the poll must not go on reporting the phase it stopped in.
        progress_writer.finished(jobs.FAILED)
        raise
    progress_writer.finished(jobs.DONE)
    return summary


def _read_choices(job: jobs.Job, form: RunForm) -> None:
    columns = {column.key for column in IMPORTERS[job.kind].columns}
    mapping = {}
    for index, header in enumerate(job.headers):
        chosen = request.form.get(f"map-{index}", job.mapping.get(header, ""))
        mapping[header] = chosen if chosen in columns else ""
    job.mapping = mapping
    job.all_or_nothing = form.mode.data != "valid"


def _render_job(
    job: jobs.Job, form: RunForm, *, problems: list[str] | None = None, status: int = 200
) -> ResponseReturnValue:
    if job.state == "applied":
        # The page draws no form once the file is applied: what the form refused goes on top.
        problems = [*(problems or []), *(e for errors in form.errors.values() for e in errors)]
    mark = request.args.get("mark", "")
    mark = mark if mark in engine.MARKS else ""
    page = number_arg("page", 1, least=1)
    rows = []
    if job.state in ("previewed", "applied"):
        rows = jobs.read_rows(
            job, mark=mark, offset=(page - 1) * ROWS_PER_PAGE, limit=ROWS_PER_PAGE + 1
        )
    importer = IMPORTERS[job.kind]
    context: dict[str, Any] = {
        "job": job,
        "form": form,
        "importer": importer,
        "column_labels": {
            engine.ROW_ERROR: gettext("Row"),
            **{column.key: column.label for column in importer.columns},
        },
        "problems": problems or [],
        "rows": rows[:ROWS_PER_PAGE],
        "has_more": len(rows) > ROWS_PER_PAGE,
        "mark": mark,
        "page": page,
        "summary": job.preview_summary,
    }
    return render_template("imports/job.html", **context), status


def _job_or_404(token: str) -> jobs.Job:
    """The job, for its uploader (or an admin); anyone else gets the 404 of a token that does
    not exist, as for a pairing they may not see, and the refusal goes in the audit log."""
    _require_importer()
    job = jobs.load_job(token)
    if job is None or job.kind not in IMPORTERS:
        abort(404)
    if not access.may_use_import_job(current_user, job.user_id):
        audit.record_denial()  # the entry keeps the path, which names the job
        abort(404)
    return job


def _require_importer() -> None:
    if not access.can_edit_pipeline(current_user):
        abort(403)
