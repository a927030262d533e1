from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from crm.audit.models import AuditEntry
from crm.db import session, utcnow
from crm.errors import DomainError, StaleVersion
from crm.partnerships import services
from crm.partnerships.models import Partnership, StageChange, Status
from crm.partnerships.stages import add_stage, stage_by_key
from crm.sectors.models import Sector
from tests.factories import make_locality, make_partnership, make_user

pytestmark = pytest.mark.usefixtures("ctx")


def history_count(partnership: Partnership) -> int:
    return (
        session.scalar(select(func.count()).where(StageChange.partnership_id == partnership.id))
        or 0
    )


def test_creating_a_pairing_records_where_it_started() -> None:
    partnership = make_partnership(stage_key="exploratory_talks")

    [start] = session.scalars(select(StageChange)).all()
    assert start.from_stage is None
    assert start.to_stage.key == "exploratory_talks"
    assert start.to_status == "open"
    assert partnership.status == "open"


def test_default_title_uses_english_names_joined_by_an_en_dash() -> None:
    maribor = make_locality("Maribor")
    kyzylorda = make_locality(
        "Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ", kind="region"
    )

    partnership = make_partnership(maribor, kyzylorda)

    assert partnership.title == "Maribor – Kyzylorda Region"


def test_stage_change_writes_exactly_one_history_row() -> None:
    partnership = make_partnership()
    officer = make_user()
    before = history_count(partnership)

    change = services.change_stage(
        partnership,
        stage_by_key("agreement_in_principle"),
        by=officer,
        note="Agreed in Maribor",
        expected_version=partnership.version,
    )

    assert history_count(partnership) == before + 1
    assert (change.from_stage.key, change.to_stage.key) == ("prospect", "agreement_in_principle")
    assert change.changed_by == officer
    assert change.note == "Agreed in Maribor"
    assert partnership.stage.key == "agreement_in_principle"
    assert partnership.stage_entered_at == change.changed_at


def test_moving_back_a_stage_is_allowed_and_recorded_as_back() -> None:
    partnership = make_partnership(stage_key="memorandum_drafting")
    change = services.change_stage(
        partnership,
        stage_by_key("agreement_in_principle"),
        by=partnership.owner,
        expected_version=partnership.version,
    )
    assert change.direction == "back"


def test_stale_version_is_refused_and_writes_nothing() -> None:
    partnership = make_partnership()
    stale = partnership.version
    services.change_stage(
        partnership, stage_by_key("exploratory_talks"), by=partnership.owner, expected_version=stale
    )
    rows = history_count(partnership)

    with pytest.raises(StaleVersion):
        services.change_stage(
            partnership,
            stage_by_key("agreement_in_principle"),
            by=partnership.owner,
            expected_version=stale,
        )

    assert history_count(partnership) == rows
    assert partnership.stage.key == "exploratory_talks"


def test_moving_to_the_current_stage_is_refused() -> None:
    partnership = make_partnership()
    with pytest.raises(services.InvalidTransition):
        services.change_stage(
            partnership,
            stage_by_key("prospect"),
            by=partnership.owner,
            expected_version=partnership.version,
        )


def test_reaching_signed_fills_the_signing_date() -> None:
    partnership = make_partnership(stage_key="memorandum_review")
    moment = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    services.change_stage(
        partnership,
        stage_by_key("memorandum_signed"),
        by=partnership.owner,
        expected_version=partnership.version,
        at=moment,
    )
    assert partnership.signed_on == date(2026, 3, 4)


def test_moving_back_from_signed_clears_the_signing_date_and_signing_again_dates_it_anew() -> None:
    """Regression: the date stayed, so a pairing moved to *signed* by mistake and back showed,
    once really signed weeks later, the day of the mistake."""
    partnership = make_partnership(stage_key="memorandum_review")
    for stage_key, day in (
        ("memorandum_signed", 4),  # the slip
        ("memorandum_review", 4),
        ("memorandum_signed", 20),  # the real signing
    ):
        services.change_stage(
            partnership,
            stage_by_key(stage_key),
            by=partnership.owner,
            expected_version=partnership.version,
            at=datetime(2026, 3, day, 12, 0, tzinfo=UTC),
        )
        session.commit()  # each move is a request of its own
        if stage_key == "memorandum_review":
            assert partnership.signed_on is None
    assert partnership.signed_on == date(2026, 3, 20)
    # The date cleared is not lost: the audit log has it.
    cleared = [
        entry.changes["signed_on"]
        for entry in session.scalars(
            select(AuditEntry).where(AuditEntry.object_id == partnership.id)
        )
        if "signed_on" in entry.changes
    ]
    assert ["2026-03-04", None] in [[str(old) if old else None, new] for old, new in cleared]


