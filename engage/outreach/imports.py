"""Importing paper forms and survey returns from a CSV or Excel file: upload, preview, commit.

Between preview and commit the file stays on the server (``instance/uploads``) under a
random name; the person's signed session holds that name and the file's digest, so the
commit re-reads and re-checks exactly the bytes that were previewed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, redirect, render_template, request, session, url_for
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response as BaseResponse

from engage.auth.access import allow
from engage.classification import loader
from engage.extensions import csrf, db
from engage.models import ImportBatch, OutreachSession
from engage.outreach import READERS, WORKERS, blueprint
from engage.outreach.helpers import (
    UPLOAD_LIMIT_BYTES,
    allow_larger_request,
    district_name,
    error_summary,
    inline_classifier,
    now,
    staff,
    today,
)
from engage.reference_data import reference_data
from engage.repository.outreach import list_sessions_for_choice
from engage.services import concern_import, outreach
from forms.concern_import import (
    CheckedFile,
    ImportFileError,
    ImportUploadForm,
    file_kind,
    template_csv,
)

_PENDING = "outreach_import"


def upload_dir() -> Path:
    configured = current_app.config.get("ENGAGE_UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def _sessions() -> list[OutreachSession]:
    user = staff()
    return list_sessions_for_choice(
        db.session(), created_by=None if user.role == "admin" else user.id
    )


def _form(**kwargs: Any) -> ImportUploadForm:
    choices = concern_import.session_choices(_sessions(), outreach.KIND_LABELS)
    return ImportUploadForm(session_choices=choices, **kwargs)


@blueprint.route("/import", methods=["GET", "POST"])
@allow(*WORKERS)
def import_file() -> BaseResponse | tuple[str, int] | str:
    if request.method == "GET":
        form = _form(formdata=None, data={"outreach_session": request.args.get("session")})
        return _render_upload(form)
    allow_larger_request(UPLOAD_LIMIT_BYTES)
    try:
        csrf.protect()
        form = _form()
        valid = form.validate()
    except RequestEntityTooLarge:
        form = _form(formdata=None)
        form.file.errors = ["The selected file must be smaller than 2 MB"]
        return _render_upload(form, status=413)
    if not valid:
        return _render_upload(form, status=400)

    data = form.file.data.read()
    filename = form.file.data.filename
    kind = file_kind(filename) or "csv"
    outreach_session = _chosen_session(form.session_id())
    try:
        checked = _check(data, kind, outreach_session)
    except ImportFileError as error:
        form.file.errors = [str(error)]
        return _render_upload(form, status=400)
    earlier = concern_import.earlier_import(db.session(), concern_import.digest_of(data))
    if earlier is not None:
        form.file.errors = [str(concern_import.DuplicateImport(earlier))]
        return _render_upload(form, status=409)
    del checked  # checked again on the preview page, from the stored copy
    stored = concern_import.store_upload(upload_dir(), data)
    _forget_pending()
    session[_PENDING] = {
        "token": stored.token,
        "digest": stored.digest,
        "filename": filename[:255],
        "kind": kind,
        "session_id": outreach_session.id if outreach_session else None,
        "user_id": staff().id,
    }
    return redirect(url_for("outreach.import_preview"), code=303)


csrf.exempt(import_file)


def _render_upload(form: ImportUploadForm, status: int = 200) -> tuple[str, int]:
    page = render_template(
        "outreach/import_upload.html",
        form=form,
        errors=error_summary(form) if form.errors else None,
        nav_active="outreach",
    )
    return page, status


def _chosen_session(session_id: int | None) -> OutreachSession | None:
    if session_id is None:
        return None
    return outreach.session_for(db.session(), session_id, staff(), to_edit=True)


def _check(data: bytes, kind: str, outreach_session: OutreachSession | None) -> CheckedFile:
    return concern_import.check_upload(
        data,
        kind,
        areas=reference_data().areas,
        default_district=outreach_session.district if outreach_session else None,
        today=today(),
    )


def _pending() -> tuple[dict[str, Any], bytes, OutreachSession | None] | None:
    pending: dict[str, Any] | None = session.get(_PENDING)
    if not pending or pending.get("user_id") != staff().id:
        return None
    stored = concern_import.StoredUpload(pending["token"], pending["digest"])
    try:
        data = concern_import.load_upload(upload_dir(), stored)
    except concern_import.UploadExpired:
        session.pop(_PENDING, None)
        return None
    return pending, data, _chosen_session(pending.get("session_id"))


def _forget_pending() -> None:
    pending = session.pop(_PENDING, None)
    if pending:
        concern_import.discard_upload(upload_dir(), pending["token"])


@blueprint.get("/import/preview")
@allow(*WORKERS)
def import_preview() -> BaseResponse | str:
    held = _pending()
    if held is None:
        return redirect(url_for("outreach.import_file"))
    pending, data, outreach_session = held
    try:
        checked = _check(data, pending["kind"], outreach_session)
    except ImportFileError:  # the rules changed since the upload: start again
        _forget_pending()
        return redirect(url_for("outreach.import_file"))
    return render_template(
        "outreach/import_preview.html",
        filename=pending["filename"],
        digest=pending["digest"],
        outreach_session=outreach_session,
        rows=concern_import.preview(checked, inline_classifier()),
        problems=checked.problems,
        can_import=checked.is_valid,
        kind_labels=outreach.KIND_LABELS,
        district_name=district_name,
        theme_name=reference_data().theme_name,
        nav_active="outreach",
    )


@blueprint.post("/import/commit")
@allow(*WORKERS)
def import_commit() -> BaseResponse | tuple[str, int] | str:
    held = _pending()
    if held is None or request.form.get("digest") != held[0]["digest"]:
        return redirect(url_for("outreach.import_file"), code=303)
    pending, data, outreach_session = held
    checked = _check(data, pending["kind"], outreach_session)
    if not checked.is_valid:
        return redirect(url_for("outreach.import_preview"), code=303)
    info = reference_data()
    try:
        batch = concern_import.commit_import(
            db.session(),
            checked,
            digest=pending["digest"],
            filename=pending["filename"],
            outreach_session=outreach_session,
            user_id=staff().id,
            areas=info.areas,
            consent_wording_version=info.intake.consent_wording_version,
            classifier=inline_classifier(),
            redactor=loader().redactor(),
            now=now(),
        )
    except concern_import.DuplicateImport as duplicate:
        _forget_pending()
        form = _form(formdata=None)
        form.file.errors = [str(duplicate)]
        return _render_upload(form, status=409)
    _forget_pending()
    return redirect(url_for("outreach.import_done", batch_id=batch.id), code=303)


@blueprint.get("/imports/<int:batch_id>")
@allow(*READERS)
def import_done(batch_id: int) -> str:
    user = staff()
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or (user.role not in outreach.READERS and batch.created_by != user.id):
        abort(404)
    return render_template(
        "outreach/import_done.html",
        batch=batch,
        outreach_session=(
            db.session.get(OutreachSession, batch.outreach_session_id)
            if batch.outreach_session_id
            else None
        ),
        kind_labels=outreach.KIND_LABELS,
        nav_active="outreach",
    )


@blueprint.get("/import/template.csv")
@allow(*WORKERS)
def import_template() -> Response:
    return Response(
        template_csv(),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="concerns-template.csv"'},
    )
