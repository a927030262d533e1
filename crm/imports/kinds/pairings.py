"""Pairings, matched by the `id` a row gives (as an export writes it), else on their two localities
(in either order): the pairing they are worked on in now, else the most recent of their dropped
ones (see `PairingImporter.prepare`).

A locality is named by country and name (local or English, diacritics and case set aside). One
that cannot be found is an error on its cell with the closest names in that country.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import gettext, lazy_gettext
from sqlalchemy import select

from crm.access import may_own_pairings, visible_partnership_ids
from crm.auth.models import User
from crm.db import session, utcnow
from crm.errors import DomainError, check_version, title_too_long
from crm.imports.engine import (
    NEW,
    UNCHANGED,
    UPDATE,
    Checked,
    Column,
    ImportAborted,
    Importer,
    RowOutcome,
    close_matches,
)
from crm.imports.values import BadValue, country_code, parse_date, split_list
from crm.localities.models import Locality
from crm.partnerships import services
from crm.partnerships.models import Partnership, Stage, Status, pair_key_of, partnership_sectors
from crm.partnerships.stages import FIRST_STAGE_KEY
from crm.routing import record_id_in
from crm.sectors.models import Sector
from crm.text_search import fold

BATCH_SIZE = 500
STATUS_NAMES = {
    "open": Status.OPEN,
    "on hold": Status.ON_HOLD,
    "on_hold": Status.ON_HOLD,
    "hold": Status.ON_HOLD,
    "dropped": Status.DROPPED,
}
DATE_FIELDS = ("first_contact_on", "target_signing_on", "signed_on")


@dataclass(frozen=True)
class Known:
    id: int
    title: str
    stage_key: str
    status: str
    owner_id: int
    summary: str
    first_contact_on: date | None
    target_signing_on: date | None
    signed_on: date | None
    sector_ids: frozenset[int]
    archived: bool
    version: int
    pair_key: str


@dataclass(frozen=True)
class RowFields:
    """A row's values as read and checked, for the comparison with the pairing it matches."""

    values: dict[str, str]
    owner_id: int
    sector_ids: list[int]
    dates: dict[str, date | None]
    stage_key: str
    status: str
    title: str
    summary: str
    side_a: int
    side_b: int


@dataclass(frozen=True)
class Planned:
    data: services.PartnershipData
    stage_key: str
    status: str
    existing_id: int | None = None
    fields_changed: bool = False
    # The pairing's version when the file was checked against it: an edit saved since then is
    # not written over (the row is refused as stale).
    expected_version: int = 0


def _side_columns(side: str, other: str) -> tuple[Column, Column]:
    upper = side.upper()
    return (
        Column(
            f"locality_{side}",
            lazy_gettext("Locality %(side)s", side=upper),
            required=True,
            help=lazy_gettext("Local or English name"),
            example="Maribor" if side == "a" else "Kyzylorda Region",
            aliases=(f"city {side}", f"side {side}", f"locality {side} name", f"name {side}"),
        ),
        Column(
            f"country_{side}",
            lazy_gettext("Country %(side)s", side=upper),
            required=True,
            help=lazy_gettext("ISO code or English name"),
            example="SI" if side == "a" else "KZ",
            aliases=(f"country code {side}", f"country {side} code"),
        ),
    )


