"""Handing a user's pairings and open tasks to someone else, from their page."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.audit.models import AuditEntry
from crm.db import session, utcnow
from crm.partnerships.models import Partnership
from crm.tasks.models import Task
from crm.tasks.services import complete_task
from tests.factories import make_locality, make_partnership, make_task, make_user


def _work(app: Flask) -> dict[str, int]:
    """An officer leaving the mission: two pairings (one deleted), two open tasks and a done one,
    and a task of someone else's on their pairing."""
    with app.app_context():
        leaving = make_user("officer", name="Altay Abibullayev")
        successor = make_user("officer", name="Mojca Potočnik")
        other = make_user("officer", name="Someone Else")
        maribor = make_partnership(make_locality("Maribor"), owner=leaving)
        deleted = make_partnership(make_locality("Celje"), owner=leaving)
        deleted.archived_at = utcnow()
        kept = make_partnership(make_locality("Ptuj"), owner=other)
        draft = make_task(maribor, title="Draft the memorandum", assignee=leaving)
        call = make_task(kept, title="Call the chamber", assignee=leaving)
        done = make_task(maribor, title="Send the minutes", assignee=leaving)
        complete_task(done, by=leaving)
        theirs = make_task(maribor, title="Book the hall", assignee=other)
        session.commit()
        return {
            "leaving": leaving.id,
            "successor": successor.id,
            "other": other.id,
            "maribor": maribor.id,
            "maribor_version": maribor.version,
            "deleted": deleted.id,
            "kept": kept.id,
            "draft": draft.id,
            "call": call.id,
            "done": done.id,
            "theirs": theirs.id,
        }


def test_an_admin_hands_an_officers_work_to_a_successor(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = _work(app)
    login_as("admin")
    page = client.get(f"/users/{ids['leaving']}").get_data(as_text=True)
    # The deleted one is not in the lists the link leads to, but is said apart: it moves too.
    assert "Owns 1 pairing</a> · 1 deleted pairing · 2 open tasks" in page
    assert "2 open tasks" in page
    assert f'href="/partnerships?owner={ids["leaving"]}"' in page
    offered = re.findall(r'<option value="(\d*)"', page.split('id="work"')[1])
    assert offered[0] == ""  # nobody is chosen for the admin
    assert str(ids["successor"]) in offered and str(ids["leaving"]) not in offered

    response = client.post(
        f"/users/{ids['leaving']}/handover", data={"successor": ids["successor"]}
    )
    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert (
        "Handed the work of Altay Abibullayev to Mojca Potočnik: "
        "1 pairing and 1 deleted pairing, 2 open tasks." in followed
    )
    assert "No pairings and no open tasks." in followed
    with app.app_context():
        owners = dict(session.execute(select(Partnership.id, Partnership.owner_id)).all())
        assert owners == {
            ids["maribor"]: ids["successor"],
            ids["deleted"]: ids["successor"],
            ids["kept"]: ids["other"],
        }
        assignees = dict(session.execute(select(Task.id, Task.assignee_id)).all())
        assert assignees == {
            ids["draft"]: ids["successor"],
            ids["call"]: ids["successor"],
            ids["done"]: ids["leaving"],  # who did a done task stays as it was
            ids["theirs"]: ids["other"],
        }
        # A form opened before the handover cannot put the old owner back unseen.
        maribor = session.get(Partnership, ids["maribor"])
        assert maribor.version > ids["maribor_version"]
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.object_type == "partnership")
        ).all()
        assert any(
            entry.object_id == ids["maribor"] and "owner_id" in entry.changes for entry in entries
        )


def test_a_stale_pairing_form_after_a_handover_is_a_conflict(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = _work(app)
    login_as("admin")
    client.post(f"/users/{ids['leaving']}/handover", data={"successor": ids["successor"]})
    stale = client.post(
        f"/partnerships/{ids['maribor']}/stage",
        data={"stage": "agreement_in_principle", "version": ids["maribor_version"]},
    )
    assert stale.status_code == 409


def test_a_handover_to_nobody_suitable_writes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = _work(app)
    with app.app_context():
        viewer = make_user("viewer").id
        gone = make_user("officer", is_active=False).id
        session.commit()
    login_as("admin")
    cases = [
        ("", "Choose who takes the work over."),
        (str(viewer), "Choose an active officer or administrator from the list."),
        (str(gone), "Choose an active officer or administrator from the list."),
        (str(ids["leaving"]), "Choose an active officer or administrator from the list."),
        ("x", "Choose an active officer or administrator from the list."),
    ]
    for successor, message in cases:
        response = client.post(f"/users/{ids['leaving']}/handover", data={"successor": successor})
        assert response.status_code == 422, successor
        assert message in response.get_data(as_text=True), successor
    nothing = client.post(f"/users/{ids['successor']}/handover", data={"successor": ids["other"]})
    assert nothing.status_code == 422
    assert "Mojca Potočnik owns no pairings and has no open tasks." in nothing.get_data(
        as_text=True
    )
    with app.app_context():
        owners = set(session.scalars(select(Partnership.owner_id)))
        assert owners == {ids["leaving"], ids["other"]}


def test_only_admins_hand_work_over(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = _work(app)
    login_as("officer")
    denied = client.post(f"/users/{ids['leaving']}/handover", data={"successor": ids["other"]})
    assert denied.status_code == 403
    with app.app_context():
        assert session.get(Partnership, ids["maribor"]).owner_id == ids["leaving"]


def test_demoting_or_deactivating_an_owner_says_their_work_is_left(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    ids = _work(app)
    login_as("admin")
    warning = "Altay Abibullayev still owns pairings or holds open tasks"
    still_staff = client.post(
        f"/users/{ids['leaving']}/role", data={"role": "admin"}, follow_redirects=True
    )
    assert warning not in still_staff.get_data(as_text=True)
    demoted = client.post(
        f"/users/{ids['leaving']}/role", data={"role": "viewer"}, follow_redirects=True
    )
    assert warning in demoted.get_data(as_text=True)
    client.post(f"/users/{ids['leaving']}/role", data={"role": "officer"})
    deactivated = client.post(f"/users/{ids['leaving']}/deactivate", follow_redirects=True)
    assert warning in deactivated.get_data(as_text=True)
    # Their page still offers the handover, to someone who may own pairings.
    assert 'action="/users/{}/handover"'.format(ids["leaving"]) in deactivated.get_data(
        as_text=True
    )


def test_an_owner_of_deleted_pairings_alone_still_has_work_to_hand_over(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Their page once said "No pairings and no open tasks" and hid the form, so a pairing
    restored later was owned by someone who had left."""
    with app.app_context():
        leaving = make_user("officer", name="Altay Abibullayev")
        successor = make_user("officer", name="Mojca Potočnik")
        deleted = make_partnership(make_locality("Celje"), owner=leaving)
        deleted.archived_at = utcnow()
        session.commit()
        ids = {"leaving": leaving.id, "successor": successor.id, "deleted": deleted.id}
    login_as("admin")

    page = client.get(f"/users/{ids['leaving']}").get_data(as_text=True)
    assert "Owns no pairings · 1 deleted pairing · 0 open tasks" in page
    assert f'action="/users/{ids["leaving"]}/handover"' in page

    handed = client.post(
        f"/users/{ids['leaving']}/handover",
        data={"successor": ids["successor"]},
        follow_redirects=True,
    )
    assert "Potočnik: 1 deleted pairing, 0 open tasks." in handed.get_data(as_text=True)
    with app.app_context():
        assert session.get_one(Partnership, ids["deleted"]).owner_id == ids["successor"]
