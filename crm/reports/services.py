"""Choosing the report's week and filters from user input, subscriptions, and e-mail pieces."""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from zoneinfo import ZoneInfo

from flask import Flask
from flask_babel import gettext
from sqlalchemy import select

from crm import access
from crm.auth.models import Role, User
from crm.db import session, utcnow
from crm.email_addresses import sendable_address
from crm.errors import DomainError
from crm.localities.countries import is_country
from crm.reports.models import ReportDelivery
from crm.reports.rendering import document_html, to_pdf, to_text
from crm.reports.weekly import ReportFilters, WeeklyReport, compute_weekly_report
from crm.reports.weeks import InvalidWeek, IsoWeek
from crm.routing import record_id_in
from crm.sectors.services import sector_by_slug


def deployment_zone(app: Flask) -> ZoneInfo:
    return ZoneInfo(app.config["TIME_ZONE"])


# Printed summaries: WeasyPrint lays out each table row, so they list fewer rows than the page.
PRINTED_FORMATS = frozenset({"pdf", "email"})


def rows_per_list(app: Flask, fmt: str) -> int:
    """How many rows each of the report's lists holds in `fmt` (the figures and the downloads'
    rows are always whole)."""
    key = "REPORT_PRINT_LIST_LIMIT" if fmt in PRINTED_FORMATS else "REPORT_LIST_LIMIT"
    return int(app.config[key])


def week_from(text: str | None, zone: ZoneInfo) -> IsoWeek:
    """The week asked for, or the last complete one when none is."""
    if not text:
        return IsoWeek.last_complete(utcnow(), zone)
    try:
        week = IsoWeek.parse(text)
    except InvalidWeek as error:
        raise DomainError(str(error), field="week") from error
    require_begun(week, zone)
    return week


def require_begun(week: IsoWeek, zone: ZoneInfo) -> None:
    """A week still to come has nothing to report: its figures would be today's, its stalled
    days counted to a day not yet here."""
    current = IsoWeek.current(utcnow(), zone)
    if week > current:
        raise DomainError(
            gettext(
                "%(week)s has not begun yet; the latest week to report on is %(current)s.",
                week=week,
                current=current,
            ),
            field="week",
        )


def require_complete(week: IsoWeek, zone: ZoneInfo) -> None:
    """What is e-mailed is a week that is over: a delivery is recorded once per week, so the
    running week's figures, sent mid-week, stood in for its whole report, which the Monday run
    then skipped as already had."""
    last = IsoWeek.last_complete(utcnow(), zone)
    if week > last:
        raise DomainError(
            gettext(
                "%(week)s is not over yet; its report is sent once it is. The latest complete "
                "week is %(last)s.",
                week=week,
                last=last,
            ),
            field="week",
        )


def filters_from(
    owner: str = "", sector: str = "", country: str = "", *, reader: User | None = None
) -> ReportFilters:
    """Filters as typed; an owner, sector or country that does not exist is an error.

    `reader`: who asks, when it is someone (the command line is not). Whoever may not see the
    staff list has no owner filter: every id is unknown to them alike, so that the answer
    tells them nothing of who exists.
    """
    owner_id = None
    if owner:
        typed_id = record_id_in(owner)
        may_filter = reader is None or access.can_see_other_users(reader)
        user = session.get(User, typed_id) if typed_id and may_filter else None
        if user is None:
            raise DomainError(gettext("There is no user “%(user)s”.", user=owner), field="owner")
        owner_id = user.id
    if sector and sector_by_slug(sector) is None:
        raise DomainError(
            gettext("There is no sector “%(sector)s”.", sector=sector), field="sector"
        )
    if country and not is_country(country):
        raise DomainError(
            gettext("“%(country)s” is not a country code.", country=country), field="country"
        )
    return ReportFilters(owner_id=owner_id, sector=sector, country=country.upper())


def whole_register_reader() -> User:
    """Who the command-line report is computed for when no user is named: it sees everything."""
    return User(name=gettext("Command line"), email="", role=Role.ADMIN.value, is_active=True)


def is_subscribed(user: User) -> bool:
    return user.weekly_report_since is not None


def set_subscription(user: User, subscribed: bool) -> None:
    if subscribed and user.weekly_report_since is None:
        user.weekly_report_since = utcnow()
    elif not subscribed:
        user.weekly_report_since = None
    session.flush()


def pending_recipients(week: IsoWeek) -> list[User]:
    """Active subscribers who have not been sent this week's report yet."""
    already = select(ReportDelivery.user_id).where(ReportDelivery.week == str(week))
    return list(
        session.scalars(
            select(User)
            .where(
                User.weekly_report_since.is_not(None),
                User.is_active,
                User.id.not_in(already),
            )
            .order_by(User.id)
        )
    )


def record_delivery(week: IsoWeek, user: User) -> None:
    session.add(ReportDelivery(week=str(week), user_id=user.id))
    session.flush()


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    username: str
    password: str
    starttls: bool
    use_ssl: bool
    sender: str
    timeout: float

    @classmethod
    def from_config(cls, app: Flask) -> SmtpSettings:
        config = app.config
        return cls(
            host=config["SMTP_HOST"],
            port=int(config["SMTP_PORT"]),
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=bool(config["SMTP_STARTTLS"]),
            use_ssl=bool(config["SMTP_SSL"]),
            sender=config["MAIL_FROM"],
            timeout=float(config["SMTP_TIMEOUT"]),
        )


def report_for(
    user: User, week: IsoWeek, zone: ZoneInfo, stalled_days: int, list_limit: int
) -> WeeklyReport:
    """Each recipient's own report: only the pairings that person may see."""
    return compute_weekly_report(
        week, viewer=user, zone=zone, stalled_days=stalled_days, list_limit=list_limit
    )


def build_message(
    report: WeeklyReport, zone: ZoneInfo, recipient: User, sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["Subject"] = gettext("Twinning weekly report: %(week)s", week=report.week.label)
    message["From"] = sender
    # Quoted and encoded by the e-mail policy: a name with a comma or brackets ("Central Asia
    # Desk, Ministry of …") written bare made two recipients, or a comment. Given in its two
    # parts, since as one `addr_spec` an address with letters beyond ASCII before the @
    # ("čebela@…", which accounts may have) raised here and ended the run in a traceback;
    # smtplib sends it where the server offers SMTPUTF8.
    username, _, domain = sendable_address(recipient.email).rpartition("@")
    message["To"] = Address(display_name=recipient.name, username=username, domain=domain)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    message.set_content(to_text(report, zone))
    message.add_alternative(document_html(report, zone), subtype="html")
    message.add_attachment(
        to_pdf(report, zone),
        maintype="application",
        subtype="pdf",
        filename=f"twinning-weekly-{report.week}.pdf",
    )
    return message
