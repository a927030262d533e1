from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import lazy_gettext
from sqlalchemy import (
    CheckConstraint,
    Column,
    ColumnElement,
    Connection,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    case,
    event,
    false,
    inspect,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import Base, utcnow, versioned_collection
from crm.i18n.names import TranslatedName
from crm.localities.models import Locality
from crm.sectors.models import Sector
from crm.text_search import fold

if TYPE_CHECKING:
    from crm.sharing.models import PartnershipShare


class Status(enum.StrEnum):
    """Beside the stage: whether the pairing is being worked on at all."""

    OPEN = "open"
    ON_HOLD = "on_hold"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    Status.OPEN: lazy_gettext("Open"),
    Status.ON_HOLD: lazy_gettext("On hold"),
    Status.DROPPED: lazy_gettext("Dropped"),
}


class Stage(TranslatedName, Base):
    __tablename__ = "stages"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    given_name: Mapped[str] = mapped_column("name", String(100))
    position: Mapped[int] = mapped_column(unique=True)
    # Two admins renaming at once: the second gets a 409 instead of overwriting the first. The
    # server default numbers the rows the first migration seeds, which name no version.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Stage {self.key}>"


partnership_sectors = Table(
    "partnership_sectors",
    Base.metadata,
    Column("partnership_id", ForeignKey("partnerships.id", ondelete="CASCADE"), primary_key=True),
    Column("sector_id", ForeignKey("sectors.id", ondelete="CASCADE"), primary_key=True),
    # A sector's pairings from the index alone (the board's and the list's counts by sector);
    # with the sector only, each entry cost a read of its row to find the pairing.
    Index("ix_partnership_sectors_sector_pairing", "sector_id", "partnership_id"),
)


