"""Every model, imported once so that the metadata (for Alembic and tests) is complete."""

from crm.auth.models import User
from crm.auth.tokens import ApiToken
from crm.db import Base
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Stage, StageChange
from crm.reports.models import ReportDelivery, ReportSubscription
from crm.sectors.models import Sector

metadata = Base.metadata

__all__ = [
    "ApiToken",
    "Locality",
    "Partnership",
    "ReportDelivery",
    "ReportSubscription",
    "Sector",
    "Stage",
    "StageChange",
    "User",
    "metadata",
]
