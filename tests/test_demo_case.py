"""The demo's Maribor – Kyzylorda case: people, organisations, meetings, follow-up tasks."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from crm.activities.models import Activity
from crm.activities.timeline import last_contact
from crm.auth.models import User
from crm.contacts.models import Organisation, PartnershipRole, Person
from crm.contacts.queries import people_of
from crm.db import session
from crm.demo.loader import load_demo_data
from crm.partnerships.models import Partnership
from crm.tasks.dates import today_for
from crm.tasks.models import Task


def counts() -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Organisation, Person, PartnershipRole, Activity, Task)
    )


def test_the_case_is_loaded_once_with_overdue_follow_ups(ctx: None) -> None:
    load_demo_data()
    first = counts()
    load_demo_data()
    assert counts() == first

    pairing = session.scalar(
        select(Partnership).where(Partnership.title == "Maribor – Kyzylorda Region")
    )
    assert pairing is not None
    people = people_of(pairing)
    assert {r.person.full_name for r in people.a} >= {"Aleksander Saša Arsenovič"}
    assert {r.person.full_name for r in people.b} == {"Altay Abibullayev"}
    assert [r.person.organisation.name for r in people.facilitators] == [
        "Honorary Consulate of Kazakhstan in Maribor"
    ]
    names = set(session.scalars(select(Organisation.name)))
    assert "Štajerska Chamber of Commerce and Industry" in names

    meetings = session.scalars(
        select(Activity).where(Activity.partnership_id == pairing.id).order_by(Activity.occurred_at)
    ).all()
    assert [m.occurred_at.date() for m in meetings] == [
        datetime(2026, 2, 13, tzinfo=UTC).date()
    ] * 2
    assert {p.full_name for p in meetings[0].participants} >= {
        "Altay Abibullayev",
        "Aleksander Saša Arsenovič",
    }
    assert "Štajerska Chamber" in meetings[1].summary
    assert last_contact(pairing) == meetings[1]

    today = today_for(None)
    tasks = session.scalars(select(Task).where(Task.partnership_id == pairing.id)).all()
    titles = {t.title for t in tasks}
    assert "Draft the memorandum of understanding" in titles
    assert "Identify water-management contacts in Kyzylorda" in titles
    overdue = [t for t in tasks if t.is_overdue(today)]
    assert len(overdue) >= 2
    demo_users = set(session.scalars(select(User.id)))
    assert all(t.assignee_id in demo_users for t in tasks)
