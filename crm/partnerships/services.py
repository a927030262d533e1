"""The rules of the pipeline. Services change and flush; the caller commits once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from flask_babel import format_date, format_decimal, gettext, ngettext, pgettext
from sqlalchemy import bindparam, func, insert, select

from crm.access import may_own_pairings
from crm.auth.models import User
from crm.date_span import require_within_span
from crm.db import session, utcnow
from crm.errors import DomainError, check_version, title_too_long
from crm.localities.models import Locality
from crm.partnerships.models import (
    Partnership,
    Stage,
    StageChange,
    Status,
    country_pair_of,
    pair_key_of,
    partnership_sectors,
)
from crm.partnerships.stages import FIRST_STAGE_KEY, SIGNED_STAGE_KEY, stage_by_key
from crm.sectors.models import Sector
from crm.tasks.dates import today_for
from crm.text_search import fold

TITLE_MAX_LENGTH = 300
SUMMARY_MAX_LENGTH = 10_000
NOTE_MAX_LENGTH = 2_000


class DuplicatePairing(DomainError):
    """Two localities may have one pairing that is not dropped. `field` is what the caller
    changed to run into it: a locality, or the status that reopens a dropped pairing."""

    def __init__(self, existing: Partnership, *, field: str = "locality_b_id") -> None:
        values = {
            "title": existing.title,
            "stage": existing.stage.name,
            "status": status_word(Status(existing.status)),
        }
        message = (
            gettext(
                "These two localities are already paired in “%(title)s” (%(stage)s, %(status)s; "
                "deleted, an administrator can restore it).",
                **values,
            )
            if existing.archived_at
            else gettext(
                "These two localities are already paired in “%(title)s” (%(stage)s, %(status)s).",
                **values,
            )
        )
        super().__init__(message, field=field)
        self.existing = existing


class InvalidTransition(DomainError):
    pass


def status_word(status: Status) -> str:
    """The status as a lower-case word inside a sentence ("Prospect, on hold")."""
    return {
        Status.OPEN: pgettext("pairing status", "open"),
        Status.ON_HOLD: pgettext("pairing status", "on hold"),
        Status.DROPPED: pgettext("pairing status", "dropped"),
    }[status]


@dataclass(frozen=True)
class PartnershipData:
    locality_a_id: int
    locality_b_id: int
    owner_id: int
    title: str = ""
    sector_ids: list[int] = field(default_factory=list)
    summary: str = ""
    first_contact_on: date | None = None
    target_signing_on: date | None = None
    signed_on: date | None = None


def not_an_owner() -> str:
    return gettext("Choose an active officer or administrator as the owner.")


def default_title(locality_a: Locality, locality_b: Locality) -> str:
    """ "Maribor – Kyzylorda Region": the names an English reader knows, joined by an en dash.

    English whatever the creator reads in, so that one pairing has one title for everybody.
    """
    return joined_title(locality_a.english_name, locality_b.english_name)


def joined_title(english_name_a: str, english_name_b: str) -> str:
    """`default_title` from the two English names alone (the import has no Locality to hand)."""
    return f"{english_name_a} – {english_name_b}"


def create_partnership(
    data: PartnershipData,
    *,
    by: User,
    stage_key: str = FIRST_STAGE_KEY,
    note: str = "",
    at: datetime | None = None,
) -> Partnership:
    """Start a pairing at `stage_key`; its first history row says where and by whom it began."""
    stage = _stage_or_error(stage_key)
    now = at or utcnow()
    partnership = Partnership(
        stage=stage, status=Status.OPEN.value, stage_entered_at=now, last_activity_at=now
    )
    partnership.created_at = now
    _apply(partnership, data)
    partnership.signed_on, partnership.signed_on_filled = _signing_date(
        stage,
        partnership.signed_on,
        first_contact=partnership.first_contact_on,
        by=by,
        at=now,
        field="first_contact_on",
    )
    session.add(partnership)
    session.add(
        StageChange(
            partnership=partnership,
            from_stage=None,
            to_stage=stage,
            from_status=None,
            to_status=Status.OPEN.value,
            changed_by=by,
            changed_at=now,
            note=_checked_note(note),
        )
    )
    session.flush()
    return partnership


def update_partnership(
    partnership: Partnership, data: PartnershipData, *, expected_version: int
) -> None:
    check_version(partnership.version, expected_version)
    if data.signed_on is None and partnership.signed_on is not None and _is_signed(partnership):
        raise DomainError(
            gettext(
                "A signed memorandum keeps its signing date: correct the date if it is wrong; "
                "if the memorandum was not signed, first move the pairing back to an earlier "
                "stage, where the date can be emptied."
            ),
            field="signed_on",
        )
    # Unflushed until asked (replacing the sectors loads them, which would flush the rest):
    with session.no_autoflush:
        _apply(partnership, data)
        changed = session.is_modified(partnership)
    if changed:
        # A change is activity. Saving what was there is not, and writes nothing: no new
        # version for others' open forms to trip on, nothing new for `updated_since`.
        partnership.last_activity_at = utcnow()
    session.flush()


def change_stage(
    partnership: Partnership,
    to: Stage,
    *,
    by: User,
    expected_version: int,
    note: str = "",
    at: datetime | None = None,
) -> StageChange:
    """Move a pairing to another stage, forward or back; the history row is what reports read."""
    check_version(partnership.version, expected_version)
    if to.id == partnership.stage_id:
        raise InvalidTransition(
            gettext("The pairing is already at “%(stage)s”.", stage=to.name), field="stage"
        )
    if partnership.status == Status.DROPPED:
        raise InvalidTransition(
            gettext("Reopen this dropped pairing before moving it."), field="stage"
        )
    now = at or _next_in_history(partnership, utcnow())
    # The signing date before the history row: filling it in may refuse the move, and then
    # nothing is written (a move that unsigns or passes *signed* is not to it, and never is).
    if _unsigning(partnership, to):
        partnership.signed_on = None
    elif partnership.stage.key == SIGNED_STAGE_KEY and to.position > partnership.stage.position:
        # Moved on past *signed* (to a stage an admin added after it): the signing stands, and
        # its date is kept whatever moves come later.
        partnership.signed_on_filled = False
    if partnership.signed_on is None:
        partnership.signed_on, partnership.signed_on_filled = _signing_date(
            to, None, first_contact=partnership.first_contact_on, by=by, at=now
        )
    change = _record(
        partnership, to_stage=to, to_status=partnership.status, by=by, note=note, at=now
    )
    partnership.stage = to
    partnership.stage_entered_at = now
    session.flush()
    return change


def change_status(
    partnership: Partnership,
    to: Status,
    *,
    by: User,
    expected_version: int,
    note: str = "",
    at: datetime | None = None,
) -> StageChange:
    """Put a pairing on hold, drop it, or reopen it; it keeps its stage."""
    check_version(partnership.version, expected_version)
    if to == partnership.status:
        raise InvalidTransition(_already_in_status(to), field="status")
    if partnership.status == Status.DROPPED:
        # Reopening is what is refused, not the localities the caller left alone.
        _refuse_duplicate(
            partnership.locality_a_id,
            partnership.locality_b_id,
            except_id=partnership.id,
            field="status",
        )
    change = _record(
        partnership,
        to_stage=partnership.stage,
        to_status=to.value,
        by=by,
        note=note,
        at=at or _next_in_history(partnership, utcnow()),
    )
    partnership.status = to.value
    session.flush()
    return change


def archive_partnership(
    partnership: Partnership, *, by: User, expected_version: int | None = None
) -> None:
    """Delete a pairing the soft way: it leaves every list, its history is kept, and an admin
    can restore it.

    `expected_version`: the version the page showed; a pairing changed since (moved, signed,
    edited) is not deleted unseen (`StaleVersion`). None: the API's DELETE, which names none.
    """
    if expected_version is not None:
        check_version(partnership.version, expected_version)
    if partnership.archived_at is None:
        partnership.archived_at = utcnow()
        partnership.archived_by = by
        session.flush()


def restore_partnership(partnership: Partnership) -> None:
    if partnership.archived_at is None:
        raise InvalidTransition(gettext("This pairing is not archived."))
    partnership.archived_at = None
    partnership.archived_by = None
    session.flush()


def _next_in_history(partnership: Partnership, now: datetime) -> datetime:
    """`now`, or the pairing's last change if that is later.

    Each history row starts where the one before it in time ended, which the weekly report
    relies on: it finds where a pairing stood either from what its first change since a moment
    left, or from where its last change before it went. A move timed by an app server whose
    clock is a little behind another's would otherwise slot in before a row written earlier
    and break that chain. (A move given its own time, `at`, is the caller's to keep in order:
    the demo's history, written oldest first.)
    """
    latest = session.scalar(
        select(func.max(StageChange.changed_at)).where(StageChange.partnership_id == partnership.id)
    )
    return now if latest is None or now >= latest else latest


def _record(
    partnership: Partnership,
    *,
    to_stage: Stage,
    to_status: str,
    by: User,
    note: str,
    at: datetime,
) -> StageChange:
    change = StageChange(
        partnership=partnership,
        from_stage=partnership.stage,
        to_stage=to_stage,
        from_status=partnership.status,
        to_status=to_status,
        changed_by=by,
        changed_at=at,
        note=_checked_note(note),
    )
    session.add(change)
    partnership.last_activity_at = at
    return change


def _apply(partnership: Partnership, data: PartnershipData) -> None:
    if data.locality_a_id == data.locality_b_id:
        raise DomainError(gettext("Choose two different localities."), field="locality_b_id")
    locality_a = session.get(Locality, data.locality_a_id)
    if locality_a is None:
        raise DomainError(gettext("Choose a locality from the list."), field="locality_a_id")
    locality_b = session.get(Locality, data.locality_b_id)
    if locality_b is None:
        raise DomainError(gettext("Choose a locality from the list."), field="locality_b_id")
    if partnership.status != Status.DROPPED:
        _refuse_duplicate(locality_a.id, locality_b.id, except_id=partnership.id)
    owner = session.get(User, data.owner_id)
    title = _checked_fields(
        data, locality_a, locality_b, owner, stored_first_contact=partnership.first_contact_on
    )
    sectors = _sectors(data.sector_ids)

    partnership.locality_a = locality_a
    partnership.locality_b = locality_b
    partnership.locality_a_id = locality_a.id
    partnership.locality_b_id = locality_b.id
    partnership.title = title
    partnership.owner = owner  # type: ignore[assignment]  (checked above)
    partnership.summary = data.summary.strip()
    partnership.first_contact_on = data.first_contact_on
    partnership.target_signing_on = data.target_signing_on
    if data.signed_on != partnership.signed_on:
        partnership.signed_on_filled = False  # typed: kept whatever the pairing's moves
    partnership.signed_on = data.signed_on
    partnership.sectors = sectors


def _checked_fields(
    data: PartnershipData,
    locality_a: Locality,
    locality_b: Locality,
    owner: User | None,
    *,
    stored_first_contact: date | None = None,
) -> str:
    """The rules on a pairing's own fields (localities found, owner active, lengths, dates);
    returns its title. Shared by one pairing at a time and by the bulk import."""
    if locality_a.id == locality_b.id:
        raise DomainError(gettext("Choose two different localities."), field="locality_b_id")
    if owner is None or not may_own_pairings(owner):
        raise DomainError(not_an_owner(), field="owner_id")
    title = " ".join(data.title.split()) or default_title(locality_a, locality_b)
    if len(title) > TITLE_MAX_LENGTH:
        raise DomainError(
            title_too_long(TITLE_MAX_LENGTH),
            field="title",
        )
    if len(data.summary) > SUMMARY_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "The summary can be at most %(num)s character.",
                "The summary can be at most %(num)s characters.",
                SUMMARY_MAX_LENGTH,
                num=format_decimal(SUMMARY_MAX_LENGTH),
            ),
            field="summary",
        )
    require_within_span(data.first_contact_on, field="first_contact_on")
    require_within_span(data.target_signing_on, field="target_signing_on")
    require_within_span(data.signed_on, field="signed_on")
    problems = date_problems(data, stored_first_contact=stored_first_contact)
    if problems:
        field_name, message = next(iter(problems.items()))
        raise DomainError(message, field=field_name)
    return title


def date_problems(
    data: PartnershipData, *, stored_first_contact: date | None = None
) -> dict[str, str]:
    """What is wrong with a pairing's dates taken together, by field: the forms, the API and
    the import's preview ask the same question. `stored_first_contact`: the pairing's own, as
    saved (a first contact still to come was taken before it was refused, and a pairing that
    keeps one is not refused every other change for it)."""
    problems = {}
    first, target, signed = data.first_contact_on, data.target_signing_on, data.signed_on
    latest_today = _latest_today(utcnow())
    if first and signed and signed < first:
        problems["signed_on"] = gettext("The signing date is before the first contact.")
    # A day of slack: where it is already tomorrow, a memorandum signed today is signed.
    elif signed and signed > latest_today:
        problems["signed_on"] = gettext(
            "The signing date is still to come; a planned date goes in the target signing date."
        )
    # A first contact is something that happened, like a meeting on the timeline; with the
    # signing date's day of slack. One still to come would put the date that reaching *signed*
    # fills in (today) before it, and the pairing could not be saved again.
    if first and first > latest_today and first != stored_first_contact:
        problems["first_contact_on"] = gettext(
            "The first contact is still to come: give its date once it has happened."
        )
    if first and target and target < first:
        problems["target_signing_on"] = gettext(
            "The target signing date is before the first contact."
        )
    return problems


def create_partnerships_in_bulk(
    items: Sequence[PartnershipData],
    *,
    by: User,
    stage_key: str = FIRST_STAGE_KEY,
    note: str = "",
    at: datetime | None = None,
) -> list[int]:
    """Many new pairings at once, for imports: the rules of `create_partnership`, checked with
    a handful of statements for the whole batch rather than several per pairing, then written
    with multi-row INSERTs. Nothing is written if any item breaks a rule."""
    if not items:
        return []
    stage = _stage_or_error(stage_key)
    note = _checked_note(note)
    now = at or utcnow()
    locality_ids = {i.locality_a_id for i in items} | {i.locality_b_id for i in items}
    localities = {
        locality.id: locality
        for locality in session.scalars(select(Locality).where(Locality.id.in_(locality_ids)))
    }
    owners = {
        user.id: user
        for user in session.scalars(select(User).where(User.id.in_({i.owner_id for i in items})))
    }
    sector_ids = {sector_id for item in items for sector_id in item.sector_ids}
    known_sectors = set(session.scalars(select(Sector.id).where(Sector.id.in_(sector_ids))))
    if sector_ids - known_sectors:
        raise DomainError(gettext("One of the sectors does not exist."), field="sector_ids")
    keys = [pair_key_of(i.locality_a_id, i.locality_b_id) for i in items]
    taken = set(
        session.scalars(
            select(Partnership.pair_key).where(
                Partnership.pair_key.in_(set(keys)),
                # Written into the SQL, not bound, so PostgreSQL can use the partial unique
                # index (status <> 'dropped') even when it switches to a generic plan.
                Partnership.status
                != bindparam("dropped", Status.DROPPED.value, literal_execute=True),
            )
        )
    )
    rows = []
    for item, key in zip(items, keys, strict=True):
        locality_a = localities.get(item.locality_a_id)
        locality_b = localities.get(item.locality_b_id)
        if locality_a is None or locality_b is None:
            raise DomainError(gettext("Choose a locality from the list."), field="locality_a_id")
        title = _checked_fields(item, locality_a, locality_b, owners.get(item.owner_id))
        if key in taken:
            raise DomainError(
                gettext(
                    "%(first)s and %(second)s are already paired.",
                    first=locality_a.display_name,
                    second=locality_b.display_name,
                ),
                field="locality_b_id",
            )
        taken.add(key)
        signed_on, signed_on_filled = _signing_date(
            stage,
            item.signed_on,
            first_contact=item.first_contact_on,
            by=by,
            at=now,
            field="first_contact_on",
        )
        rows.append(
            {
                "title": title,
                "title_folded": fold(title),
                "pair_key": key,
                "country_pair": country_pair_of(locality_a.country_code, locality_b.country_code),
                "locality_a_id": item.locality_a_id,
                "locality_b_id": item.locality_b_id,
                "stage_id": stage.id,
                "status": Status.OPEN.value,
                "owner_id": item.owner_id,
                "summary": item.summary.strip(),
                "first_contact_on": item.first_contact_on,
                "target_signing_on": item.target_signing_on,
                "signed_on": signed_on,
                "signed_on_filled": signed_on_filled,
                "stage_entered_at": now,
                "last_activity_at": now,
                "created_at": now,
                "updated_at": now,
                "version": 1,
            }
        )
    ids = list(
        session.scalars(
            insert(Partnership).returning(Partnership.id, sort_by_parameter_order=True), rows
        )
    )
    session.execute(
        insert(StageChange),
        [
            {
                "partnership_id": partnership_id,
                "from_stage_id": None,
                "to_stage_id": stage.id,
                "from_status": None,
                "to_status": Status.OPEN.value,
                "changed_by_id": by.id,
                "changed_at": now,
                "note": note,
            }
            for partnership_id in ids
        ],
    )
    links = [
        {"partnership_id": partnership_id, "sector_id": sector_id}
        for partnership_id, item in zip(ids, items, strict=True)
        for sector_id in set(item.sector_ids)
    ]
    if links:
        session.execute(insert(partnership_sectors), links)
    return ids


def _signing_date(
    stage: Stage,
    given: date | None,
    *,
    first_contact: date | None,
    by: User,
    at: datetime,
    field: str = "stage",
) -> tuple[date | None, bool]:
    """The signing date of a pairing reaching `stage` with the date `given`, and whether it was
    filled in here: reaching *signed* fills an empty one with the day it is where the mover is
    (at 00:30 in Ljubljana it is already the new day, though not yet in UTC).

    Never a day before the first contact: the pairing would break its own rule
    (`date_problems`) and every later save of it would be refused. A first contact given as
    today from a zone ahead of the mover's is tomorrow for the mover: the signing is dated that
    day, which is today there. One later than anywhere's today (`signing_date_problem`) is
    refused, with `field` named.
    """
    problem = signing_date_problem(stage.key, given, first_contact, at=at)
    if problem is not None:
        raise InvalidTransition(problem, field=field)
    if stage.key == SIGNED_STAGE_KEY and given is None:
        return max(today_for(by, at), first_contact or date.min), True
    return given, False


def signing_date_problem(
    stage_key: str, signed_on: date | None, first_contact: date | None, *, at: datetime
) -> str | None:
    """Why a pairing reaching `stage_key` at `at` cannot have its signing date filled in: it
    reaches *signed* with none, and its first contact is after the last day that is today
    anywhere (one given before such dates were refused). The import's preview asks it of the
    rows that move a pairing, as the move itself does."""
    if stage_key != SIGNED_STAGE_KEY or signed_on is not None:
        return None
    if first_contact is None or first_contact <= _latest_today(at):
        return None
    return gettext(
        "The first contact is dated %(date)s, after today: correct its date before marking the "
        "memorandum signed.",
        date=format_date(first_contact),
    )


def _latest_today(at: datetime) -> date:
    """The last day that is today somewhere at `at`: UTC's tomorrow, where the zones ahead of it
    already are (the day of slack that the signing and first contact dates are given)."""
    return at.astimezone(UTC).date() + timedelta(days=1)


def _is_signed(partnership: Partnership) -> bool:
    """Whether the pairing is at *signed* or at a stage an admin added after it (the signing
    stands, `change_stage`): a memorandum signed has a date, which an edit may correct but not
    empty."""
    at = partnership.stage
    if at.key == SIGNED_STAGE_KEY:
        return True
    signed = session.scalar(select(Stage.position).where(Stage.key == SIGNED_STAGE_KEY))
    return signed is not None and at.position > signed


def _unsigning(partnership: Partnership, to: Stage) -> bool:
    """Whether a move takes back the signing date that reaching *signed* filled in.

    Moved back from *signed*, the pairing has no signed memorandum, and a date kept would be the
    one shown once it is signed again: a slip of the board's menu dated the real signing weeks
    early. A date given otherwise (typed, imported: a memorandum signed in 2019) is kept, and so
    is any date when the pairing moves on to a stage added after *signed*. The audit log keeps
    a date cleared.
    """
    at = partnership.stage
    return at.key == SIGNED_STAGE_KEY and to.position < at.position and partnership.signed_on_filled


def _refuse_duplicate(
    locality_a_id: int,
    locality_b_id: int,
    *,
    except_id: int | None,
    field: str = "locality_b_id",
) -> None:
    statement = select(Partnership).where(
        Partnership.pair_key == pair_key_of(locality_a_id, locality_b_id),
        Partnership.status != Status.DROPPED.value,
    )
    if except_id is not None:
        statement = statement.where(Partnership.id != except_id)
    existing = session.scalar(statement)
    if existing is not None:
        raise DuplicatePairing(existing, field=field)


def _sectors(sector_ids: list[int]) -> list[Sector]:
    wanted = set(sector_ids)
    if not wanted:
        return []
    sectors = list(session.scalars(select(Sector).where(Sector.id.in_(wanted))))
    if len(sectors) != len(wanted):
        raise DomainError(gettext("One of the sectors does not exist."), field="sector_ids")
    return sectors


def _stage_or_error(key: str) -> Stage:
    stage = stage_by_key(key)
    if stage is None:
        raise DomainError(gettext("There is no stage “%(key)s”.", key=key), field="stage")
    return stage


def _checked_note(note: str) -> str:
    note = note.strip()
    if len(note) > NOTE_MAX_LENGTH:
        raise DomainError(
            ngettext(
                "A note can be at most %(num)s character.",
                "A note can be at most %(num)s characters.",
                NOTE_MAX_LENGTH,
                num=format_decimal(NOTE_MAX_LENGTH),
            ),
            field="note",
        )
    return note


def _already_in_status(status: Status) -> str:
    """A whole sentence per status, so that a translation can make the words agree."""
    if status == Status.OPEN:
        return gettext("The pairing is already open.")
    if status == Status.ON_HOLD:
        return gettext("The pairing is already on hold.")
    return gettext("The pairing is already dropped.")