def test_a_signing_date_given_or_moved_on_from_is_kept() -> None:
    # Imported at *signed* with the day of the real signing: a move back and forth keeps it.
    imported = make_partnership(stage_key="memorandum_signed", signed_on=date(2019, 5, 1))
    for stage_key in ("memorandum_review", "memorandum_signed"):
        services.change_stage(
            imported,
            stage_by_key(stage_key),
            by=imported.owner,
            expected_version=imported.version,
        )
        assert imported.signed_on == date(2019, 5, 1)
    # Moving on to a stage an admin added after *signed* is no unsigning.
    implementation = add_stage("Implementation", after=stage_by_key("memorandum_signed"))
    signed = make_partnership(stage_key="memorandum_review")
    for stage in (stage_by_key("memorandum_signed"), implementation):
        services.change_stage(
            signed,
            stage,
            by=signed.owner,
            expected_version=signed.version,
            at=datetime(2026, 3, 4, 12, 0, tzinfo=UTC),
        )
    assert signed.signed_on == date(2026, 3, 4)
    # Back at *signed* a year later and then back again: the signing of 2026 stood, its date
    # stays (regression: the date filled in outlived the signing it was filled in for).
    for stage_key, day in (("memorandum_signed", 5), ("memorandum_review", 6)):
        services.change_stage(
            signed,
            stage_by_key(stage_key),
            by=signed.owner,
            expected_version=signed.version,
            at=datetime(2027, 3, day, 12, 0, tzinfo=UTC),
        )
    assert signed.signed_on == date(2026, 3, 4)


def test_a_signing_date_typed_as_the_day_of_the_signing_is_kept_on_moving_back() -> None:
    """Regression: a date was taken back when it was the day of the move to *signed*, typed or
    not: typed on the morning of the signing, it was gone after a slip back in the afternoon.
    And a date filled in, then retyped, is kept: it is the user's now."""
    moment = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)
    typed = make_partnership(stage_key="memorandum_review")
    services.update_partnership(
        typed, _data_of(typed, signed_on=date(2026, 3, 4)), expected_version=typed.version
    )
    retyped = make_partnership(stage_key="memorandum_review")
    for partnership in (typed, retyped):
        move(partnership, "memorandum_signed", at=moment)
    services.update_partnership(
        retyped, _data_of(retyped, signed_on=date(2026, 3, 2)), expected_version=retyped.version
    )
    for partnership in (typed, retyped):
        move(partnership, "memorandum_review", at=moment + timedelta(hours=3))
    assert (typed.signed_on, retyped.signed_on) == (date(2026, 3, 4), date(2026, 3, 2))


def _data_of(partnership: Partnership, **changes: object) -> services.PartnershipData:
    fields = {
        "locality_a_id": partnership.locality_a_id,
        "locality_b_id": partnership.locality_b_id,
        "owner_id": partnership.owner_id,
        "title": partnership.title,
        "sector_ids": [sector.id for sector in partnership.sectors],
        "summary": partnership.summary,
        "first_contact_on": partnership.first_contact_on,
        "target_signing_on": partnership.target_signing_on,
        "signed_on": partnership.signed_on,
    }
    return services.PartnershipData(**(fields | changes))  # type: ignore[arg-type]


