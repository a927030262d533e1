from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from crm.db import session
from crm.demo.loader import load_demo_data
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, StageChange
from crm.partnerships.queries import history_of


def counts() -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Partnership, StageChange, Locality)
    )


def test_demo_holds_maribor_kyzylorda_at_agreement_in_principle(ctx: None) -> None:
    load_demo_data()

    pairing = session.scalar(
        select(Partnership).where(Partnership.title == "Maribor – Kyzylorda Region")
    )
    assert pairing is not None
    assert pairing.stage.key == "agreement_in_principle"
    assert pairing.stage_entered_at.date() == datetime(2026, 2, 13, tzinfo=UTC).date()
    assert {sector.slug for sector in pairing.sectors} == {
        "economics-and-trade",
        "urban-infrastructure",
        "water-resources-management",
        "education",
        "culture",
        "ecology-and-sustainable-development",
    }
    assert pairing.locality_a.subdivision_code == "SI-070"
    assert pairing.locality_b.subdivision_code == "KZ-43"
    assert pairing.locality_b.name == "Қызылорда облысы"
    assert "Arsenovič" in history_of(pairing)[0].note


def test_demo_spreads_over_every_stage_and_status(ctx: None) -> None:
    load_demo_data()
    stages = set(session.scalars(select(Partnership.stage_id).distinct()))
    statuses = set(session.scalars(select(Partnership.status).distinct()))
    countries = set(session.scalars(select(Locality.country_code).distinct()))
    assert len(stages) == 6
    assert statuses == {"open", "on_hold", "dropped"}
    assert len(countries) >= 10
    assert counts()[0] >= 20


def test_loading_twice_duplicates_nothing(ctx: None) -> None:
    load_demo_data()
    session.commit()
    first = counts()
    assert load_demo_data() == 0
    assert counts() == first


def test_cli_loads_once_and_prints_the_logins(runner) -> None:
    result = runner.invoke(args=["demo", "load", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "admin@example.com" in result.output
    assert "twinning-demo-2026" in result.output

    again = runner.invoke(args=["demo", "load", "--if-empty"])
    assert "already has pairings" in again.output
    assert "officer@example.com" in again.output


def test_demo_has_a_partner_with_maribor_kyzylorda_shared_and_a_viewer(ctx: None) -> None:
    from crm import access
    from crm.auth.models import User

    load_demo_data()
    load_demo_data()  # idempotent: the share is not made twice
    partner = session.scalar(select(User).where(User.email == "chamber@example.com"))
    viewer = session.scalar(select(User).where(User.email == "desk@example.com"))
    assert partner.role == "partner"
    assert "Štajerska" in partner.name
    assert viewer.role == "viewer"
    seen = session.scalars(access.visible_partnerships(partner)).all()
    assert [p.title for p in seen] == ["Maribor – Kyzylorda Region"]
    assert len(session.scalars(access.visible_partnerships(viewer)).all()) == counts()[0]


def test_cli_prints_the_partner_and_viewer_logins(runner) -> None:
    result = runner.invoke(args=["demo", "load"])
    assert "chamber@example.com" in result.output
    assert "partner" in result.output
    assert "desk@example.com" in result.output
    assert "viewer" in result.output
