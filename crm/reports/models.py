from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base, utcnow


class ReportDelivery(Base):
    """One weekly report sent to one person: what makes sending again send only the rest."""

    __tablename__ = "report_deliveries"
    __table_args__ = (UniqueConstraint("week", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    week: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