def test_a_signed_pairing_keeps_its_signing_date_on_edit() -> None:
    """Regression: an edit (form or API) could empty the signing date of a pairing at *signed*:
    a memorandum signed with no date. An edit of the other fields keeps it, a date may be
    corrected, and moved back from *signed* the pairing's date may be emptied."""
    implementation = add_stage("Implementation", after=stage_by_key("memorandum_signed"))
    signed = make_partnership(stage_key="memorandum_signed", signed_on=date(2026, 3, 4))
    beyond = make_partnership(stage_key="memorandum_review")
    move(beyond, "memorandum_signed", at=datetime(2026, 3, 4, 12, 0, tzinfo=UTC))
    services.change_stage(beyond, implementation, by=beyond.owner, expected_version=beyond.version)
    for partnership in (signed, beyond):
        version = partnership.version
        with pytest.raises(DomainError) as error:
            services.update_partnership(
                partnership, _data_of(partnership, signed_on=None), expected_version=version
            )
        assert error.value.field == "signed_on"
        assert "keeps its signing date" in error.value.message
        session.refresh(partnership)
        assert (partnership.signed_on, partnership.version) == (date(2026, 3, 4), version)
        services.update_partnership(
            partnership,
            _data_of(partnership, signed_on=date(2026, 3, 3), summary="Signed in Maribor"),
            expected_version=version,
        )
        assert partnership.signed_on == date(2026, 3, 3)
    # Moved back short of *signed*, a typed date (kept by the move) may be emptied.
    move(signed, "memorandum_review", at=datetime(2026, 3, 5, 12, 0, tzinfo=UTC))
    assert signed.signed_on == date(2026, 3, 3)
    services.update_partnership(
        signed, _data_of(signed, signed_on=None), expected_version=signed.version
    )
    assert signed.signed_on is None
    # One kept from before the rule with no date is not refused its other changes.
    undated = make_partnership(stage_key="memorandum_signed", signed_on=date(2026, 3, 4))
    undated.signed_on = None
    session.flush()
    services.update_partnership(
        undated, _data_of(undated, summary="Signed in Maribor"), expected_version=undated.version
    )
    assert (undated.summary, undated.signed_on) == ("Signed in Maribor", None)


def move(partnership: Partnership, stage_key: str, *, at: datetime) -> None:
    services.change_stage(
        partnership,
        stage_by_key(stage_key),
        by=partnership.owner,
        expected_version=partnership.version,
        at=at,
    )


@pytest.mark.parametrize(
    ("zone", "moment"),
    [
        ("", datetime(2026, 3, 4, 23, 30, tzinfo=UTC)),  # 00:30 in Ljubljana, the deployment's
        ("Asia/Almaty", datetime(2026, 3, 4, 23, 0, tzinfo=UTC)),  # 04:00 in Almaty
    ],
)
def test_the_signing_date_is_the_day_where_the_mover_is(zone: str, moment: datetime) -> None:
    mover = make_user(time_zone=zone)
    partnership = make_partnership(stage_key="memorandum_review", first_contact_on=date(2026, 3, 5))
    services.change_stage(
        partnership,
        stage_by_key("memorandum_signed"),
        by=mover,
        expected_version=partnership.version,
        at=moment,
    )
    assert partnership.signed_on == date(2026, 3, 5)  # not 4 March, before the first contact


def test_a_pairing_created_at_signed_gets_its_signing_date() -> None:
    owner = make_user()
    locality_a, locality_b = make_locality("Maribor"), make_locality("Ptuj")
    moment = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    data = services.PartnershipData(
        locality_a_id=locality_a.id, locality_b_id=locality_b.id, owner_id=owner.id
    )
    created = services.create_partnership(data, by=owner, stage_key="memorandum_signed", at=moment)
    assert created.signed_on == date(2026, 3, 5)
    given = services.create_partnership(
        services.PartnershipData(
            locality_a_id=locality_a.id,
            locality_b_id=make_locality("Celje").id,
            owner_id=owner.id,
            signed_on=date(2026, 2, 13),
        ),
        by=owner,
        stage_key="memorandum_signed",
        at=moment,
    )
    assert given.signed_on == date(2026, 2, 13)  # a date given is kept
    [bulk_id] = services.create_partnerships_in_bulk(
        [
            services.PartnershipData(
                locality_a_id=locality_b.id,
                locality_b_id=make_locality("Kranj").id,
                owner_id=owner.id,
            )
        ],
        by=owner,
        stage_key="memorandum_signed",
        at=moment,
    )
    assert session.get(Partnership, bulk_id).signed_on == date(2026, 3, 5)
    later = services.create_partnership(
        services.PartnershipData(
            locality_a_id=locality_b.id, locality_b_id=make_locality("Koper").id, owner_id=owner.id
        ),
        by=owner,
        at=moment,
    )
    assert later.signed_on is None  # only reaching the signed stage fills it


def test_a_first_contact_still_to_come_is_refused() -> None:
    """Regression: a first contact dated next month was taken, and reaching *signed* then
    dated the signing today, before it: every later save of the pairing was refused."""
    next_month = utcnow().date() + timedelta(days=30)
    with pytest.raises(DomainError) as refused:
        make_partnership(stage_key="memorandum_signed", first_contact_on=next_month)
    assert refused.value.field == "first_contact_on"
    assert "still to come" in refused.value.message
    assert session.scalar(select(func.count()).select_from(Partnership)) == 0
    partnership = make_partnership()
    with pytest.raises(DomainError) as edit_refused:
        services.update_partnership(
            partnership,
            _data_of(partnership, first_contact_on=next_month),
            expected_version=partnership.version,
        )
    assert edit_refused.value.field == "first_contact_on"
    # Tomorrow is today somewhere ahead of UTC (the signing date's slack too).
    assert make_partnership(first_contact_on=utcnow().date() + timedelta(days=1)).id


