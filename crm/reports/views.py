from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_login import current_user, login_required

from crm.db import session, utcnow
from crm.errors import DomainError
from crm.partnerships.filter_choices import filter_choices
from crm.reports import rendering, services
from crm.reports.weekly import ReportFilters, compute_weekly_report
from crm.reports.weeks import FIRST_WEEK, LAST_WEEK, IsoWeek
from crm.routing import LinkById

bp = Blueprint("reports", __name__, url_prefix="/reports")

FORMATS = ("html", "pdf", "csv", "xlsx", "json")
REPORT_FILTERS = ("owner", "sector", "country")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@bp.get("/weekly")
@login_required
def weekly() -> ResponseReturnValue:
    zone = services.deployment_zone(current_app)
    args = request.args
    week_text = args.get("week", "")
    fmt = args.get("format", "html")
    filters = ReportFilters()
    week: IsoWeek | None = None
    try:
        # The filters first: when only the week is wrong, the page that says so keeps them.
        filters = services.filters_from(
            args.get("owner", ""),
            args.get("sector", ""),
            args.get("country", ""),
            reader=current_user,
        )
        week = services.week_from(week_text, zone)
        if fmt not in FORMATS:
            raise DomainError(
                gettext(
                    "There is no “%(format)s” format; choose one of %(formats)s.",
                    format=fmt,
                    formats=", ".join(FORMATS),
                )
            )
        section = args.get("section", "moves")
        if fmt == "csv" and section not in rendering.SECTION_KEYS:
            raise DomainError(gettext("There is no section “%(section)s”.", section=section))
    except DomainError as error:
        # The week asked for links on from itself when it is not what was wrong.
        fallback = week or IsoWeek.last_complete(utcnow(), zone)
        return _page(fallback, filters, None, week_text, error=error.message), 400

    report = compute_weekly_report(
        week,
        viewer=current_user,
        zone=zone,
        filters=filters,
        stalled_days=current_app.config["STALLED_AFTER_DAYS"],
        list_limit=services.rows_per_list(current_app, fmt),
    )
    stem = f"twinning-weekly-{week}"
    if fmt == "json":
        # Every row of every list, written as it is read (a week can hold 200,000 of them).
        return Response(
            stream_with_context(rendering.json_chunks(report)), mimetype="application/json"
        )
    if fmt == "pdf":
        try:
            pdf = rendering.to_pdf(report, zone)
        except OSError:  # WeasyPrint could not load Pango
            current_app.logger.exception("PDF rendering is unavailable")
            return _page(
                week,
                filters,
                report,
                str(week),
                error=gettext("The PDF cannot be made on this server (Pango is missing)."),
            ), 503
        return _download(pdf, "pdf", f"{stem}.pdf")
    if fmt == "xlsx":
        return _download(rendering.to_xlsx(report, zone), "xlsx", f"{stem}.xlsx")
    if fmt == "csv":
        rows = stream_with_context(rendering.csv_chunks(report, zone, section))
        return _download(rows, "csv", f"{stem}-{section}.csv")
    return _page(week, filters, report, str(week))


@bp.post("/subscription")
@login_required
def subscription() -> ResponseReturnValue:
    subscribe = request.form.get("subscribe") == "1"
    services.set_subscription(current_user, subscribe)
    session.commit()
    if subscribe:
        flash(
            gettext(
                "You will get the weekly report by e-mail at %(email)s every Monday.",
                email=current_user.email,
            ),
            "success",
        )
    else:
        flash(gettext("You will no longer get the weekly report by e-mail."), "success")
    # Back to the week and filters the reader was on; url_for keeps it a path of this site.
    back = {key: request.form[key] for key in ("week", *REPORT_FILTERS) if request.form.get(key)}
    return redirect(url_for(".weekly", **back))


def _page(
    week: IsoWeek, filters: ReportFilters, report: Any, week_text: str, error: str | None = None
) -> str:
    zone = services.deployment_zone(current_app)
    if report:
        pairing_link = LinkById("partnerships.show", "partnership_id")
        context = rendering.template_context(report, zone, pairing_link)
    else:
        context = {"zone": zone}
    return render_template(
        "reports/weekly.html",
        week=week,
        week_text=week_text if error else str(week),
        # None at the ends of the span the CRM keeps: no link to a week it would refuse,
        previous_week=week.previous() if week > FIRST_WEEK else None,
        # and none to a week that has not begun.
        next_week=week.next() if week < min(LAST_WEEK, IsoWeek.current(utcnow(), zone)) else None,
        filter_args=_filter_args(filters),
        filters=filters,
        choices=filter_choices(current_user, filters.owner_id),
        subscribed=services.is_subscribed(current_user),
        error=error,
        downloads=_download_links(week, filters),
        **context,
    )


def _filter_args(filters: ReportFilters) -> dict[str, object]:
    """The filters as URL arguments, for the week links and the downloads alike."""
    chosen = {"owner": filters.owner_id, "sector": filters.sector, "country": filters.country}
    return {key: value for key, value in chosen.items() if value}


def _download_links(week: IsoWeek, filters: ReportFilters) -> Callable[..., str]:
    arguments = {"week": str(week), **_filter_args(filters)}

    def link(fmt: str, **extra: str) -> str:
        return url_for("reports.weekly", format=fmt, **arguments, **extra)

    return link


def _download(body: bytes | Iterator[bytes], fmt: str, filename: str) -> Response:
    response = Response(body, mimetype=MEDIA_TYPES[fmt].split(";")[0])
    response.headers["Content-Type"] = MEDIA_TYPES[fmt]
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