class Partnership(Base):
    __tablename__ = "partnerships"
    __table_args__ = (
        CheckConstraint("locality_a_id <> locality_b_id", name="two_localities"),
        # The same two localities, in either order, may be worked on only once at a time; a
        # dropped pairing no longer counts, so it can be started afresh.
        Index(
            "uq_partnerships_open_pair",
            "pair_key",
            unique=True,
            sqlite_where=text("status <> 'dropped'"),
            postgresql_where=text("status <> 'dropped'"),
        ),
        Index("ix_partnerships_stage_activity", "stage_id", "status", "last_activity_at"),
        # The list's other sorts, and the weekly report's stalled pairings (bench/README).
        Index("ix_partnerships_title_sort", "title_folded", "id"),
        Index("ix_partnerships_stage_entered", "status", "stage_entered_at"),
        Index("ix_partnerships_target_signing", "target_signing_on"),
        # Only the pairings every list shows (not archived), so that the default sort's deep
        # pages and the board's and dashboard's counts per stage read an index alone.
        Index(
            "ix_partnerships_visible_recent",
            "last_activity_at",
            "id",
            "archived_at",  # for SQLite, as below: without it a deep page read 50,000 rows
            # What a search tests, so that a word in few pairings or none is looked for in
            # the index, not in each pairing's row read at random (200 ms → 21 ms).
            "locality_a_id",
            "locality_b_id",
            "title_folded",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        # archived_at is in the columns as well as the condition: SQLite does not see that
        # the condition answers the query's own "archived_at IS NULL", and without the column
        # it read each pairing's row to check it (9.4 ms instead of 7 for the board's counts).
        Index(
            "ix_partnerships_visible_stage_counts",
            "status",
            "stage_id",
            "archived_at",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        # A visible pairing's status and stage by its id, from the index alone: the counts per
        # stage of a sector's pairings look each one up here (SQLite), or read it whole and
        # match it to the sector's list (PostgreSQL), instead of reading 20,000 pairings' rows.
        Index(
            "ix_partnerships_visible_id_stage",
            "id",
            "status",
            "stage_id",
            "archived_at",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        # The dashboard's quiet pairings: one owner's open ones, untouched since a day, read
        # from the index alone.
        # The weekly report's stalled pairings (open, in a stage since before a day) and its
        # breakdown by country pair, each read from one index alone. `archived_at` is there
        # for SQLite, which does not take its value from the index's condition.
        Index(
            "ix_partnerships_visible_stalled",
            "status",
            "stage_entered_at",
            "stage_id",
            "owner_id",
            "archived_at",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        Index(
            "ix_partnerships_visible_countries",
            "status",
            "country_pair",
            "archived_at",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
        Index(
            "ix_partnerships_visible_owner",
            "owner_id",
            "status",
            "last_activity_at",
            "stage_id",
            sqlite_where=text("archived_at IS NULL"),
            postgresql_where=text("archived_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    locality_a_id: Mapped[int] = mapped_column(ForeignKey("localities.id"), index=True)
    locality_b_id: Mapped[int] = mapped_column(ForeignKey("localities.id"), index=True)
    # "<lower id>-<higher id>": the pair without its order, for the uniqueness rule above.
    pair_key: Mapped[str] = mapped_column(String(41))
    # "AT–KZ": the two localities' countries in order, kept with the pairing (and refreshed when
    # a locality moves country) so that the weekly report counts 90,000 open pairings by country
    # pair from one index, instead of looking up both localities of each.
    country_pair: Mapped[str] = mapped_column(String(5), default="")
    stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    status: Mapped[str] = mapped_column(String(20), default=Status.OPEN.value, index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    first_contact_on: Mapped[date | None]
    target_signing_on: Mapped[date | None]
    signed_on: Mapped[date | None]
    # Whether reaching *signed* filled `signed_on` in, rather than someone typing or importing
    # it: moving back from *signed* takes back such a date only.
    signed_on_filled: Mapped[bool] = mapped_column(default=False, server_default=false())
    stage_entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The last move or edit: the board shows the most recently active pairings first.
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    title_folded: Mapped[str] = mapped_column(Text, default="")
    # Deleting a pairing archives it: it leaves every list, and an admin can bring it back.
    archived_at: Mapped[datetime | None] = mapped_column(index=True)
    archived_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    locality_a: Mapped[Locality] = relationship(foreign_keys=[locality_a_id])
    locality_b: Mapped[Locality] = relationship(foreign_keys=[locality_b_id])
    stage: Mapped[Stage] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    archived_by: Mapped[User | None] = relationship(foreign_keys=[archived_by_id])
    sectors: Mapped[list[Sector]] = relationship(
        secondary=partnership_sectors, order_by=Sector.name
    )
    stage_changes: Mapped[list[StageChange]] = relationship(
        back_populates="partnership",
        order_by="StageChange.changed_at.desc(), StageChange.id.desc()",
        cascade="all, delete-orphan",
    )
    # Read-only: shares are made and ended by crm.sharing.services; the pairing page reads them
    # joined into its own statement (crm.partnerships.views.PAGE_LOADS).
    shares: Mapped[list[PartnershipShare]] = relationship(
        viewonly=True, order_by="PartnershipShare.shared_at"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return Status(self.status).label

    @property
    def is_open(self) -> bool:
        return self.status == Status.OPEN

    def days_in_stage(self, now: datetime | None = None) -> int:
        return ((now or utcnow()) - self.stage_entered_at).days

    def __repr__(self) -> str:
        return f"<Partnership {self.id} {self.title!r}>"


def pair_key_of(locality_a_id: int, locality_b_id: int) -> str:
    low, high = sorted((locality_a_id, locality_b_id))
    return f"{low}-{high}"


def country_pair_of(country_a: str, country_b: str) -> str:
    return "–".join(sorted((country_a, country_b)))


def country_pair_column() -> ColumnElement[str]:
    """`country_pair_of` in SQL, for a statement on `partnerships`."""
    side_a, side_b = (
        select(Locality.country_code).where(Locality.id == locality_id).scalar_subquery()
        for locality_id in (Partnership.locality_a_id, Partnership.locality_b_id)
    )
    return case((side_a <= side_b, side_a + "–" + side_b), else_=side_b + "–" + side_a)


versioned_collection(Partnership.sectors)


@event.listens_for(Partnership, "before_insert")
@event.listens_for(Partnership, "before_update")
def _refresh_derived_columns(
    mapper: object, connection: Connection, partnership: Partnership
) -> None:
    partnership.title_folded = fold(partnership.title)
    partnership.pair_key = pair_key_of(partnership.locality_a_id, partnership.locality_b_id)
    state = inspect(partnership)
    if state.key is None or any(
        state.attrs[side].history.has_changes() for side in ("locality_a_id", "locality_b_id")
    ):
        countries: dict[int, str] = {
            locality_id: country
            for locality_id, country in connection.execute(
                select(Locality.id, Locality.country_code).where(
                    Locality.id.in_((partnership.locality_a_id, partnership.locality_b_id))
                )
            )
        }
        partnership.country_pair = country_pair_of(
            countries[partnership.locality_a_id], countries[partnership.locality_b_id]
        )


@event.listens_for(Locality, "after_update")
def _refresh_country_pairs(mapper: object, connection: Connection, locality: Locality) -> None:
    """A locality that moves country moves its pairings' country pairs with it (written
    directly: a derived column is not an edit of the pairing, and bumps no version)."""
    if not inspect(locality).attrs.country_code.history.has_changes():
        return
    connection.execute(
        update(Partnership)
        .where(
            or_(Partnership.locality_a_id == locality.id, Partnership.locality_b_id == locality.id)
        )
        .values(country_pair=country_pair_column())
        .execution_options(synchronize_session=False)
    )


class StageChange(Base):
    """One move of a pairing: to another stage, or to another status, or both.

    The first row of a pairing has no `from_` values: it records where the pairing started.
    """

    __tablename__ = "stage_changes"
    __table_args__ = (
        # A pairing's history in order, with what each row changed: where a pairing stood at a
        # moment (the weekly report) is the top of its range, read from the index alone.
        Index(
            "ix_stage_changes_partnership_history",
            "partnership_id",
            "changed_at",
            "id",
            "from_stage_id",
            "to_stage_id",
            "to_status",
        ),
        # The weekly report: a week's moves, and where the pairings changed since a moment
        # stood at it (their first change since: what it changed from), from a range of this
        # index alone.
        Index(
            "ix_stage_changes_changed_moves",
            "changed_at",
            "partnership_id",
            "from_stage_id",
            "to_stage_id",
            "to_status",
            "from_status",
            "id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    from_stage_id: Mapped[int | None] = mapped_column(ForeignKey("stages.id"))
    to_stage_id: Mapped[int] = mapped_column(ForeignKey("stages.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")

    partnership: Mapped[Partnership] = relationship(back_populates="stage_changes")
    from_stage: Mapped[Stage | None] = relationship(foreign_keys=[from_stage_id])
    to_stage: Mapped[Stage] = relationship(foreign_keys=[to_stage_id])
    changed_by: Mapped[User] = relationship()

    @property
    def is_creation(self) -> bool:
        return self.from_stage_id is None

    @property
    def direction(self) -> str:
        """ "forward", "back", or "status" when only the status changed."""
        if self.from_stage is None or self.from_stage_id == self.to_stage_id:
            return "status"
        return "forward" if self.to_stage.position > self.from_stage.position else "back"
