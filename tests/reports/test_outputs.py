"""The report's renderings: page, PDF, CSV, XLSX, JSON, CLI. Each reads the same figures."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import select

from crm.auth.models import User
from crm.db import session
from crm.partnerships.services import change_stage
from crm.partnerships.stages import stage_by_key
from crm.reports.weeks import IsoWeek
from tests.factories import make_locality, make_partnership, make_user
from tests.reports.test_weekly import local, utc

NASTY = '=HYPERLINK("http://evil.example.com","x") <script>alert(1)</script>'


@pytest.fixture
def week_with_moves(app: Flask) -> dict[str, int]:
    with app.app_context():
        owner = make_user(name="Dana Sarsenbayeva")
        maribor = make_locality("Maribor")
        kyzylorda = make_locality(
            "Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ", kind="region"
        )
        pairing = make_partnership(
            maribor,
            kyzylorda,
            owner=owner,
            sectors=("education",),
            stage_key="exploratory_talks",
            at=utc("2026-01-10T09:00:00"),
        )
        change_stage(
            pairing,
            stage_by_key("agreement_in_principle"),
            by=owner,
            expected_version=pairing.version,
            at=local("2026-02-13T10:00:00"),
            note=NASTY,
        )
        other = make_partnership(
            make_locality("Graz", country_code="AT"),
            kyzylorda,
            owner=owner,
            title="-2+3 formula title",
            at=local("2026-02-11T10:00:00"),
        )
        session.commit()
        return {"pairing": pairing.id, "other": other.id}


def test_the_page_links_each_pairing_and_the_document_does_not(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    week_with_moves: dict[str, int],
) -> None:
    from crm.reports.rendering import document_html
    from crm.reports.weekly import compute_weekly_report

    login_as()
    page = client.get("/reports/weekly?week=2026-W07").get_data(as_text=True)
    pairing = week_with_moves["pairing"]
    assert f'<a href="/partnerships/{pairing}">Maribor – Kyzylorda Region</a>' in page
    with app.test_request_context():
        viewer = session.scalars(select(User)).first()
        assert viewer is not None
        zone = ZoneInfo(app.config["TIME_ZONE"])
        report = compute_weekly_report(IsoWeek.parse("2026-W07"), viewer=viewer, zone=zone)
        document = document_html(report, zone)
    assert "Maribor – Kyzylorda Region" in document
    assert "/partnerships/" not in document


def test_page_shows_the_figures_escaped(
    client: FlaskClient, login_as: Callable[..., int], week_with_moves: dict[str, int]
) -> None:
    login_as()
    response = client.get("/reports/weekly?week=2026-W07")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Week 7 of 2026, 9–15 February" in page
    assert "Maribor – Kyzylorda Region" in page
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<svg" in page  # the charts
    assert 'href="/reports/weekly?format=pdf&amp;week=2026-W07"' in page


def test_default_week_is_the_last_complete_one(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    page = client.get("/reports/weekly").get_data(as_text=True)
    assert "Week " in page
    assert 'name="week" value="20' in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("week=2026-W54", "2026 has no week 54."),
        ("week=2026-W00", "2026 has no week 00."),
        ("week=last-tuesday", "is not an ISO week"),
        # The calendar's ends: the week's bounds in UTC overflowed (a 500).
        ("week=9999-W52", "Give a week between 1900-W01 and 2200-W52."),
        ("week=0001-W01", "Give a week between 1900-W01 and 2200-W52."),
        ("week=2201-W01", "Give a week between 1900-W01 and 2200-W52."),
        # A week still to come (was a 200 with today's figures as its own).
        ("week=2200-W52", "2200-W52 has not begun yet; the latest week to report on is 20"),
        ("week=2026-W07&sector=space", "There is no sector"),
        ("week=2026-W07&owner=999999", "There is no user"),
        # Too large for an id: as unknown as any other number, and said so alike (not a 500).
        ("week=2026-W07&owner=99999999999999999999", "There is no user “99999999999999999999”."),
        ("week=2026-W07&country=XX", "is not a country code"),
        ("week=2026-W07&format=docx", "There is no “docx” format"),
        ("week=2026-W07&format=csv&section=gossip", "There is no section"),
    ],
)
def test_bad_parameters_are_400_with_a_message(
    client: FlaskClient, login_as: Callable[..., int], query: str, message: str
) -> None:
    login_as()
    response = client.get(f"/reports/weekly?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_a_bad_week_keeps_the_filters_in_the_form_and_the_week_links(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the page that refused a week dropped the sector and country chosen."""
    login_as()
    response = client.get("/reports/weekly?week=2026-W99&sector=education&country=si")
    page = response.get_data(as_text=True)

    assert response.status_code == 400
    assert '<option value="education" selected>' in page
    week_link = r'href="/reports/weekly\?week=\d{4}-W\d\d&amp;sector=education&amp;country=SI"'
    assert re.search(week_link, page)
    # Regression: the heading named the last complete week, which nobody asked for.
    fallback = IsoWeek.last_complete(datetime.now(UTC), ZoneInfo("Europe/Ljubljana"))
    assert f"?week={fallback.previous()}&amp;sector=education" in page  # the links stay
    assert f"Week {fallback.week} of {fallback.year}" not in page
    assert f"Weekly report {fallback}" not in page
    # A week that is not what was wrong: its own links, not the last complete week's.
    bad_format = client.get("/reports/weekly?week=2026-W07&format=docx")
    assert bad_format.status_code == 400
    assert 'href="/reports/weekly?week=2026-W06"' in bad_format.get_data(as_text=True)


