"""The API blueprint with every endpoint attached: the app registers `bp` from here.

The endpoint modules add their routes to the blueprint defined in crm.api.core when they are
imported; importing them here is what puts them on the map.
"""

from crm.api import contacts, pipeline, reports, sharing, work
from crm.api.core import bp

__all__ = ["bp", "contacts", "pipeline", "reports", "sharing", "work"]
