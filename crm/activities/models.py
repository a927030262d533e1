from __future__ import annotations

import enum
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.contacts.models import Person
from crm.db import Base, utcnow, versioned_collection
from crm.partnerships.models import Partnership
from crm.tasks.models import Task


class ActivityKind(enum.StrEnum):
    MEETING = "meeting"
    VISIT = "visit"
    CALL = "call"
    LETTER = "letter"
    SIGNING = "signing"
    NOTE = "note"

    @property
    def label(self) -> str:
        return str(ACTIVITY_LABELS[self])

    @property
    def is_contact(self) -> bool:
        """Counts as "last contact": the two sides actually talked or wrote."""
        return self in CONTACT_KINDS


ACTIVITY_LABELS = {
    ActivityKind.MEETING: _l("Meeting"),
    ActivityKind.VISIT: _l("Visit or delegation"),
    ActivityKind.CALL: _l("Call"),
    ActivityKind.LETTER: _l("Letter or e-mail"),
    ActivityKind.SIGNING: _l("Signing ceremony"),
    ActivityKind.NOTE: _l("Note"),
}
CONTACT_KINDS = frozenset(
    {ActivityKind.MEETING, ActivityKind.VISIT, ActivityKind.CALL, ActivityKind.LETTER}
)
# What makes a pairing active when recorded: everything that happened with the other side. A
# note says nothing happened.
ACTIVE_KINDS = frozenset(ActivityKind) - {ActivityKind.NOTE}

activity_participants = Table(
    "activity_participants",
    Base.metadata,
    Column("activity_id", ForeignKey("activities.id", ondelete="CASCADE"), primary_key=True),
    # People are never deleted for real (see contacts), so history keeps their names.
    Column("person_id", ForeignKey("people.id"), primary_key=True, index=True),
)


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_partnership_occurred", "partnership_id", "occurred_at"),
        # A pairing's last contact (the dashboard's quiet pairings, the report's stalled ones)
        # read from the index alone, whatever other kinds of activity it has.
        Index("ix_activities_partnership_kind_occurred", "partnership_id", "kind", "occurred_at"),
        # The weekly report: a week's meetings, and the pairings contacted since a day.
        Index("ix_activities_occurred_kind", "occurred_at", "kind", "partnership_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(ForeignKey("partnerships.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    occurred_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    partnership: Mapped[Partnership] = relationship()
    created_by: Mapped[User] = relationship()
    participants: Mapped[list[Person]] = relationship(
        secondary=activity_participants, order_by=Person.name_folded
    )
    follow_ups: Mapped[list[Task]] = relationship(back_populates="activity", order_by=Task.id)

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return ActivityKind(self.kind).label

    def __repr__(self) -> str:
        return f"<Activity {self.id} {self.kind} {self.occurred_at:%Y-%m-%d}>"


versioned_collection(Activity.participants)