@pytest.mark.parametrize(
    ("week", "shown", "absent"),
    [
        ("1900-W01", "?week=1900-W02", "?week=1899-W52"),
        ("this week", "?week={previous}", "?week={next}"),
        ("2026-W07", "?week=2026-W06", None),
    ],
)
def test_the_week_links_stop_at_the_ends_of_the_span(
    client: FlaskClient, login_as: Callable[..., int], week: str, shown: str, absent: str | None
) -> None:
    """Regression: the first week linked on to a week that is a 400, and so does this week to
    the next, which has not begun."""
    this_week = IsoWeek.containing(datetime.now(ZoneInfo("Europe/Ljubljana")).date())
    ends = {"previous": this_week.previous(), "next": this_week.next()}
    week = str(this_week) if week == "this week" else week
    shown, absent = shown.format(**ends), absent.format(**ends) if absent else None
    login_as()
    page = client.get(f"/reports/weekly?week={week}").get_data(as_text=True)
    assert f'href="/reports/weekly{shown}"' in page
    if absent:
        assert absent not in page


def test_pdf_contains_the_figures(
    client: FlaskClient, login_as: Callable[..., int], week_with_moves: dict[str, int]
) -> None:
    login_as()
    response = client.get("/reports/weekly?week=2026-W07&format=pdf")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert 'filename="twinning-weekly-2026-W07.pdf"' in response.headers["Content-Disposition"]
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    flat = " ".join(text.split())
    assert "Week 7 of 2026" in flat
    assert "Open pairings 2 1" in flat
    assert "Moves forward 1 0" in flat
    assert "Kyzylorda" in flat


def test_csv_rows_are_utf8_with_bom_and_neutralised(
    client: FlaskClient, login_as: Callable[..., int], week_with_moves: dict[str, int]
) -> None:
    login_as()
    response = client.get("/reports/weekly?week=2026-W07&format=csv&section=moves")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == ["when", "pairing id", "pairing", "what", "from", "to", "by", "note"]
    by_title = {row[2]: row for row in rows[1:]}
    assert by_title["Maribor – Kyzylorda Region"][7] == "'" + NASTY
    assert "'-2+3 formula title" in by_title
    assert by_title["Maribor – Kyzylorda Region"][0] == "2026-02-13 10:00"


