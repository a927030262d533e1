"""Every model, imported once so that the metadata (for Alembic and tests) is complete."""

from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.db import Base
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Stage, StageChange
from crm.sectors.models import Sector
from crm.sharing.models import PartnershipShare

metadata = Base.metadata

__all__ = [
    "AuditEntry",
    "Locality",
    "Partnership",
    "PartnershipShare",
    "Sector",
    "Stage",
    "StageChange",
    "User",
    "metadata",
]