class PairingImporter(Importer):
    key = "pairings"
    label = lazy_gettext("Pairings")
    columns = (
        *_side_columns("a", "b"),
        *_side_columns("b", "a"),
        Column(
            "stage",
            lazy_gettext("Stage"),
            help=lazy_gettext("Stage key or name (new rows: Prospect when empty)"),
            example="agreement_in_principle",
        ),
        Column(
            "status",
            lazy_gettext("Status"),
            help=lazy_gettext("open, on hold or dropped"),
            example="open",
        ),
        Column(
            "title",
            lazy_gettext("Title"),
            help=lazy_gettext("Empty: the two English names"),
            example="",
        ),
        Column(
            "owner",
            lazy_gettext("Owner e-mail"),
            help=lazy_gettext("A user; empty: you"),
            aliases=("owner email",),
        ),
        Column(
            "sectors",
            lazy_gettext("Sectors"),
            help=lazy_gettext("Sector names or slugs, separated by ;"),
            example="education; culture",
        ),
        Column("summary", lazy_gettext("Summary")),
        Column("first_contact_on", lazy_gettext("First contact"), example="2026-02-13"),
        Column(
            "target_signing_on",
            lazy_gettext("Target signing"),
            aliases=("target signing date",),
        ),
        Column("signed_on", lazy_gettext("Signed on"), aliases=("signing date", "signed")),
        # Last, so that a template's familiar columns keep their places.
        Column(
            "id",
            lazy_gettext("Id"),
            help=lazy_gettext("Empty: matched by its two localities; from an export: that pairing"),
            aliases=("pairing id",),
        ),
    )

    def prepare(self) -> None:
        # Every spelling of every locality, per country: folded name -> ids.
        self.places: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
        self.place_names: dict[str, dict[str, str]] = defaultdict(dict)
        # What a new pairing without a title is called: the two English names (default_title).
        self.english_names: dict[int, str] = {}
        for row in session.execute(
            select(
                Locality.id,
                Locality.country_code,
                Locality.name,
                Locality.name_en,
                Locality.other_names,
            )
        ):
            self.english_names[row.id] = row.name_en or row.name
            for name in (row.name, row.name_en, *(row.other_names or {}).values()):
                if name:
                    self.places[row.country_code][fold(name)].add(row.id)
                    self.place_names[row.country_code].setdefault(fold(name), name)
        self.stages: dict[str, Stage] = {}
        # A stage or sector by any of its names: as stored, as the reader reads it, or in any
        # language it has one in (a file may come from a colleague who reads another).
        for stage in session.scalars(select(Stage)):
            self.stages[stage.key] = stage
            for name in _all_names(stage):
                self.stages[fold(name)] = stage
        self.sectors: dict[str, int] = {}
        self.sector_slugs: dict[int, str] = {}
        for sector in session.scalars(select(Sector)):
            self.sectors[sector.slug] = sector.id
            for name in _all_names(sector):
                self.sectors[fold(name)] = sector.id
            self.sector_slugs[sector.id] = sector.slug
        # Every active user by e-mail, and those who may own a pairing: the form's and the API's
        # rule (an active officer or administrator), which the services apply when writing.
        self.users: dict[str, int] = {}
        self.owner_ids: set[int] = set()
        # Every user's e-mail, the deactivated too: a preview names the owner it replaces.
        self.emails: dict[int, str] = {}
        for user in session.scalars(select(User)):
            self.emails[user.id] = user.email
            if not user.is_active:
                continue
            self.users[user.email.lower()] = user.id
            if may_own_pairings(user):
                self.owner_ids.add(user.id)
        sectors_of: dict[int, set[int]] = defaultdict(set)
        for partnership_id, sector_id in session.execute(
            select(partnership_sectors.c.partnership_id, partnership_sectors.c.sector_id)
        ):
            sectors_of[partnership_id].add(sector_id)
        stage_keys = {stage.id: stage.key for stage in self.stages.values()}
        # A row is matched by its two localities to the pairing they are worked on in now (open
        # or on hold: at most one, the unique index says so). Failing that, to the one they
        # were last worked on in: the most recently created of their dropped pairings, so that
        # an exported dropped pairing comes back unchanged rather than as a new copy each time
        # (a row "open" reopens it, keeping its history). A dropped pairing that was deleted
        # holds nothing: its localities may start afresh, so it is not matched.
        self.known: dict[str, Known] = {}
        latest_dropped: dict[str, tuple[datetime, int]] = {}
        # A row that gives an id is matched to that pairing whatever its status, but only among
        # those the importing user may see: the access rule decides, as on every other surface.
        visible = set(session.scalars(visible_partnership_ids(self.user)))
        self.by_id: dict[int, Known] = {}
        # The pairing each pair of localities is worked on in (open or on hold), as the rows
        # before leave it: a row may not reopen a second one (the unique index would refuse it).
        self.live: dict[str, tuple[int, str]] = {}
        for row in session.execute(
            select(
                Partnership.id,
                Partnership.pair_key,
                Partnership.title,
                Partnership.stage_id,
                Partnership.status,
                Partnership.owner_id,
                Partnership.summary,
                Partnership.first_contact_on,
                Partnership.target_signing_on,
                Partnership.signed_on,
                Partnership.archived_at,
                Partnership.created_at,
                Partnership.version,
            )
        ):
            known = Known(
                row.id,
                row.title,
                stage_keys[row.stage_id],
                row.status,
                row.owner_id,
                row.summary,
                row.first_contact_on,
                row.target_signing_on,
                row.signed_on,
                frozenset(sectors_of.get(row.id, ())),
                row.archived_at is not None,
                row.version,
                row.pair_key,
            )
            if row.id in visible:
                self.by_id[row.id] = known
            if row.status != Status.DROPPED.value:
                # Archived or not: the unique index counts a deleted open pairing too.
                self.live[row.pair_key] = (row.id, row.title)
            else:
                if row.archived_at is not None:
                    continue
                held = self.known.get(row.pair_key)
                if held is not None and held.status != Status.DROPPED.value:
                    continue  # the live pairing wins
                recency = (row.created_at, row.id)
                if recency < latest_dropped.get(row.pair_key, recency):
                    continue  # a later dropped pairing of the same two is already held
                latest_dropped[row.pair_key] = recency
            self.known[row.pair_key] = known
        # Rows without an id, by their pair of localities; and every pairing a row was matched
        # to, by id: one row per pairing, so that a file cannot say two things about one.
        self.seen: dict[str, int] = {}
        self.claimed: dict[int, int] = {}
        # New pairings waiting to be written in one batch, with their row numbers.
        self.pending: list[tuple[int, Planned]] = []

    # Checking ---------------------------------------------------------------------------

    def _locality(self, outcome: RowOutcome, side: str, values: dict[str, str]) -> int | None:
        name, country_text = values.get(f"locality_{side}", ""), values.get(f"country_{side}", "")
        try:
            country = country_code(country_text)
        except BadValue as error:
            outcome.errors[f"country_{side}"] = str(error)
            return None
        if not country:
            outcome.errors[f"country_{side}"] = gettext(
                "Give the country (an ISO code such as SI)."
            )
            return None
        if not name:
            outcome.errors[f"locality_{side}"] = gettext("Give the locality's name.")
            return None
        ids = self.places.get(country, {}).get(fold(name), set())
        if len(ids) == 1:
            return next(iter(ids))
        if len(ids) > 1:
            outcome.errors[f"locality_{side}"] = gettext(
                "More than one locality in %(country)s is called “%(name)s”; "
                "rename one of them (e.g. give the region its own English name).",
                country=country,
                name=name,
            )
            return None
        suggestions = close_matches(name, self.place_names.get(country, {}))
        if suggestions:
            message = gettext(
                "No locality “%(name)s” in %(country)s. Import it in a localities file first, "
                "or use one of the suggestions.",
                name=name,
                country=country,
            )
        else:
            message = gettext(
                "No locality “%(name)s” in %(country)s. Import it in a localities file first.",
                name=name,
                country=country,
            )
        outcome.errors[f"locality_{side}"] = message
        if suggestions:
            outcome.suggestions[f"locality_{side}"] = suggestions
        return None

    def check(self, number: int, values: dict[str, str]) -> Checked:
        outcome = RowOutcome(
            number,
            NEW,
            label=f"{values.get('locality_a', '')} – {values.get('locality_b', '')}",
        )
        errors = outcome.errors
        side_a = self._locality(outcome, "a", values)
        side_b = self._locality(outcome, "b", values)
        if side_a is not None and side_a == side_b:
            errors["locality_b"] = gettext("A pairing joins two different localities.")

        stage_key = ""
        if values.get("stage"):
            stage = self.stages.get(values["stage"]) or self.stages.get(fold(values["stage"]))
            if stage is None:
                errors["stage"] = gettext("There is no stage “%(stage)s”.", stage=values["stage"])
                outcome.suggestions["stage"] = close_matches(
                    values["stage"], {key: key for key in self.stages if "_" in key}
                )
            else:
                stage_key = stage.key
        status = ""
        if values.get("status"):
            found = STATUS_NAMES.get(fold(values["status"]))
            if found is None:
                errors["status"] = gettext("Use open, on hold or dropped.")
            else:
                status = found.value
        owner_id = self.user.id
        if values.get("owner"):
            found_owner = self.users.get(values["owner"].lower())
            if found_owner is None:
                errors["owner"] = gettext(
                    "No active user has the e-mail %(email)s.", email=values["owner"]
                )
            elif found_owner not in self.owner_ids:
                errors["owner"] = services.not_an_owner()
            else:
                owner_id = found_owner
        sector_ids: list[int] = []
        for name in split_list(values.get("sectors", "")):
            sector_id = self.sectors.get(name) or self.sectors.get(fold(name))
            if sector_id is None:
                errors["sectors"] = gettext("There is no sector “%(sector)s”.", sector=name)
            else:
                sector_ids.append(sector_id)
        dates: dict[str, date | None] = {}
        for name in DATE_FIELDS:
            try:
                dates[name] = parse_date(values.get(name, ""))
            except BadValue as error:
                errors[name] = str(error)
        title = " ".join(values.get("title", "").split())
        if len(title) > services.TITLE_MAX_LENGTH:
            errors["title"] = title_too_long(services.TITLE_MAX_LENGTH)
        summary = values.get("summary", "")
        if len(summary) > services.SUMMARY_MAX_LENGTH:
            errors["summary"] = gettext("The summary is too long.")
        if errors or side_a is None or side_b is None:
            return Checked(outcome)

        key = pair_key_of(side_a, side_b)
        row = RowFields(
            values, owner_id, sector_ids, dates, stage_key, status, title, summary, side_a, side_b
        )
        raw_id = values.get("id", "")
        if raw_id:
            existing = self._by_id(outcome, raw_id, key)
            if existing is None:
                return Checked(outcome)
            return self._matched(outcome, "id", existing, row)
        if key in self.seen:
            errors["locality_b"] = gettext(
                "Row %(row)d already pairs these two localities.", row=self.seen[key]
            )
            return Checked(outcome)
        self.seen[key] = number

        existing = self.known.get(key)
        if existing is None:
            data = services.PartnershipData(
                locality_a_id=side_a,
                locality_b_id=side_b,
                owner_id=owner_id,
                title=title,
                sector_ids=sector_ids,
                summary=summary,
                **dates,
            )
            errors.update(services.date_problems(data))
            if owner_id not in self.owner_ids:
                errors["owner"] = services.not_an_owner()
            shown_title = title or services.joined_title(
                self.english_names[side_a], self.english_names[side_b]
            )
            if len(shown_title) > services.TITLE_MAX_LENGTH:
                # Without a title of its own, the pairing is named by its two localities.
                errors["title"] = title_too_long(services.TITLE_MAX_LENGTH)
            if errors:
                return Checked(outcome)
            planned = Planned(data, stage_key or FIRST_STAGE_KEY, status or Status.OPEN.value)
            return Checked(outcome, planned)
        if existing.archived:
            errors["locality_b"] = gettext(
                "These two are paired in “%(title)s”, which was deleted; "
                "an administrator can restore it.",
                title=existing.title,
            )
            return Checked(outcome)
        return self._matched(outcome, "locality_b", existing, row)

    def _by_id(self, outcome: RowOutcome, raw_id: str, key: str) -> Known | None:
        """The visible pairing a row's id names, which must join the row's two localities."""
        record_id = record_id_in(raw_id)  # what an export writes; anything else names none
        existing = self.by_id.get(record_id) if record_id is not None else None
        if existing is None:
            # The same words for a hidden pairing as for none at all: an import tells nobody
            # what they may not see. Nor is a new pairing started under an id: ids are ours.
            outcome.errors["id"] = gettext("No pairing you may see has the id %(id)s.", id=raw_id)
            return None
        if existing.pair_key != key:
            # An id that points at another pair is a slip (a row pasted next to another's id);
            # moving a pairing to other localities is not what an import does.
            outcome.errors["id"] = gettext(
                "The pairing with the id %(id)d, “%(title)s”, joins two other localities; "
                "correct the id or the localities, or leave the id empty.",
                id=existing.id,
                title=existing.title,
            )
            return None
        return existing

    def _matched(
        self,
        outcome: RowOutcome,
        field: str,
        existing: Known,
        row: RowFields,
    ) -> Checked:
        """A row matched to an existing pairing (by id or by its localities): one row per
        pairing, and at most one pairing of two localities worked on once the row is written."""
        earlier = self.claimed.get(existing.id)
        if earlier is not None:
            outcome.errors[field] = gettext(
                "Row %(row)d is already matched to the pairing with the id %(id)d.",
                row=earlier,
                id=existing.id,
            )
            return Checked(outcome)
        checked = self._compare(outcome, existing, row)
        if outcome.errors:
            return checked
        planned: Planned | None = checked.payload
        if planned is not None:
            final_status = planned.status
            # Moving a dropped pairing to another stage reopens it on the way (see `write`).
            opens = final_status != Status.DROPPED.value or (
                existing.status == Status.DROPPED.value and planned.stage_key != existing.stage_key
            )
            held = self.live.get(existing.pair_key)
            if opens and held is not None and held[0] != existing.id:
                outcome.errors["status"] = gettext(
                    "These two localities are already worked on in “%(title)s” (open or on "
                    "hold); drop it first, in an earlier row, or leave this pairing dropped.",
                    title=held[1],
                )
                return Checked(outcome)
            if final_status != Status.DROPPED.value:
                self.live[existing.pair_key] = (existing.id, existing.title)
            elif held is not None and held[0] == existing.id:
                del self.live[existing.pair_key]
        self.claimed[existing.id] = outcome.number
        return checked

    def _compare(
        self,
        outcome: RowOutcome,
        existing: Known,
        row: RowFields,
    ) -> Checked:
        """What the row would change on an existing pairing; an empty cell changes nothing."""
        values, owner_id, sector_ids, dates = row.values, row.owner_id, row.sector_ids, row.dates
        stage_key, status, title, summary = row.stage_key, row.status, row.title, row.summary
        wanted = {
            "title": title or existing.title,
            "owner": owner_id if values.get("owner") else existing.owner_id,
            "sectors": frozenset(sector_ids) if values.get("sectors") else existing.sector_ids,
            "summary": summary.strip() if summary else existing.summary,
            **{name: dates[name] or getattr(existing, name) for name in DATE_FIELDS},
        }
        changes: dict[str, list[str]] = {}
        for name, value in wanted.items():
            current = getattr(
                existing, {"owner": "owner_id", "sectors": "sector_ids"}.get(name, name)
            )
            if value != current:
                changes[name] = [self._shown(name, current), self._shown(name, value)]
        fields_changed = bool(changes)
        if stage_key and stage_key != existing.stage_key:
            changes["stage"] = [existing.stage_key, stage_key]
        if status and status != existing.status:
            changes["status"] = [existing.status, status]
        outcome.changes = changes
        if not changes:
            outcome.mark = UNCHANGED
            return Checked(outcome)
        data = services.PartnershipData(
            locality_a_id=row.side_a,
            locality_b_id=row.side_b,
            owner_id=wanted["owner"],  # type: ignore[arg-type]
            title=wanted["title"],  # type: ignore[arg-type]
            sector_ids=sorted(wanted["sectors"]),  # type: ignore[arg-type]
            summary=wanted["summary"],  # type: ignore[arg-type]
            first_contact_on=wanted["first_contact_on"],  # type: ignore[arg-type]
            target_signing_on=wanted["target_signing_on"],  # type: ignore[arg-type]
            signed_on=wanted["signed_on"],  # type: ignore[arg-type]
        )
        if fields_changed:
            # The edit is checked whole, as the form checks it: what the file leaves empty keeps
            # the pairing's own value, which must still pass (an owner deactivated since, a
            # signing date that the file's first contact now comes after).
            outcome.errors.update(
                services.date_problems(data, stored_first_contact=existing.first_contact_on)
            )
            if data.owner_id not in self.owner_ids:
                outcome.errors["owner"] = services.not_an_owner()
        if stage_key and stage_key != existing.stage_key:
            # The move's own refusal (a signing date it cannot fill in), said here rather than
            # found at apply.
            problem = services.signing_date_problem(
                stage_key, data.signed_on, data.first_contact_on, at=utcnow()
            )
            if problem is not None:
                outcome.errors["first_contact_on"] = problem
        if outcome.errors:
            return Checked(outcome)
        outcome.mark = UPDATE
        planned = Planned(
            data,
            stage_key or existing.stage_key,
            status or existing.status,
            existing_id=existing.id,
            fields_changed=fields_changed,
            expected_version=existing.version,
        )
        return Checked(outcome, planned)

    # Writing ----------------------------------------------------------------------------

    def write(self, checked: Checked) -> None:
        planned: Planned = checked.payload
        if planned.existing_id is None:
            self.pending.append((checked.outcome.number, planned))
            if len(self.pending) >= BATCH_SIZE:
                self.finish()
            return
        self.finish()  # keep the file's order
        partnership = session.get(Partnership, planned.existing_id)
        if partnership is None:
            return
        check_version(partnership.version, planned.expected_version)
        note = gettext("Imported from %(file)s", file=self.source)
        if planned.fields_changed:
            services.update_partnership(
                partnership, planned.data, expected_version=partnership.version
            )
        if planned.stage_key != partnership.stage.key:
            if partnership.status == Status.DROPPED.value:
                services.change_status(
                    partnership, Status.OPEN, by=self.user, expected_version=partnership.version
                )
            services.change_stage(
                partnership,
                self.stages[planned.stage_key],
                by=self.user,
                expected_version=partnership.version,
                note=note,
            )
        if planned.status != partnership.status:
            services.change_status(
                partnership,
                Status(planned.status),
                by=self.user,
                expected_version=partnership.version,
                note=note,
            )

    def finish(self) -> None:
        """Write the new pairings waiting in the batch, grouped by the stage they start at."""
        pending, self.pending = self.pending, []
        by_stage: dict[str, list[tuple[int, Planned]]] = defaultdict(list)
        for number, planned in pending:
            by_stage[planned.stage_key].append((number, planned))
        note = gettext("Imported from %(file)s", file=self.source)
        for stage_key, group in by_stage.items():
            try:
                ids = services.create_partnerships_in_bulk(
                    [planned.data for _, planned in group],
                    by=self.user,
                    stage_key=stage_key,
                    note=note,
                )
            except DomainError as error:
                # The rows were checked; only a change made meanwhile by someone else gets here.
                raise ImportAborted(self._refusal(group, stage_key, note, error)) from error
            for partnership_id, (_, planned) in zip(ids, group, strict=True):
                if planned.status != Status.OPEN.value:
                    partnership = session.get(Partnership, partnership_id)
                    if partnership is not None:
                        services.change_status(
                            partnership,
                            Status(planned.status),
                            by=self.user,
                            expected_version=partnership.version,
                            note=note,
                        )

    def _refusal(
        self, group: list[tuple[int, Planned]], stage_key: str, note: str, error: DomainError
    ) -> str:
        """Why a batch was refused, naming the row: the batch says only what rule broke, so each
        row is tried alone, inside a savepoint that is rolled back, until one is refused."""
        for number, planned in group:
            trial = session.begin_nested()
            try:
                services.create_partnerships_in_bulk(
                    [planned.data], by=self.user, stage_key=stage_key, note=note
                )
            except DomainError as refused:
                return gettext(
                    "Nothing was imported: row %(row)d: %(reason)s",
                    row=number,
                    reason=refused.message,
                )
            finally:
                trial.rollback()
        return gettext("Nothing was imported: %(reason)s", reason=error.message)

    def _shown(self, name: str, value: object) -> str:
        """A value as the file would give it: the owner's e-mail and the sectors' keys, not
        their ids."""
        if value is None:
            return ""
        if name == "owner" and isinstance(value, int):
            return self.emails.get(value, str(value))
        if isinstance(value, frozenset):
            return ", ".join(sorted(self.sector_slugs.get(item, "?") for item in value))
        return str(value)

    def forget(self, checked: Checked) -> None:
        planned: Planned | None = checked.payload
        if planned and planned.existing_id:
            partnership = session.get(Partnership, planned.existing_id)
            if partnership is not None:
                session.expire(partnership)


def _all_names(record: Stage | Sector) -> set[str]:
    return {record.given_name, record.name, *(record.name_translations or {}).values()}
