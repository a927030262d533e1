"""What the merge form on a person's page posts."""

from __future__ import annotations

from flask import Flask

from crm.contacts.models import Person
from crm.db import session


def merge_form(app: Flask, survivor_id: int, duplicate_id: int | str) -> dict[str, str]:
    """The form as the survivor's page draws it now, `duplicate_id` chosen: its option's value
    ("ID:VERSION"; an id nobody has gets version 1) and the survivor's version."""
    with app.app_context():
        survivor = session.get(Person, survivor_id)
        duplicate = session.get(Person, duplicate_id)
        assert survivor is not None
        version = duplicate.version if duplicate else 1
        return {"other_id": f"{duplicate_id}:{version}", "version": str(survivor.version)}
