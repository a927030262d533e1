from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from crm.auth.models import User
from crm.db import Base, utcnow
from crm.partnerships.models import Partnership


class PartnershipShare(Base):
    """A pairing that a partner user may see. Read on every request: no cache to go stale."""

    __tablename__ = "partnership_shares"
    __table_args__ = (UniqueConstraint("partnership_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partnership_id: Mapped[int] = mapped_column(
        ForeignKey("partnerships.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    shared_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)

    partnership: Mapped[Partnership] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
    shared_by: Mapped[User] = relationship(foreign_keys=[shared_by_id])

    def __repr__(self) -> str:
        return f"<PartnershipShare {self.partnership_id} -> {self.user_id}>"
