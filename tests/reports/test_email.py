"""`flask reports send-weekly` against a real SMTP server started by the test (aiosmtpd)."""

from __future__ import annotations

import email
import socket
from collections.abc import Iterator
from email import policy
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from flask import Flask
from sqlalchemy import func, select

from crm.db import session, utcnow
from crm.reports.models import ReportDelivery
from crm.reports.services import deployment_zone, set_subscription
from crm.reports.weeks import IsoWeek
from tests.factories import make_user
from tests.reports.test_outputs import week_with_moves  # noqa: F401 (a fixture)


class Inbox:
    """Collects what arrives; refuses messages to addresses listed in `refuse`."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[list[str]] = []
        self.refuse: set[str] = set()
        # Refused only once the message text has arrived (a mailbox unknown or full).
        self.refuse_data: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "451 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if set(envelope.rcpt_tos) & self.refuse_data:
            return "550 No such user here"
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        self.envelopes.append(list(envelope.rcpt_tos))
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def inbox(app: Flask) -> Iterator[Inbox]:
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    yield handler
    controller.stop()
    app.config.update(SMTP_HOST="localhost", SMTP_PORT=25)


@pytest.fixture
def subscribers(app: Flask) -> list[str]:
    with app.app_context():
        users = [make_user(email=f"reader{n}@example.com", name=f"Reader {n}") for n in (1, 2)]
        make_user(email="not-subscribed@example.com")
        for user in users:
            set_subscription(user, True)
        session.commit()
        return [user.email for user in users]


def deliveries(app: Flask) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(ReportDelivery)) or 0


@pytest.mark.usefixtures("week_with_moves")
def test_each_subscriber_gets_html_text_and_pdf_once(
    app: Flask, runner, inbox: Inbox, subscribers: list[str]
) -> None:
    result = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert result.exit_code == 0, result.output
    assert sorted(message["To"].split("<")[1].rstrip(">") for message in inbox.messages) == (
        subscribers
    )
    message = inbox.messages[0]
    assert message["Subject"] == "Twinning weekly report: Week 7 of 2026, 9–15 February"
    parts = {part.get_content_type(): part for part in message.walk()}
    assert "Maribor – Kyzylorda Region" in parts["text/plain"].get_payload(decode=True).decode()
    html = parts["text/html"].get_payload(decode=True).decode()
    assert "Kyzylorda Region" in html
    assert "&lt;script&gt;" in html and "<script>alert" not in html
    pdf = parts["application/pdf"]
    assert pdf.get_filename() == "twinning-weekly-2026-W07.pdf"
    assert pdf.get_payload(decode=True).startswith(b"%PDF")

    again = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert again.exit_code == 0
    assert "every subscriber has had it" in again.output
    assert len(inbox.messages) == 2
    assert deliveries(app) == 2


def test_a_refused_address_stops_no_one_else_and_a_rerun_sends_to_it_alone(
    app: Flask, runner, inbox: Inbox, subscribers: list[str]
) -> None:
    """Regression: the first refused reader ended the run, so each rerun stopped at them and
    those after them never got the report."""
    inbox.refuse = {subscribers[0]}
    failed = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert failed.exit_code == 1
    assert f"Not sent to {subscribers[0]}: the server refused them." in failed.output
    assert [m["To"] for m in inbox.messages] == ["Reader 2 <reader2@example.com>"]
    assert deliveries(app) == 1

    inbox.refuse = set()
    rerun = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert rerun.exit_code == 0, rerun.output
    assert [m["To"] for m in inbox.messages] == [
        "Reader 2 <reader2@example.com>",
        "Reader 1 <reader1@example.com>",
    ]
    assert deliveries(app) == 2


def test_a_message_refused_after_its_text_stops_no_one_else(
    app: Flask, runner, inbox: Inbox, subscribers: list[str]
) -> None:
    """Regression: a refusal after the message text (not at the address) ended the run for
    everyone, and every rerun stopped at the same reader; the reason read (550, b'...')."""
    inbox.refuse_data = {subscribers[0]}
    failed = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert failed.exit_code == 1
    assert (
        f"The server refused the report to {subscribers[0]}: 550 No such user here" in failed.output
    )
    assert f"Not sent to {subscribers[0]}" in failed.output
    assert [m["To"] for m in inbox.messages] == ["Reader 2 <reader2@example.com>"]
    assert deliveries(app) == 1


def test_smtp_server_down_is_a_clear_error_and_nothing_is_recorded(
    app: Flask, runner, subscribers: list[str]
) -> None:
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port(), SMTP_TIMEOUT=2)
    try:
        result = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    finally:
        app.config.update(SMTP_HOST="localhost", SMTP_PORT=25, SMTP_TIMEOUT=30)
    assert result.exit_code == 1
    assert "Could not send through 127.0.0.1" in result.output
    assert "Sent 0, 2 left" in result.output
    assert deliveries(app) == 0


def test_bad_week_is_a_usage_error(runner) -> None:
    result = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W54"])
    assert result.exit_code == 2
    assert "2026 has no week 54." in result.output


def test_subscribing_from_the_report_page(app: Flask, client, login_as) -> None:
    user_id = login_as()
    client.post("/reports/subscription", data={"subscribe": "1"})
    with app.app_context():
        from crm.auth.models import User
        from crm.reports.services import is_subscribed

        assert is_subscribed(session.get(User, user_id))
    page = client.get("/reports/weekly").get_data(as_text=True)
    assert "Stop e-mailing me the weekly report" in page
    back = client.post(
        "/reports/subscription",
        data={"subscribe": "0", "week": "2026-W07", "sector": "education", "owner": ""},
    )
    with app.app_context():
        assert not is_subscribed(session.get(User, user_id))
    # Back on the week and filters the reader was on (it went to the default week, unfiltered).
    assert back.headers["Location"] == "/reports/weekly?week=2026-W07&sector=education"
    assert 'name="sector" value="education"' in client.get(back.headers["Location"]).get_data(
        as_text=True
    )


@pytest.mark.usefixtures("week_with_moves")
def test_a_name_with_a_comma_or_brackets_is_one_recipient(app: Flask, runner, inbox: Inbox) -> None:
    """Regression: written bare, "Central Asia Desk, Ministry of Foreign Affairs <desk@…>" was
    two recipients ("Central…" and desk@), and a refusal of the real one went unnoticed."""
    names = {
        "desk@example.com": "Central Asia Desk, Ministry of Foreign Affairs",
        "chamber@example.com": "Mojca Potočnik (Štajerska Chamber)",
    }
    with app.app_context():
        for address, name in names.items():
            set_subscription(make_user(email=address, name=name), True)
        session.commit()
    result = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert result.exit_code == 0, result.output
    assert sorted(inbox.envelopes) == [["chamber@example.com"], ["desk@example.com"]]
    for message in inbox.messages:
        (to,) = message["To"].addresses
        assert to.display_name == names[to.addr_spec]


@pytest.mark.usefixtures("week_with_moves")
def test_addresses_beyond_ascii_stop_no_one_else(app: Flask, runner, inbox: Inbox) -> None:
    """Regression: accounts may have such addresses (email-validator takes them), but a domain
    like štajerska.si sent as typed needs SMTPUTF8, and a server without it ended the run for
    every reader after it ("Could not send…", and each rerun stopped there again); a local part
    like čebela@ was a traceback. The domain now goes in ASCII (IDNA); only the local part needs
    SMTPUTF8, and a server without it misses that one reader."""
    with app.app_context():
        for address in ("mojca@štajerska.si", "čebela@example.com", "reader@example.com"):
            set_subscription(make_user(email=address, name=address.split("@")[0]), True)
        session.commit()
    ascii_inbox = Inbox()
    controller = Controller(
        ascii_inbox, hostname="127.0.0.1", port=free_port(), enable_SMTPUTF8=False
    )
    controller.start()
    smtputf8_port = app.config["SMTP_PORT"]
    app.config.update(SMTP_PORT=controller.port)
    try:
        result = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    finally:
        controller.stop()
        app.config.update(SMTP_PORT=smtputf8_port)

    assert result.exit_code == 1, (result.output, result.exception)
    assert "The server cannot send to čebela@example.com" in result.output
    assert "Not sent to čebela@example.com" in result.output
    assert sorted(ascii_inbox.envelopes) == [["mojca@xn--tajerska-4wb.si"], ["reader@example.com"]]
    assert deliveries(app) == 2

    # A server that offers SMTPUTF8 (aiosmtpd's Controller does by default) takes it on a rerun.
    rerun = runner.invoke(args=["reports", "send-weekly", "--week", "2026-W07"])
    assert rerun.exit_code == 0, rerun.output
    assert inbox.envelopes == [["čebela@example.com"]]
    assert deliveries(app) == 3


def test_the_week_still_going_on_is_not_sent(
    app: Flask, runner, inbox: Inbox, subscribers: list[str]
) -> None:
    """Regression: sent mid-week, the running week's figures were recorded as that week's
    delivery, and the Monday run skipped the whole week's report as already had."""
    with app.app_context():
        current = IsoWeek.current(utcnow(), deployment_zone(app))
    result = runner.invoke(args=["reports", "send-weekly", "--week", str(current)])
    assert result.exit_code == 2
    assert f"{current} is not over yet" in result.output
    assert "Traceback" not in result.output
    assert inbox.messages == []
    assert deliveries(app) == 0

    finished = runner.invoke(args=["reports", "send-weekly", "--week", str(current.previous())])
    assert finished.exit_code == 0, finished.output
    assert deliveries(app) == 2