def test_xlsx_has_a_sheet_per_section_with_the_rows(
    client: FlaskClient, login_as: Callable[..., int], week_with_moves: dict[str, int]
) -> None:
    login_as()
    response = client.get("/reports/weekly?week=2026-W07&format=xlsx")
    workbook = load_workbook(io.BytesIO(response.data))
    assert workbook.sheetnames == [
        "Headline figures",
        "Open pairings by stage",
        "What moved",
        "Memoranda signed",
        "Meetings and visits",
        "Tasks completed",
        "Tasks overdue",
        "Tasks due next week",
        "Stalled",
        "By sector",
        "By country pair",
    ]
    headline = {
        row[0]: row[1:]
        for row in workbook["Headline figures"].iter_rows(min_row=2, values_only=True)
    }
    assert headline["Open pairings"] == (2, 1, 1)
    notes = [row[7] for row in workbook["What moved"].iter_rows(min_row=2, values_only=True)]
    assert "'" + NASTY in notes
    assert all(cell.data_type != "f" for row in workbook["What moved"].iter_rows() for cell in row)


def test_json_names_each_section_and_its_pairings(
    client: FlaskClient, login_as: Callable[..., int], week_with_moves: dict[str, int]
) -> None:
    login_as()
    data = client.get("/reports/weekly?week=2026-W07&format=json").get_json()
    assert data["week"] == "2026-W07"
    assert data["headline"]["forward"] == {"value": 1, "previous": 0, "change": 1}
    assert {"id": week_with_moves["pairing"], "title": "Maribor – Kyzylorda Region"} in [
        move["pairing"] for move in data["moves"]
    ]
    assert data["stalled"]["days"] == 30


