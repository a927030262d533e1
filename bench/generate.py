"""A deterministic synthetic register, written with bulk inserts through SQLAlchemy Core.

The rows are the ones the services would write: folded search columns computed by the same mapper
listeners, `pair_key` and `country_pair`, versions, and a stage history that ends exactly where
each pairing stands (its stage, status, `stage_entered_at` and `signed_on` all come from it, and
`last_activity_at` from it and from the meetings, visits, calls, letters and signings recorded).

The same seed and scale give the same rows; every date is an offset from the day of generation
(`--today`), so that "overdue", "this week" and "last week's report" mean something whenever the
benchmark runs.

    python -m bench.generate --scale small --database-url sqlite:////tmp/bench.sqlite3
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pycountry
from sqlalchemy import Engine, MetaData, Table, func, insert, select, text
from werkzeug.security import generate_password_hash

from config import Config
from crm import create_app
from crm.activities.models import ACTIVE_KINDS, ActivityKind, activity_participants
from crm.auth.models import Role
from crm.contacts.models import OrganisationKind, Side
from crm.db import engine_for
from crm.localities.models import Locality, LocalityKind, _refresh_folded_names
from crm.migrations_cli import upgrade
from crm.models import metadata
from crm.partnerships.models import Status, country_pair_of, pair_key_of, partnership_sectors
from crm.partnerships.stages import ensure_default_stages
from crm.sectors.services import ensure_default_sectors
from crm.tasks.models import Priority, TaskStatus
from crm.text_search import fold, words_of

BENCH_USER_EMAIL = "bench@example.com"
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105 (synthetic data only)
SEED = 20261125
CHUNK = 20_000


@dataclass(frozen=True)
class Sizes:
    pairings: int
    localities: int
    countries: int
    stage_changes: int
    tasks: int
    people: int
    activities: int
    organisations: int
    users: int

    def __post_init__(self) -> None:
        # Each pairing joins a pair of localities no other pairing joins: with more pairings
        # than pairs, drawing one would never end.
        pairs = self.localities * (self.localities - 1) // 2
        if self.pairings > pairs:
            raise ValueError(
                f"{self.pairings} pairings need more than {self.localities} localities "
                f"(they make {pairs} pairs)"
            )

    @classmethod
    def for_scale(cls, scale: str) -> Sizes:
        if scale == "large":
            return cls(100_000, 5_000, 150, 1_000_000, 1_000_000, 200_000, 500_000, 10_000, 50)
        if scale == "small":
            return cls(1_000, 50, 15, 10_000, 10_000, 2_000, 5_000, 100, 10)
        raise ValueError(f"unknown scale {scale!r}: small or large")


PREFIXES = (
    "Štajer", "Kyzyl", "Mari", "Novo", "Zelen", "Białe", "Łódz", "Køben", "Vel", "Sankt ",
    "Krasno", "Ust-", "Bel", "Dobro", "Garde", "Lake ", "Port ", "Alt", "Bad ", "Žal",
    "Čes", "Aral", "Tal", "Ørn", "Szent", "Nový ", "Gor", "Bra", "Kam", "Sol",
    "Rijek", "Ostra", "Mont", "Val", "Río ", "São ", "Ber", "Hel", "Vin", "Ked",
)  # fmt: skip
SUFFIXES = (
    "ska", "bor", "grad", "orda", "ville", "heim", "polis", "ów", "sk", "ava",
    "ec", "berg", "ovo", "ište", "ija", "an", "iv", "as", "burg", "ena",
)  # fmt: skip
FIRST_NAMES = (
    "Aleksander", "Saša", "Dana", "Erlan", "Ana", "Marija", "Jože", "Ainur", "Nurlan", "Petra",
    "Tomaž", "Gulnara", "Miha", "Žiga", "Aliya", "Bojan", "Špela", "Timur", "Katarína", "Łucja",
)  # fmt: skip
LAST_NAMES = (
    "Arsenovič", "Sarsenbayeva", "Zhaksybekov", "Novak", "Horvat", "Kovačič", "Krajnc",
    "Abenov", "Omarova", "Zupančič", "Potočnik", "Mavrič", "Tulegenov", "Dvořák", "Wójcik",
)  # fmt: skip
TASK_TITLES = (
    "Draft the memorandum", "Send the agenda", "Book the delegation's hotel",
    "Call the mayor's office", "Translate the letter of intent", "Confirm the visit dates",
    "Ask the embassy for a contact", "Prepare the signing ceremony", "Follow up on the proposal",
    "Štajerska chamber: share the list",
)  # fmt: skip
NOTES = ("", "", "Agreed at the meeting", "Draft sent", "Waiting for their reply", "Visit held")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=("small", "large"), default="small")
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--today", type=date.fromisoformat, default=None)
    args = parser.parse_args(argv)
    started = time.monotonic()
    generate(args.database_url, args.scale, today=args.today)
    print(f"generated the {args.scale} data set in {time.monotonic() - started:.1f} s")
    return 0


def generate(database_url: str, scale: str, *, today: date | None = None) -> None:
    sizes = Sizes.for_scale(scale)
    app = create_app(Config, DATABASE_URL=database_url, SECRET_KEY="bench-" + "x" * 32)
    engine = engine_for(app)
    _empty_database(engine)
    with app.app_context():
        upgrade(app)
        from crm.db import session

        ensure_default_stages()
        ensure_default_sectors()
        session.commit()
    populate(engine, sizes, today=today)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
    engine.dispose()


def populate(engine: Engine, sizes: Sizes, *, today: date | None = None) -> None:
    """Insert the synthetic register into a migrated database that holds only the stages and
    sectors (the statement-count tests use it at two tiny sizes)."""
    anchor = datetime.combine(today or datetime.now(UTC).date(), datetime.min.time(), UTC)
    _Writer(engine, sizes, random.Random(SEED), anchor).run()


def _empty_database(engine: Engine) -> None:
    database = engine.url.database
    if engine.dialect.name == "sqlite" and database and database != ":memory:":
        # A new file: dropping the tables of a large one frees every page through the WAL,
        # which took longer than generating them.
        engine.dispose()
        for path in (database, f"{database}-wal", f"{database}-shm"):
            Path(path).unlink(missing_ok=True)
        return
    existing = MetaData()
    existing.reflect(engine)
    existing.drop_all(engine)


def _chunks(rows: list[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    for start in range(0, len(rows), CHUNK):
        yield rows[start : start + CHUNK]


class _Writer:
    def __init__(self, engine: Engine, sizes: Sizes, rng: random.Random, now: datetime) -> None:
        self.engine = engine
        self.sizes = sizes
        self.rng = rng
        self.now = now
        self.tables: dict[str, Table] = metadata.tables  # type: ignore[assignment]
        self.verbose = sizes.pairings >= 1_000

    def insert(self, table: str | Table, rows: list[dict[str, Any]]) -> None:
        target = self.tables[table] if isinstance(table, str) else table
        if not rows:
            return
        with self.engine.begin() as connection:
            for chunk in _chunks(rows):
                connection.execute(insert(target), chunk)
        if self.verbose:
            print(f"  {target.name}: {len(rows):,} rows", file=sys.stderr)

    def run(self) -> None:
        with self.engine.connect() as connection:
            self.stages = list(
                connection.execute(text("SELECT id, key FROM stages ORDER BY position"))
            )
            self.sector_ids = list(connection.scalars(text("SELECT id FROM sectors ORDER BY id")))
        self.users()
        self.localities()
        self.partnerships()
        self.organisations_and_people()
        self.activities()
        self.tasks()

    # --- users -----------------------------------------------------------------------------

    def users(self) -> None:
        # One real hash for every synthetic account: hashing 50 times would only cost time.
        password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
        rows = []
        for number in range(self.sizes.users):
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            last = LAST_NAMES[number % len(LAST_NAMES)]
            rows.append(
                {
                    "id": number + 1,
                    "email": BENCH_USER_EMAIL if number == 0 else f"officer{number}@example.com",
                    "name": "Bench Officer" if number == 0 else f"{first} {last} {number}",
                    "password_hash": password_hash,
                    "role": Role.ADMIN.value if number == 1 else Role.OFFICER.value,
                    "is_active": True,
                    "time_zone": "",
                    "calendar_token_hash": None,
                    "created_at": self.now - timedelta(days=1000),
                    "last_login_at": None,
                }
            )
        self.user_ids = [row["id"] for row in rows]
        self.insert("users", rows)
        self._fix_sequence("users")

    # --- localities ------------------------------------------------------------------------

    def localities(self) -> None:
        countries = sorted(country.alpha_2 for country in pycountry.countries)
        rng = random.Random(SEED + 1)
        chosen = {"SI", "KZ"} | set(rng.sample(countries, self.sizes.countries - 2))
        self.countries = sorted(chosen)
        kinds = [LocalityKind.CITY] * 7 + [LocalityKind.MUNICIPALITY] * 2 + [LocalityKind.REGION]
        seen: set[tuple[str, str, str]] = set()
        rows = []
        for number in range(self.sizes.localities):
            country = self.countries[number % len(self.countries)]
            kind = kinds[number % len(kinds)].value
            name = PREFIXES[self.rng.randrange(len(PREFIXES))] + SUFFIXES[self.rng.randrange(20)]
            if (country, kind, fold(name)) in seen:
                name = f"{name} {number}"
            seen.add((country, kind, fold(name)))
            locality = Locality(
                name=name,
                name_en=fold(name).title() if number % 3 == 0 else "",
                kind=kind,
                country_code=country,
                subdivision_code="",
            )
            _refresh_folded_names(None, None, locality)
            rows.append(
                {
                    "id": number + 1,
                    "name": locality.name,
                    "name_en": locality.name_en,
                    "kind": kind,
                    "country_code": country,
                    "subdivision_code": "",
                    "name_folded": locality.name_folded,
                    "search_folded": locality.search_folded,
                    "created_at": self.now - timedelta(days=1200),
                    "updated_at": self.now - timedelta(days=1200),
                    "version": 1,
                }
            )
        self.locality_names = [row["name_en"] or row["name"] for row in rows]
        self.locality_countries = [row["country_code"] for row in rows]
        self.insert("localities", rows)
        self._fix_sequence("localities")

    # --- pairings and their history --------------------------------------------------------

    def partnerships(self) -> None:
        rng = self.rng
        count = self.sizes.pairings
        per_pairing = self.sizes.stage_changes // count  # 10
        stage_ids = [stage_id for stage_id, _ in self.stages]
        last = len(stage_ids) - 1
        pairs: set[str] = set()
        partnerships, history, sectors = [], [], []
        self.pairing_created: list[datetime] = []
        self.pairing_owner: list[int] = []
        # Each pairing's activities, when and of which kind, drawn here (when from a generator
        # of their own) because they decide when the pairing was last active; `activities`
        # writes them.
        self.activities_drawn: list[list[tuple[datetime, str]]] = []
        activity_rng = random.Random(SEED + 2)
        activity_kinds = [kind.value for kind in ActivityKind]
        activities_each = self.sizes.activities // count
        change_id = 0
        deviation = 0
        for number in range(count):
            pid = number + 1
            while True:
                a = rng.randrange(self.sizes.localities) + 1
                b = rng.randrange(self.sizes.localities) + 1
                if a != b and pair_key_of(a, b) not in pairs:
                    break
            pairs.add(pair_key_of(a, b))
            # Exactly `stage_changes` rows in all: pairs of pairings deviate by +d and -d.
            if number % 2 == 0:
                deviation = rng.randint(-(per_pairing - 1), per_pairing - 1)
                changes = per_pairing + deviation
            else:
                changes = per_pairing - deviation
            owner = self.user_ids[rng.randrange(len(self.user_ids))]
            by = self.user_ids[rng.randrange(len(self.user_ids))]
            created = self.now - timedelta(minutes=rng.randrange(60 * 24 * 1100))
            span = (self.now - created).total_seconds()
            moments = sorted(
                created + timedelta(seconds=rng.random() * span) for _ in range(changes - 1)
            )
            stage, status, entered, signed_on = 0, Status.OPEN.value, created, None
            history.append(
                self._change(
                    change_id := change_id + 1, pid, None, stage_ids[0], None, status, by, created
                )
            )
            for moment in moments:
                roll = rng.random()
                from_stage, from_status = stage, status
                if status != Status.OPEN.value:
                    status = Status.OPEN.value  # reopened
                elif roll < 0.08:
                    status = Status.ON_HOLD.value
                elif roll < 0.11:
                    status = Status.DROPPED.value
                elif (roll < 0.35 and stage > 0) or stage == last:
                    stage -= 1
                else:
                    stage += 1
                if stage != from_stage:
                    entered = moment
                    if from_stage == last:
                        signed_on = None  # moved back: the date reaching it filled in goes
                    if stage == last and signed_on is None:
                        signed_on = moment.date()
                history.append(
                    self._change(
                        change_id := change_id + 1,
                        pid,
                        stage_ids[from_stage],
                        stage_ids[stage],
                        from_status,
                        status,
                        by,
                        moment,
                    )
                )
            drawn = [
                (
                    created + timedelta(seconds=activity_rng.random() * span),
                    activity_kinds[(number * activities_each + offset) % len(activity_kinds)],
                )
                for offset in range(activities_each)
            ]
            self.activities_drawn.append(drawn)
            # What recording them does (`crm.activities.services`): every activity but a note
            # makes its pairing active as of when it happened, if that is later.
            contacts = [at for at, kind in drawn if kind in ACTIVE_KINDS]
            last_activity = max([moments[-1] if moments else created, *contacts])
            title = f"{self.locality_names[a - 1]} – {self.locality_names[b - 1]}"
            if number % 50 == 0:
                title = f"Štajerska days in {self.locality_names[b - 1]}"
            partnerships.append(
                {
                    "id": pid,
                    "title": title,
                    "locality_a_id": a,
                    "locality_b_id": b,
                    "pair_key": pair_key_of(a, b),
                    "country_pair": country_pair_of(
                        self.locality_countries[a - 1], self.locality_countries[b - 1]
                    ),
                    "stage_id": stage_ids[stage],
                    "status": status,
                    "owner_id": owner,
                    "summary": "Synthetic pairing for the benchmark.",
                    "first_contact_on": created.date(),
                    "target_signing_on": (created + timedelta(days=365)).date(),
                    "signed_on": signed_on,
                    "signed_on_filled": signed_on is not None,  # by reaching it, never typed
                    "stage_entered_at": entered,
                    "last_activity_at": last_activity,
                    "title_folded": fold(title),
                    # A few archived ones, so the access rule's filter has work to do.
                    "archived_at": self.now - timedelta(days=3) if number % 200 == 199 else None,
                    "archived_by_id": None,
                    "created_at": created,
                    "updated_at": last_activity,
                    "version": changes,
                }
            )
            for sector in rng.sample(self.sector_ids, 1 + number % 3):
                sectors.append({"partnership_id": pid, "sector_id": sector})
            self.pairing_created.append(created)
            self.pairing_owner.append(owner)
        # A dropped pairing no longer holds its pair, but the generator never reuses one anyway.
        self.insert("partnerships", partnerships)
        self.insert(partnership_sectors, sectors)
        del partnerships, sectors
        self.insert("stage_changes", history)
        self._fix_sequence("partnerships")
        self._fix_sequence("stage_changes")

    def _change(
        self,
        change_id: int,
        pid: int,
        from_stage: int | None,
        to_stage: int,
        from_status: str | None,
        to_status: str,
        by: int,
        at: datetime,
    ) -> dict[str, Any]:
        return {
            "id": change_id,
            "partnership_id": pid,
            "from_stage_id": from_stage,
            "to_stage_id": to_stage,
            "from_status": from_status,
            "to_status": to_status,
            "changed_by_id": by,
            "changed_at": at,
            "note": NOTES[change_id % len(NOTES)],
        }

    # --- contacts --------------------------------------------------------------------------

    def organisations_and_people(self) -> None:
        rng = self.rng
        kinds = [kind.value for kind in OrganisationKind]
        organisations = []
        for number in range(self.sizes.organisations):
            name = f"{PREFIXES[number % len(PREFIXES)]}{SUFFIXES[number % 20]} office {number}"
            organisations.append(
                {
                    "id": number + 1,
                    "name": name,
                    "name_folded": fold(name),
                    "kind": kinds[number % len(kinds)],
                    "country_code": self.countries[number % len(self.countries)],
                    "city": "",
                    "website": "",
                    "notes": "",
                    "deleted_at": None,
                    "created_at": self.now - timedelta(days=900),
                    "updated_at": self.now - timedelta(days=900),
                    "version": 1,
                }
            )
        self.insert("organisations", organisations)
        people = []
        for number in range(self.sizes.people):
            full_name = (
                f"{FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]} "
                f"{LAST_NAMES[rng.randrange(len(LAST_NAMES))]} {number}"
            )
            people.append(
                {
                    "id": number + 1,
                    "full_name": full_name,
                    "name_folded": fold(full_name),
                    "position": "",
                    "organisation_id": rng.randrange(self.sizes.organisations) + 1,
                    "email": f"person{number}@example.com",
                    "phone": "",
                    "country_code": self.countries[number % len(self.countries)],
                    "preferred_language": "",
                    "notes": "",
                    "deleted_at": None,
                    "merged_into_id": None,
                    "created_at": self.now - timedelta(days=900),
                    "updated_at": self.now - timedelta(days=900),
                    "version": 1,
                }
            )
        self.insert("people", people)
        # Two people per pairing, one for each side.
        roles = []
        for number in range(self.sizes.pairings):
            for side in (Side.A, Side.B):
                roles.append(
                    {
                        "partnership_id": number + 1,
                        "person_id": rng.randrange(self.sizes.people) + 1,
                        "side": side.value,
                        "role": "Mayor" if side == Side.A else "Head of international relations",
                        "created_at": self.pairing_created[number],
                    }
                )
        self.insert("partnership_roles", roles)
        self._fix_sequence("organisations")
        self._fix_sequence("people")

    def activities(self) -> None:
        rng = self.rng
        rows, participants = [], []
        per_pairing = self.sizes.activities // self.sizes.pairings
        for number in range(self.sizes.activities):
            index = number // per_pairing
            at, kind = self.activities_drawn[index][number % per_pairing]
            rows.append(
                {
                    "id": number + 1,
                    "partnership_id": index + 1,
                    "kind": kind,
                    "occurred_at": at,
                    "place": "City hall",
                    "summary": "Talked through the next steps.",
                    "created_by_id": self.pairing_owner[index],
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                }
            )
            for person in {rng.randrange(self.sizes.people) + 1 for _ in range(2)}:
                participants.append({"activity_id": number + 1, "person_id": person})
        self.insert("activities", rows)
        self.insert(activity_participants, participants)
        self._fix_sequence("activities")

    def tasks(self) -> None:
        rng = self.rng
        priorities = [priority.value for priority in Priority]
        per_pairing = self.sizes.tasks // self.sizes.pairings
        rows = []
        today = self.now.date()
        for number in range(self.sizes.tasks):
            index = number // per_pairing
            title = TASK_TITLES[number % len(TASK_TITLES)]
            done = rng.random() < 0.6
            created = self.pairing_created[index]
            due = today + timedelta(days=rng.randint(-120, 120)) if number % 7 else None
            rows.append(
                {
                    "id": number + 1,
                    "partnership_id": index + 1,
                    "title": title,
                    "title_folded": fold(title),
                    "description": "",
                    "assignee_id": None
                    if number % 11 == 0
                    else self.user_ids[rng.randrange(len(self.user_ids))],
                    "due_on": due,
                    "priority": priorities[number % len(priorities)],
                    "status": TaskStatus.DONE.value if done else TaskStatus.OPEN.value,
                    "completed_by_id": self.pairing_owner[index] if done else None,
                    "completed_at": self.now - timedelta(minutes=number % 100_000)
                    if done
                    else None,
                    "activity_id": None,
                    "created_by_id": self.pairing_owner[index],
                    "created_at": created,
                    "updated_at": created,
                    "version": 1,
                }
            )
        self.insert("tasks", rows)
        # The words the header search finds tasks by, as the task's listener writes them.
        words = {title: words_of(fold(title)) for title in TASK_TITLES}
        self.insert(
            "task_words",
            [{"task_id": row["id"], "word": word} for row in rows for word in words[row["title"]]],
        )
        self._fix_sequence("tasks")

    def _fix_sequence(self, table: str) -> None:
        """Explicit ids leave PostgreSQL's sequence at 1; the next insert must not collide."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as connection:
            top = connection.scalar(select(func.max(self.tables[table].c.id))) or 0
            connection.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                {"t": table, "v": max(top, 1)},
            )


if __name__ == "__main__":
    sys.exit(main())
