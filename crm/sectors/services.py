"""Sector tags: the defaults of the domain, and adding, renaming and merging them."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import delete, insert, select

from crm.db import mark_changed, session
from crm.errors import DomainError, StaleVersion, check_version
from crm.i18n.collation import sort_key
from crm.i18n.languages import SOURCE_LANGUAGE
from crm.i18n.locale import current_language
from crm.i18n.names import N_, rename_in
from crm.partnerships.models import Partnership, partnership_sectors
from crm.sectors.models import Sector
from crm.text_search import fold

DEFAULT_SECTORS = (
    ("economics-and-trade", N_("Economics and trade")),
    ("investment", N_("Investment")),
    ("urban-infrastructure", N_("Urban infrastructure")),
    ("water-resources-management", N_("Water resources management")),
    ("agriculture", N_("Agriculture and agri-processing")),
    ("education", N_("Education")),
    ("culture", N_("Culture")),
    ("tourism", N_("Tourism")),
    ("ecology-and-sustainable-development", N_("Ecology and sustainable development")),
    ("renewable-energy", N_("Renewable energy")),
    ("logistics", N_("Logistics")),
    ("industry", N_("Industry")),
    ("innovation-and-technology", N_("Innovation and technology")),
)


def ensure_default_sectors() -> None:
    existing = set(session.scalars(select(Sector.slug)))
    for slug, name in DEFAULT_SECTORS:
        if slug not in existing:
            session.add(Sector(slug=slug, name=name))
    session.flush()


def all_sectors() -> list[Sector]:
    """Sorted by the name the reader sees, which is not always the stored one."""
    language = current_language()
    return sorted(
        session.scalars(select(Sector)), key=lambda sector: sort_key(sector.name, language)
    )


def sector_by_slug(slug: str) -> Sector | None:
    return session.scalar(select(Sector).where(Sector.slug == slug))


def add_sector(name: str) -> Sector:
    name = name.strip()
    _check_name_free(name, except_id=None)
    sector = Sector(slug=_unique_slug(name), name=name)
    session.add(sector)
    session.flush()
    return sector


def rename_sector(
    sector: Sector, name: str, *, expected_version: int, language: str = SOURCE_LANGUAGE
) -> None:
    """Renaming keeps the slug, so links and API clients that use it keep working.

    In English the name as given changes; in another language, that language's name.
    `expected_version`: the sector as the admin's page showed it; one renamed since is not
    renamed over unseen (`StaleVersion`).
    """
    check_version(sector.version, expected_version)
    name = name.strip()
    _check_name_free(name, except_id=sector.id)
    rename_in(sector, name, language)
    session.flush()


def merge_sectors(
    source: Sector, into: Sector, *, expected_version: int, expected_target_version: int
) -> int:
    """Move every pairing tagged `source` to `into` and delete `source`; returns pairings moved.

    `expected_version`: `source` as the admin's page showed it; one renamed since (into what may
    no longer be a duplicate) is not merged away unseen (`StaleVersion`). So with
    `expected_target_version` and `into`, which the admin chose by its name: pairings are not
    moved into a sector renamed since into another field.

    Both rows are locked and their versions read from the database, not from the session: on
    PostgreSQL a rename of `into` committed between the request's first read and its commit
    went unseen (only `source` is written, by its delete), and the pairings went into the
    renamed sector. Now a rename committed before the lock makes the merge a 409, and one
    after it waits for the merge to commit.
    """
    versions = _lock(source, into)
    if source.id not in versions or into.id not in versions:
        raise StaleVersion()  # merged away, or deleted, since
    check_version(versions[source.id], expected_version)
    check_version(versions[into.id], expected_target_version)
    if source.id == into.id:
        raise DomainError(gettext("A sector cannot be merged into itself."), field="into")
    already_tagged = select(partnership_sectors.c.partnership_id).where(
        partnership_sectors.c.sector_id == into.id
    )
    to_move = list(
        session.scalars(
            select(partnership_sectors.c.partnership_id).where(
                partnership_sectors.c.sector_id == source.id,
                partnership_sectors.c.partnership_id.not_in(already_tagged),
            )
        )
    )
    retagged = list(
        session.scalars(
            select(partnership_sectors.c.partnership_id).where(
                partnership_sectors.c.sector_id == source.id
            )
        )
    )
    if to_move:
        session.execute(
            insert(partnership_sectors),
            [{"partnership_id": pid, "sector_id": into.id} for pid in to_move],
        )
    session.execute(delete(partnership_sectors).where(partnership_sectors.c.sector_id == source.id))
    mark_changed(Partnership, retagged)
    session.delete(source)
    session.flush()
    # Pairings loaded in this session still hold the old tag list.
    session.expire_all()
    return len(to_move)


def _lock(*sectors: Sector) -> dict[int, int]:
    """The versions of `sectors` as committed, each row locked until the transaction ends (a row
    deleted since is missing). In id order, so that two merges of one pair of sectors in
    opposite directions wait for each other rather than deadlock. SQLite has no row locks and
    needs none: a request that writes holds the database's write lock from its first statement
    (crm/db.py)."""
    rows = session.execute(
        select(Sector.id, Sector.version)
        .where(Sector.id.in_({sector.id for sector in sectors}))
        .order_by(Sector.id)
        .with_for_update()
    )
    return {sector_id: version for sector_id, version in rows}


def _check_name_free(name: str, *, except_id: int | None) -> None:
    if not name:
        raise DomainError(gettext("Give the sector a name."), field="name")
    for sector in session.scalars(select(Sector)):
        # Against the stored name too: it is unique, whatever language the admin reads.
        taken = {fold(sector.name), fold(sector.given_name)}
        if sector.id != except_id and fold(name) in taken:
            raise DomainError(
                gettext("There is already a sector called “%(name)s”.", name=sector.name),
                field="name",
            )


def _unique_slug(name: str) -> str:
    words = "".join(ch if ch.isalnum() else " " for ch in fold(name)).split()
    base = "-".join(words)[:50] or "sector"
    slug, counter = base, 2
    while session.scalar(select(Sector.id).where(Sector.slug == slug)) is not None:
        slug = f"{base}-{counter}"
        counter += 1
    return slug
