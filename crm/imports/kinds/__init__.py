"""The kinds of record a file may hold, one kind per file."""

from __future__ import annotations

from crm.imports.engine import Importer
from crm.imports.kinds.contacts import OrganisationImporter, PersonImporter
from crm.imports.kinds.localities import LocalityImporter
from crm.imports.kinds.pairings import PairingImporter

IMPORTERS: dict[str, type[Importer]] = {
    importer.key: importer
    for importer in (LocalityImporter, PairingImporter, PersonImporter, OrganisationImporter)
}
