"""GET /exports/<list>.csv|xlsx?<the list's filters>, and the admin's full ZIP."""

from __future__ import annotations

import tempfile

from flask import Blueprint, Response, abort, request, stream_with_context
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from crm import access
from crm.db import utcnow
from crm.exports import writing
from crm.exports.tables import TABLES, Table
from crm.routing import record_id_filter

bp = Blueprint("exports", __name__, url_prefix="/exports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


DIRECTORY_TABLES = frozenset({"people", "organisations"})


def require_readable_filters(table: Table, args: dict[str, str]) -> None:
    """A 400 for a filter the export cannot read: left out, it would export every row rather
    than those asked for, and a file, unlike a list page, does not show which filters held.
    Checked before the rows, which are written as read."""
    pairing = args.get("partnership", "")
    if pairing and record_id_filter(pairing) is None:
        abort(400, gettext("“%(value)s” is not the number of a pairing.", value=pairing))
    owner = args.get("owner", "")
    if owner and record_id_filter(owner) is None:
        abort(400, gettext("“%(value)s” is not the number of a user.", value=owner))
    status = args.get("status", "")
    if status and table.statuses and status not in table.statuses:
        abort(
            400,
            gettext(
                "There is no status “%(status)s”; choose one of %(statuses)s.",
                status=status,
                statuses=", ".join(sorted(table.statuses)),
            ),
        )


@bp.get("/<name>.<fmt>")
@login_required
def export(name: str, fmt: str) -> ResponseReturnValue:
    table = TABLES.get(name)
    if table is None or not table.in_lists or fmt not in ("csv", "xlsx"):
        abort(404)
    if name in DIRECTORY_TABLES:
        # Every pairing's people and organisations: not for a partner, who sees one pairing.
        access.require(access.can_see_other_users(current_user))
    args = request.args.to_dict()
    require_readable_filters(table, args)
    filename = f"twinning-{name}-{utcnow():%Y-%m-%d}.{fmt}"
    rows = table.rows(current_user, args)
    if fmt == "csv":
        return Response(
            stream_with_context(writing.csv_chunks(table.header, rows)),
            mimetype="text/csv",
            headers={
                "Content-Type": "text/csv; charset=utf-8",
                "Content-Disposition": f'attachment; filename="{filename}"',
            },
        )
    # XlsxWriter builds the workbook on disk (constant memory); only the zipped result is read.
    with tempfile.TemporaryFile() as spool:
        writing.write_xlsx(spool, str(table.title), table.header, rows)
        spool.seek(0)
        body = spool.read()
    return _attachment(body, XLSX, filename)


@bp.get("/full.zip")
@login_required
def full() -> ResponseReturnValue:
    if not access.can_manage_reference_data(current_user):
        abort(403)
    with writing.full_export(current_user) as archive:
        body = archive.read()
    return _attachment(body, "application/zip", f"twinning-export-{utcnow():%Y-%m-%d}.zip")


def _attachment(body: bytes, mimetype: str, filename: str) -> Response:
    return Response(
        body,
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
