"""The weekly report's data, for programs."""

from __future__ import annotations

from flask import Response, current_app, stream_with_context

from crm.api import auth
from crm.api.core import bp, parse_query
from crm.api.schemas import ReportQuery
from crm.reports.rendering import json_chunks
from crm.reports.services import deployment_zone, filters_from, rows_per_list, week_from
from crm.reports.weekly import compute_weekly_report


@bp.get("/reports/weekly/<iso_week>")
def weekly_report(iso_week: str) -> Response:
    """The same data as `flask reports weekly --format json`, for the pairings you may see."""
    # As the page and the command line read it; a refusal names the path's `iso_week`.
    week = week_from(iso_week, deployment_zone(current_app))
    query: ReportQuery = parse_query(ReportQuery)
    filters = filters_from(
        str(query.owner_id or ""), query.sector, query.country or "", reader=auth.api_user()
    )
    report = compute_weekly_report(
        week,
        viewer=auth.api_user(),
        filters=filters,
        zone=deployment_zone(current_app),
        stalled_days=current_app.config["STALLED_AFTER_DAYS"],
        list_limit=rows_per_list(current_app, "json"),
    )
    # Every row of every list, written as it is read.
    return Response(stream_with_context(json_chunks(report)), mimetype="application/json")
