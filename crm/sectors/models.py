from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from crm.db import Base
from crm.i18n.names import TranslatedName


class Sector(TranslatedName, Base):
    __tablename__ = "sectors"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    given_name: Mapped[str] = mapped_column("name", String(100), unique=True)
    # Two admins renaming or merging at once: the second gets a 409 instead of overwriting the
    # first. The server default numbers the rows the first migration seeds, which name no version.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    def __repr__(self) -> str:
        return f"<Sector {self.slug}>"
