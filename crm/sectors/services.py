"""Sector tags: the defaults of the domain, and adding, renaming and merging them."""

from __future__ import annotations

from flask_babel import gettext
from sqlalchemy import delete, insert, select

from crm.db import session
from crm.errors import DomainError
from crm.partnerships.models import partnership_sectors
from crm.sectors.models import Sector
from crm.text_search import fold

DEFAULT_SECTORS = (
    ("economics-and-trade", "Economics and trade"),
    ("investment", "Investment"),
    ("urban-infrastructure", "Urban infrastructure"),
    ("water-resources-management", "Water resources management"),
    ("agriculture", "Agriculture and agri-processing"),
    ("education", "Education"),
    ("culture", "Culture"),
    ("tourism", "Tourism"),
    ("ecology-and-sustainable-development", "Ecology and sustainable development"),
    ("renewable-energy", "Renewable energy"),
    ("logistics", "Logistics"),
    ("industry", "Industry"),
    ("innovation-and-technology", "Innovation and technology"),
)


def ensure_default_sectors() -> None:
    existing = set(session.scalars(select(Sector.slug)))
    for slug, name in DEFAULT_SECTORS:
        if slug not in existing:
            session.add(Sector(slug=slug, name=name))
    session.flush()


def all_sectors() -> list[Sector]:
    return list(session.scalars(select(Sector).order_by(Sector.name)))


def sector_by_slug(slug: str) -> Sector | None:
    return session.scalar(select(Sector).where(Sector.slug == slug))


def add_sector(name: str) -> Sector:
    name = name.strip()
    _check_name_free(name, except_id=None)
    sector = Sector(slug=_unique_slug(name), name=name)
    session.add(sector)
    session.flush()
    return sector


def rename_sector(sector: Sector, name: str) -> None:
    """Renaming keeps the slug, so links and API clients that use it keep working."""
    name = name.strip()
    _check_name_free(name, except_id=sector.id)
    sector.name = name
    session.flush()


def merge_sectors(source: Sector, into: Sector) -> int:
    """Move every pairing tagged `source` to `into` and delete `source`; returns pairings moved."""
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
    if to_move:
        session.execute(
            insert(partnership_sectors),
            [{"partnership_id": pid, "sector_id": into.id} for pid in to_move],
        )
    session.execute(delete(partnership_sectors).where(partnership_sectors.c.sector_id == source.id))
    session.delete(source)
    session.flush()
    # Pairings loaded in this session still hold the old tag list.
    session.expire_all()
    return len(to_move)


def _check_name_free(name: str, *, except_id: int | None) -> None:
    if not name:
        raise DomainError(gettext("Give the sector a name."), field="name")
    for sector in session.scalars(select(Sector)):
        if sector.id != except_id and fold(sector.name) == fold(name):
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
