"""Every model, imported once so that the metadata (for Alembic and tests) is complete."""

from crm.activities.models import Activity
from crm.audit.models import AuditEntry
from crm.auth.models import User
from crm.auth.tokens import ApiToken
from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.db import Base
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, Stage, StageChange
from crm.reports.models import ReportDelivery
from crm.sectors.models import Sector
from crm.sharing.models import PartnershipShare
from crm.tasks.models import Task, TaskWord

metadata = Base.metadata


def register() -> None:
    """Called by the app factory: importing this module is what makes every mapper known."""


__all__ = [
    "Activity",
    "ApiToken",
    "AuditEntry",
    "Locality",
    "Organisation",
    "Partnership",
    "PartnershipRole",
    "PartnershipShare",
    "Person",
    "ReportDelivery",
    "Sector",
    "Stage",
    "StageChange",
    "Task",
    "TaskWord",
    "User",
    "metadata",
]