def test_reaching_signed_never_dates_the_signing_before_the_first_contact() -> None:
    """Today where the mover is may be before a first contact given as today from a zone ahead:
    the signing is dated that day, today there. A first contact later than that, kept from
    before it was refused, is asked to be corrected, and nothing of the move is written."""
    now = utcnow()
    # In UTC: tomorrow, today in the zones ahead of it, is the last day a first contact may be.
    mover = make_user(time_zone="UTC")
    tomorrow = now.date() + timedelta(days=1)
    created = make_partnership(
        stage_key="memorandum_signed", first_contact_on=tomorrow, by=mover, at=now
    )
    assert created.signed_on == tomorrow and created.signed_on_filled
    [bulk_id] = services.create_partnerships_in_bulk(
        [
            services.PartnershipData(
                locality_a_id=make_locality().id,
                locality_b_id=make_locality(country_code="KZ").id,
                owner_id=mover.id,
                first_contact_on=tomorrow,
            )
        ],
        by=mover,
        stage_key="memorandum_signed",
        at=now,
    )
    assert session.get(Partnership, bulk_id).signed_on == tomorrow

    partnership = make_partnership(stage_key="memorandum_review")
    partnership.first_contact_on = now.date() + timedelta(days=30)  # taken before the rule
    session.flush()
    version, history = partnership.version, history_count(partnership)
    with pytest.raises(services.InvalidTransition) as refused:
        services.change_stage(
            partnership, stage_by_key("memorandum_signed"), by=mover, expected_version=version
        )
    assert refused.value.field == "stage"
    assert "correct its date before marking the memorandum signed" in refused.value.message
    session.flush()
    assert partnership.stage.key == "memorandum_review" and partnership.signed_on is None
    assert history_count(partnership) == history and partnership.version == version
    # Kept, it does not stand in the way of the pairing's other changes.
    services.update_partnership(
        partnership,
        _data_of(partnership, summary="First meeting planned"),
        expected_version=version,
    )
    assert partnership.summary == "First meeting planned"
    # Nor moves to other stages.
    moved = services.change_stage(
        partnership,
        stage_by_key("exploratory_talks"),
        by=mover,
        expected_version=partnership.version,
    )
    assert moved.to_stage.key == "exploratory_talks"


def test_same_locality_twice_is_refused() -> None:
    maribor = make_locality("Maribor")
    with pytest.raises(DomainError, match="two different localities"):
        make_partnership(maribor, maribor)
    assert session.scalar(select(func.count()).select_from(Partnership)) == 0


@pytest.mark.parametrize("reverse", [False, True], ids=["same order", "reversed"])
def test_duplicate_open_pair_is_refused_in_either_order(reverse: bool) -> None:
    maribor, kyzylorda = make_locality("Maribor"), make_locality("Kyzylorda", country_code="KZ")
    make_partnership(maribor, kyzylorda)

    with pytest.raises(services.DuplicatePairing):
        if reverse:
            make_partnership(kyzylorda, maribor)
        else:
            make_partnership(maribor, kyzylorda)


def test_a_dropped_pair_can_be_started_again_but_not_reopened_beside_it() -> None:
    maribor, kyzylorda = make_locality("Maribor"), make_locality("Kyzylorda", country_code="KZ")
    first = make_partnership(maribor, kyzylorda)
    services.change_status(first, Status.DROPPED, by=first.owner, expected_version=first.version)

    second = make_partnership(kyzylorda, maribor)

    assert second.id != first.id
    with pytest.raises(services.DuplicatePairing):
        services.change_status(first, Status.OPEN, by=first.owner, expected_version=first.version)


def test_status_changes_are_history_rows_that_keep_the_stage() -> None:
    partnership = make_partnership(stage_key="exploratory_talks")
    change = services.change_status(
        partnership,
        Status.ON_HOLD,
        by=partnership.owner,
        note="Elections",
        expected_version=partnership.version,
    )
    assert (change.from_status, change.to_status) == ("open", "on_hold")
    assert change.from_stage == change.to_stage == partnership.stage
    assert change.direction == "status"


