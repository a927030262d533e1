"""`flask reports weekly` and `flask reports send-weekly`."""

from __future__ import annotations

import smtplib
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale, gettext, ngettext
from sqlalchemy import select

from crm.auth.models import User
from crm.auth.services import normalise_email
from crm.db import session
from crm.errors import DomainError
from crm.i18n.locale import locale_of
from crm.reports import rendering, services
from crm.reports.weekly import compute_weekly_report

FORMATS = ("html", "pdf", "csv", "xlsx", "json")


@click.group("reports", help="The weekly status report.")
def reports_cli() -> None:
    pass


@reports_cli.command("weekly")
@click.option("--week", default="", help="ISO week such as 2026-W07 (default: the last complete).")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="html", show_default=True)
@click.option(
    "--section",
    type=click.Choice(rendering.SECTION_KEYS),
    default="moves",
    show_default=True,
    help="For CSV: which section's rows.",
)
@click.option("--output", default="-", show_default=True, help="A file, or - for standard output.")
@click.option("--owner", default="", help="Only pairings owned by this user (e-mail).")
@click.option("--sector", default="", help="Only pairings with this sector (slug).")
@click.option("--country", default="", help="Only pairings with a locality in this country.")
@click.option(
    "--as-user",
    "as_user",
    default="",
    help="Compute it as this user sees it (e-mail); default: the whole register.",
)
@with_appcontext
def weekly(
    week: str,
    fmt: str,
    section: str,
    output: str,
    owner: str,
    sector: str,
    country: str,
    as_user: str,
) -> None:
    """Write the weekly report for one week."""
    zone = services.deployment_zone(current_app)
    try:
        chosen_week = services.week_from(week, zone)
        owner_id = str(_user(owner).id) if owner else ""
        filters = services.filters_from(owner_id, sector, country)
        viewer = _user(as_user) if as_user else services.whole_register_reader()
    except DomainError as error:
        raise click.UsageError(error.message) from error
    report = compute_weekly_report(
        chosen_week,
        viewer=viewer,
        zone=zone,
        filters=filters,
        stalled_days=current_app.config["STALLED_AFTER_DAYS"],
        list_limit=services.rows_per_list(current_app, fmt),
    )
    if fmt == "json":
        body = ("".join(rendering.json_chunks(report)) + "\n").encode()
    elif fmt == "pdf":
        body = rendering.to_pdf(report, zone)
    elif fmt == "xlsx":
        body = rendering.to_xlsx(report, zone)
    elif fmt == "csv":
        body = rendering.to_csv(report, zone, section)
    else:
        body = rendering.document_html(report, zone).encode()
    if output == "-":
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    else:
        try:
            Path(output).write_bytes(body)
        except OSError as error:
            raise click.ClickException(
                gettext("Cannot write %(file)s: %(reason)s.", file=output, reason=error.strerror)
            ) from error
        click.echo(
            gettext(
                "Wrote the %(format)s report for %(week)s to %(file)s.",
                format=fmt.upper(),
                week=chosen_week,
                file=output,
            ),
            err=True,
        )


@reports_cli.command("send-weekly")
@click.option("--week", default="", help="ISO week (default: the last complete one).")
@with_appcontext
def send_weekly(week: str) -> None:
    """E-mail the report to every subscriber who has not had it for that week yet.

    Each delivery is recorded as soon as the server accepts it, so after a failure a second
    run sends only the rest.
    """
    zone = services.deployment_zone(current_app)
    try:
        chosen_week = services.week_from(week, zone)
        services.require_complete(chosen_week, zone)
    except DomainError as error:
        raise click.UsageError(error.message) from error
    settings = services.SmtpSettings.from_config(current_app)
    recipients = services.pending_recipients(chosen_week)
    if not recipients:
        click.echo(
            gettext("Nothing to send for %(week)s: every subscriber has had it.", week=chosen_week)
        )
        return
    sent = 0
    refused: list[str] = []
    try:
        with _connect(settings) as smtp:
            for recipient in recipients:
                # Each subscriber reads the report in their own language.
                with force_locale(locale_of(recipient)):
                    report = services.report_for(
                        recipient,
                        chosen_week,
                        zone,
                        current_app.config["STALLED_AFTER_DAYS"],
                        services.rows_per_list(current_app, "email"),
                    )
                    message = services.build_message(report, zone, recipient, settings.sender)
                try:
                    # A dict of refusals when the server took some address but not the reader's.
                    if smtp.send_message(message):
                        raise smtplib.SMTPRecipientsRefused({})
                except smtplib.SMTPRecipientsRefused:
                    # That reader's address only: the others still get theirs, and this one is
                    # not recorded, so a rerun tries it again.
                    refused.append(recipient.email)
                    click.echo(
                        gettext("The server refused %(email)s.", email=recipient.email), err=True
                    )
                    continue
                except smtplib.SMTPNotSupportedError:
                    # An address with letters beyond ASCII before the @, to a server without
                    # SMTPUTF8: that reader only. It ended the run for everyone after them,
                    # and every rerun stopped at them again.
                    refused.append(recipient.email)
                    click.echo(
                        gettext(
                            "The server cannot send to %(email)s: it does not accept addresses "
                            "with letters beyond ASCII (SMTPUTF8).",
                            email=recipient.email,
                        ),
                        err=True,
                    )
                    continue
                except smtplib.SMTPDataError as error:
                    # Refused once the message was sent (a mailbox unknown or full): that
                    # message only, as above. The session goes on (smtplib reset it); a 421
                    # closes it, and the next message ends the run below.
                    refused.append(recipient.email)
                    click.echo(
                        gettext(
                            "The server refused the report to %(email)s: %(reason)s",
                            email=recipient.email,
                            reason=_server_says(error),
                        ),
                        err=True,
                    )
                    continue
                services.record_delivery(chosen_week, recipient)
                session.commit()
                sent += 1
                click.echo(gettext("Sent to %(email)s.", email=recipient.email))
    except (OSError, smtplib.SMTPException) as error:
        session.rollback()
        left = len(recipients) - sent
        raise click.ClickException(
            gettext(
                "Could not send through %(server)s (%(reason)s). Sent %(sent)d, %(left)d left; "
                "run the command again to send the rest.",
                server=f"{settings.host}:{settings.port}",
                reason=_server_says(error),
                sent=sent,
                left=left,
            )
        ) from error
    click.echo(
        ngettext(
            "Sent the report for %(week)s to %(num)d subscriber.",
            "Sent the report for %(week)s to %(num)d subscribers.",
            sent,
            week=chosen_week,
        )
    )
    if refused:
        raise click.ClickException(
            gettext(
                "Not sent to %(emails)s: the server refused them. Check the addresses, then run "
                "the command again to send to them alone.",
                emails=", ".join(refused),
            )
        )


def _server_says(error: Exception) -> str:
    """What the server answered, as it wrote it ("550 no such user"), not a tuple of bytes."""
    if isinstance(error, smtplib.SMTPResponseException):
        message = error.smtp_error
        text = message.decode(errors="replace") if isinstance(message, bytes) else str(message)
        return f"{error.smtp_code} {text}"
    return str(error)


def _connect(settings: services.SmtpSettings) -> smtplib.SMTP:
    if settings.use_ssl:
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.host, settings.port, timeout=settings.timeout
        )
    else:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
        if settings.starttls:
            smtp.starttls()
    if settings.username:
        smtp.login(settings.username, settings.password)
    return smtp


def _user(email: str) -> User:
    user = session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        raise DomainError(gettext("There is no account for %(email)s.", email=email))
    return user