def test_cli_writes_each_format(
    app: Flask, runner, week_with_moves: dict[str, int], tmp_path
) -> None:
    result = runner.invoke(args=["reports", "weekly", "--week", "2026-W07", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["headline"]["open"]["value"] == 2
    for fmt in ("html", "pdf", "csv", "xlsx"):
        target = tmp_path / f"report.{fmt}"
        done = runner.invoke(
            args=[
                "reports",
                "weekly",
                "--week",
                "2026-W07",
                "--format",
                fmt,
                "--output",
                str(target),
            ]
        )
        assert done.exit_code == 0, done.output
        assert target.stat().st_size > 100
    assert (tmp_path / "report.pdf").read_bytes().startswith(b"%PDF")
    nowhere = tmp_path / "no such folder" / "report.html"
    refused = runner.invoke(
        args=["reports", "weekly", "--week", "2026-W07", "--output", str(nowhere)]
    )
    assert refused.exit_code == 1
    assert f"Cannot write {nowhere}: No such file or directory." in refused.output
    filtered = runner.invoke(
        args=["reports", "weekly", "--week", "2026-W07", "--format", "json", "--country", "AT"]
    )
    assert [m["pairing"]["id"] for m in json.loads(filtered.output)["moves"]] == [
        week_with_moves["other"]
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--week", "2026-W54"], "2026 has no week 54."),
        (["--week", "last-tuesday"], "not an ISO week"),
        (["--week", "2200-W52"], "2200-W52 has not begun yet"),
        (["--sector", "space"], "There is no sector"),
        (["--owner", "nobody@example.com"], "There is no account"),
        (["--format", "docx"], "Invalid value for '--format'"),
    ],
)
def test_cli_bad_input_exits_non_zero(runner, args: list[str], message: str) -> None:
    result = runner.invoke(args=["reports", "weekly", *args])
    assert result.exit_code == 2
    assert message in result.output


def test_a_long_list_shows_its_first_rows_and_links_the_full_csv(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    week_with_moves: dict[str, int],
) -> None:
    login_as()
    app.config.update(REPORT_LIST_LIMIT=1, REPORT_PRINT_LIST_LIMIT=1)
    try:
        page = client.get("/reports/weekly?week=2026-W07").get_data(as_text=True)
        pdf = client.get("/reports/weekly?week=2026-W07&format=pdf").data
        moves = client.get("/reports/weekly?week=2026-W07&format=csv&section=moves").data
        pairs = client.get("/reports/weekly?week=2026-W07&format=csv&section=by_country_pair").data
        data = client.get("/reports/weekly?week=2026-W07&format=json").get_json()
    finally:
        app.config.update(REPORT_LIST_LIMIT=200, REPORT_PRINT_LIST_LIMIT=10)
    line = "1 more — the full list is in the CSV and XLSX downloads."
    assert "What moved (2)" in page
    assert (
        '<a href="/reports/weekly?format=csv&amp;week=2026-W07&amp;section=moves">' + line
    ) in page
    moves_section = page[page.index('id="moves-heading"') : page.index('id="signed-heading"')]
    assert moves_section.count('<td data-label="When">') == 1
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert line in " ".join(text.split())
    # The downloads keep every row.
    assert len(list(csv.reader(io.StringIO(moves.decode("utf-8-sig"))))) == 3
    assert len(data["moves"]) == 2
    assert data["totals"]["moves"] == 2
    # So do the pairs of countries, which the page lists as it lists the rest.
    pair_rows = list(csv.reader(io.StringIO(pairs.decode("utf-8-sig"))))[1:]
    assert len(pair_rows) == len(data["by_country_pair"]) == 2
    pairs_section = page[page.index('id="by_country_pair-heading"') :]
    assert pairs_section.count('<th scope="row">') == 1
    assert (
        '<a href="/reports/weekly?format=csv&amp;week=2026-W07&amp;section=by_country_pair">' + line
    ) in pairs_section


def test_the_e_mail_text_says_how_many_more(app: Flask, week_with_moves: dict[str, int]) -> None:
    from crm.auth.models import User
    from crm.reports.rendering import to_text
    from crm.reports.weekly import compute_weekly_report
    from crm.reports.weeks import IsoWeek
    from tests.reports.test_weekly import LJUBLJANA

    with app.test_request_context():
        viewer = session.scalar(select(User))
        report = compute_weekly_report(
            IsoWeek(2026, 7), viewer=viewer, zone=LJUBLJANA, list_limit=1
        )
        text = to_text(report, LJUBLJANA)
    assert "1 more — the full list is in the CSV and XLSX downloads." in text
    moved = text.split("What moved:")[1].split("Meetings, visits")[0]
    assert [line for line in moved.splitlines() if line.startswith("- ")] == [
        line for line in moved.splitlines() if "Moved forward" in line or "New pairing" in line
    ]
    assert len([line for line in moved.splitlines() if line.startswith("- ")]) == 1


def test_the_week_links_keep_the_filters(client: FlaskClient, login_as: Callable[..., int]) -> None:
    owner = login_as()
    page = client.get(
        f"/reports/weekly?week=2026-W07&owner={owner}&sector=education&country=SI"
    ).get_data(as_text=True)
    query = f"owner={owner}&amp;sector=education&amp;country=SI"
    assert f'href="/reports/weekly?week=2026-W06&amp;{query}"' in page
    assert f'href="/reports/weekly?week=2026-W08&amp;{query}"' in page


def test_the_owner_filter_offers_owners_and_tells_a_partner_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the filter listed viewers, partners and deactivated users, and a partner's
    ?owner= told a real id (200) from an unknown one (400)."""
    with app.app_context():
        officer = make_user(name="Dana Officer")
        make_user("viewer", name="Vera Viewer")
        make_user(name="Gone Officer", is_active=False)
        session.commit()
        officer_id = officer.id
    login_as("admin")
    page = client.get("/reports/weekly").get_data(as_text=True)
    owners = page[page.index('id="report-owner"') :]
    owners = owners[: owners.index("</select>")]
    assert "Dana Officer" in owners
    assert "Vera Viewer" not in owners and "Gone Officer" not in owners
    # But the owner filtered by is shown, even one who may own no more.
    with app.app_context():
        gone_id = session.scalar(select(User.id).where(User.name == "Gone Officer"))
    page = client.get(f"/reports/weekly?owner={gone_id}").get_data(as_text=True)
    assert f'<option value="{gone_id}" selected>Gone Officer</option>' in page
    login_as("partner")
    real = client.get(f"/reports/weekly?owner={officer_id}")
    unknown = client.get("/reports/weekly?owner=987654")
    assert real.status_code == unknown.status_code == 400
    assert f"There is no user “{officer_id}”." in real.get_data(as_text=True)