def test_a_dropped_pairing_cannot_be_moved_until_reopened() -> None:
    partnership = make_partnership()
    services.change_status(
        partnership, Status.DROPPED, by=partnership.owner, expected_version=partnership.version
    )
    with pytest.raises(services.InvalidTransition, match="Reopen"):
        services.change_stage(
            partnership,
            stage_by_key("exploratory_talks"),
            by=partnership.owner,
            expected_version=partnership.version,
        )


def test_update_refuses_a_stale_version_and_keeps_the_newer_edit() -> None:
    partnership = make_partnership(summary="first")
    loaded_version = partnership.version
    data = services.PartnershipData(
        locality_a_id=partnership.locality_a_id,
        locality_b_id=partnership.locality_b_id,
        owner_id=partnership.owner_id,
        summary="second",
    )
    services.update_partnership(partnership, data, expected_version=loaded_version)

    with pytest.raises(StaleVersion):
        services.update_partnership(
            partnership,
            services.PartnershipData(**{**data.__dict__, "summary": "third"}),
            expected_version=loaded_version,
        )
    assert partnership.summary == "second"


def test_an_edit_of_the_sectors_alone_moves_the_version_so_a_stale_edit_is_refused() -> None:
    # The link table changes without the pairing's row: the version stood still, and a
    # concurrent edit from the same version put the old sectors back.
    partnership = make_partnership()
    session.flush()
    loaded_version = partnership.version
    education = session.scalar(select(Sector).where(Sector.slug == "education"))
    assert education is not None
    data = services.PartnershipData(
        locality_a_id=partnership.locality_a_id,
        locality_b_id=partnership.locality_b_id,
        owner_id=partnership.owner_id,
        summary=partnership.summary,
        sector_ids=[education.id],
    )
    services.update_partnership(partnership, data, expected_version=loaded_version)
    assert partnership.version == loaded_version + 1
    with pytest.raises(StaleVersion):
        services.update_partnership(
            partnership,
            services.PartnershipData(**{**data.__dict__, "sector_ids": []}),
            expected_version=loaded_version,
        )
    assert [sector.slug for sector in partnership.sectors] == ["education"]


def test_signing_date_before_first_contact_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        make_partnership(first_contact_on=date(2026, 2, 13), signed_on=date(2026, 1, 1))
    assert error.value.field == "signed_on"


@pytest.mark.parametrize(
    ("field", "day"),
    [
        ("first_contact_on", date(1, 1, 1)),
        ("target_signing_on", date(9999, 12, 31)),
        ("signed_on", date(1899, 12, 31)),
    ],
)
def test_a_date_outside_the_span_is_refused_one_at_a_time_and_in_bulk(
    field: str, day: date
) -> None:
    with pytest.raises(DomainError, match="Give a date between") as one:
        make_partnership(**{field: day})
    assert one.value.field == field
    session.rollback()
    owner = make_user()
    data = services.PartnershipData(
        locality_a_id=make_locality().id,
        locality_b_id=make_locality(country_code="KZ").id,
        owner_id=owner.id,
        **{field: day},
    )
    with pytest.raises(DomainError, match="Give a date between") as bulk:
        services.create_partnerships_in_bulk([data], by=owner)
    assert bulk.value.field == field


def test_inactive_owner_is_refused() -> None:
    with pytest.raises(DomainError) as error:
        make_partnership(owner=make_user(is_active=False))
    assert error.value.field == "owner_id"


@pytest.mark.parametrize(
    ("dates", "field", "message"),
    [
        (
            {"first_contact_on": date(2026, 2, 13), "target_signing_on": date(2025, 12, 1)},
            "target_signing_on",
            "The target signing date is before the first contact.",
        ),
        ({"signed_on": date(2030, 1, 1)}, "signed_on", "The signing date is still to come"),
        (
            {"first_contact_on": date(2026, 2, 13), "signed_on": date(2026, 1, 10)},
            "signed_on",
            "The signing date is before the first contact.",
        ),
    ],
)
def test_a_pairings_dates_must_agree_with_each_other_and_the_calendar(
    dates: dict[str, date], field: str, message: str
) -> None:
    """Regression: a target signing before the first contact, and a memorandum "signed" in
    2030 while at Prospect, were both taken."""
    with pytest.raises(DomainError) as refused:
        make_partnership(**dates)
    assert refused.value.field == field and message in refused.value.message
    assert session.scalar(select(func.count()).select_from(Partnership)) == 0
    make_partnership(first_contact_on=date(2026, 2, 13), target_signing_on=date(2026, 12, 15))
