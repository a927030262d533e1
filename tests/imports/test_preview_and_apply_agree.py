"""The preview applies the rules that writing applies: a row it marks new or update is written,
and a row the services would refuse is an error on its own cell, which "valid rows only" skips.
What can still refuse a row when writing (a change made by someone else meanwhile) names it."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date, timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from crm.auth.models import User
from crm.contacts.models import Person
from crm.contacts.services import delete_organisation
from crm.db import session, utcnow
from crm.imports import jobs
from crm.imports.engine import RowOutcome
from crm.imports.kinds.pairings import PairingImporter
from crm.imports.views import _changed_since_preview
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, StageChange
from tests.factories import (
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_user,
)
from tests.imports.test_imports import apply, count, marks, preview, upload

NOT_AN_OWNER = "Choose an active officer or administrator as the owner."
HEADER = "locality_a,country_a,locality_b,country_b,owner"


@pytest.fixture
def places(app: Flask) -> None:
    with app.app_context():
        for name in ("Maribor", "Celje", "Ptuj"):
            make_locality(name)
        make_locality("Astana", country_code="KZ")
        session.commit()


@pytest.mark.parametrize("role", ["partner", "viewer"])
def test_an_owner_who_may_not_own_a_pairing_is_an_error_in_the_preview(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    places: None,
    role: str,
) -> None:
    login_as()
    with app.app_context():
        officer = make_user(email="officer@example.com")
        make_user(role, email="chamber@example.com")
        session.commit()
        officer_id = officer.id
    content = (
        f"{HEADER}\n"
        "Maribor,SI,Astana,KZ,officer@example.com\n"
        "Celje,SI,Astana,KZ,chamber@example.com\n"
        "Ptuj,SI,Astana,KZ,\n"
    ).encode()
    token = upload(client, "pairings", content)
    assert preview(client, token, "valid") == 302
    found = marks(app, token)
    assert [found[row][0] for row in (2, 3, 4)] == ["new", "error", "new"]
    assert found[3][1] == {"owner": NOT_AN_OWNER}
    page = client.get(f"/imports/{token}?mark=error").get_data(as_text=True)
    assert NOT_AN_OWNER in page

    # Valid rows only: the two others are written, the refused one skipped.
    assert apply(client, token, "valid") == 302
    with app.app_context():
        owners = dict(
            session.execute(
                select(Locality.name, Partnership.owner_id).join(
                    Locality, Locality.id == Partnership.locality_a_id
                )
            ).all()
        )
    assert set(owners) == {"Maribor", "Ptuj"}
    assert owners["Maribor"] == officer_id


def test_an_update_keeps_an_owner_who_may_no_longer_own_and_is_an_error(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None
) -> None:
    """The file changes the summary and leaves the owner cell empty: the pairing keeps its owner,
    who has left meanwhile, and the form would refuse that edit the same way."""
    login_as()
    with app.app_context():
        maribor, astana = (
            session.scalar(select(Locality).filter_by(name=n)) for n in ("Maribor", "Astana")
        )
        gone = make_user()
        make_partnership(maribor, astana, owner=gone)
        gone.is_active = False
        session.commit()
    content = b"locality_a,country_a,locality_b,country_b,summary,stage\n"
    content += b"Maribor,SI,Astana,KZ,New summary,\n"
    content += b"Astana,KZ,Maribor,SI,,exploratory_talks\n"
    token = upload(client, "pairings", content)
    assert preview(client, token, "valid") == 302
    found = marks(app, token)
    assert found[2][0] == "error" and found[2][1] == {"owner": NOT_AN_OWNER}
    # Moving the stage alone is not an edit of the pairing's fields: no owner is needed for it.
    assert found[3][0] == "error" and "Row 2" in found[3][1]["locality_b"]


def test_an_update_is_checked_with_the_dates_it_keeps(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None
) -> None:
    login_as()
    with app.app_context():
        maribor, astana = (
            session.scalar(select(Locality).filter_by(name=n)) for n in ("Maribor", "Astana")
        )
        make_partnership(maribor, astana, first_contact_on=date(2026, 3, 1))
        session.commit()
    content = (
        b"locality_a,country_a,locality_b,country_b,signed_on\nMaribor,SI,Astana,KZ,2026-01-10\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "error"
    assert found[2][1] == {"signed_on": "The signing date is before the first contact."}


def test_a_move_to_signed_that_cannot_date_the_signing_is_an_error_in_the_preview(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None
) -> None:
    """Regression (review): a pairing kept with a first contact still to come (taken before
    such dates were refused) was previewed as an update to *signed*; applying it refused the
    move, so the import said the register had changed since the preview, and so again after
    every new preview. The preview now says why, and "valid rows only" writes the others."""
    login_as()
    with app.app_context():
        maribor, celje, astana = (
            session.scalar(select(Locality).filter_by(name=n))
            for n in ("Maribor", "Celje", "Astana")
        )
        kept = make_partnership(maribor, astana, stage_key="memorandum_review")
        kept.first_contact_on = utcnow().date() + timedelta(days=365)
        make_partnership(celje, astana, stage_key="memorandum_review")
        session.commit()
        kept_id = kept.id
    content = (
        b"locality_a,country_a,locality_b,country_b,stage\n"
        b"Maribor,SI,Astana,KZ,memorandum_signed\n"
        b"Celje,SI,Astana,KZ,memorandum_signed\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token, "valid") == 302
    found = marks(app, token)
    assert found[2][0] == "error"
    assert "correct its date" in found[2][1]["first_contact_on"]
    assert found[3][0] == "update"
    assert apply(client, token, "valid") == 302
    with app.app_context():
        stages = {p.id: p.stage.key for p in session.scalars(select(Partnership))}
    assert stages[kept_id] == "memorandum_review"
    assert sorted(stages.values()) == ["memorandum_review", "memorandum_signed"]


def test_a_new_pairing_with_dates_that_disagree_is_an_error_in_the_preview(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None
) -> None:
    """The preview asks the services' own question (services.date_problems)."""
    login_as()
    content = (
        b"locality_a,country_a,locality_b,country_b,first_contact_on,target_signing_on,signed_on\n"
        b"Maribor,SI,Astana,KZ,2026-02-13,2025-12-01,\n"
        b"Celje,SI,Astana,KZ,,,2199-01-01\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token, "valid") == 302
    found = marks(app, token)
    assert found[2][:2] == (
        "error",
        {"target_signing_on": "The target signing date is before the first contact."},
    )
    assert found[3][0] == "error" and "still to come" in found[3][1]["signed_on"]


def test_a_new_pairing_whose_two_names_make_too_long_a_title_is_an_error(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    long_a, long_b = "A" * 160, "B" * 160
    with app.app_context():
        make_locality(long_a)
        make_locality(long_b, country_code="KZ")
        session.commit()
    content = f"{HEADER},title\n{long_a},SI,{long_b},KZ,,\n{long_a},SI,{long_b},KZ,,Short\n"
    token = upload(client, "pairings", content.encode())
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "error" and "at most 300 characters" in found[2][1]["title"]
    # The same pair with a title of its own is fine (and, in the same file, a duplicate).
    assert "title" not in found[3][1]


def test_a_person_kept_at_a_deleted_organisation_is_an_error(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        organisation = make_organisation("Closed office")
        make_person("Ana Novak", organisation=organisation, email="ana@example.com")
        delete_organisation(organisation, expected_version=organisation.version)
        session.commit()
    content = b"full_name,email,phone\nAna Novak,ana@example.com,+386 2 220 10 00\n"
    token = upload(client, "people", content)
    assert preview(client, token, "valid") == 302
    found = marks(app, token)
    assert found[2][0] == "error" and "was deleted" in found[2][1]["organisation"]
    assert apply(client, token, "valid") == 302
    with app.app_context():
        assert session.scalar(select(Person.phone)) == ""


def test_a_nul_character_in_a_cell_is_an_error_not_a_database_error(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    # Past the first 256 KB, which is all that the format detection looks at.
    filler = "".join(f"Kraj {n},SI\n" for n in range(30_000))
    content = f"name,country\n{filler}Bad\x00name,SI\n".encode()
    login_as()
    token = upload(client, "localities", content)
    assert preview(client, token, "valid") == 302
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None
        errors = jobs.read_rows(job, mark="error")
    assert [(row.number, list(row.errors)) for row in errors] == [(30_002, ["name"])]
    assert "NUL" in errors[0].errors["name"]


def test_a_row_refused_when_written_is_named(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    places: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Between the check and the write, an owner stops being an officer (here: inside the same
    transaction, the moment after the importer loaded who may own). Nothing is imported, and the
    message names the row rather than leaving the user to guess."""
    login_as()
    with app.app_context():
        make_user(email="first@example.com")
        make_user(email="second@example.com")
        session.commit()
    content = (
        f"{HEADER}\nMaribor,SI,Astana,KZ,first@example.com\nCelje,SI,Astana,KZ,second@example.com\n"
    ).encode()
    token = upload(client, "pairings", content)
    assert preview(client, token, "valid") == 302
    assert {mark for mark, _, _ in marks(app, token).values()} == {"new"}

    loaded = PairingImporter.prepare

    def prepare_then_demote(importer: PairingImporter) -> None:
        loaded(importer)
        second = session.scalar(select(User).where(User.email == "second@example.com"))
        assert second is not None
        second.role = "partner"
        session.flush()

    monkeypatch.setattr(PairingImporter, "prepare", prepare_then_demote)
    response = client.post(f"/imports/{token}/apply", data={"mode": "valid"})
    assert response.status_code == 409
    assert f"Nothing was imported: row 3: {NOT_AN_OWNER}" in response.get_data(as_text=True)
    assert count(app, Partnership) == 0
    with app.app_context():
        second = session.scalar(select(User).where(User.email == "second@example.com"))
        assert second is not None and second.role == "officer"  # rolled back with the rest
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None and job.state == "previewed"


def test_an_update_refuses_a_pairing_edited_since_the_import_began(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    places: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone saves the pairing between the importer's reading it and its row being written
    (here: inside the same transaction). The row would have put back the summary it read."""
    officer = login_as()
    with app.app_context():
        maribor = session.scalar(select(Locality).where(Locality.name == "Maribor"))
        astana = session.scalar(select(Locality).where(Locality.name == "Astana"))
        assert maribor is not None and astana is not None
        pairing = make_partnership(
            locality_a=maribor, locality_b=astana, owner=session.get(User, officer)
        )
        session.commit()
        pairing_id = pairing.id
    content = (
        "locality_a,country_a,locality_b,country_b,stage\n"
        "Maribor,SI,Astana,KZ,agreement_in_principle\n"
    )
    token = upload(client, "pairings", content.encode())
    assert preview(client, token, "valid") == 302
    assert {mark for mark, _, _ in marks(app, token).values()} == {"update"}

    loaded = PairingImporter.prepare

    def prepare_then_edit(importer: PairingImporter) -> None:
        loaded(importer)
        edited = session.get(Partnership, pairing_id)
        assert edited is not None
        edited.summary = "Saved by a colleague meanwhile"
        session.flush()

    monkeypatch.setattr(PairingImporter, "prepare", prepare_then_edit)
    response = client.post(f"/imports/{token}/apply", data={"mode": "all"})
    # The row would not do what the preview showed (it is refused), so nothing is written.
    assert response.status_code == 409
    assert "the register changed since the preview, and row 2 would" in response.get_data(
        as_text=True
    )
    with app.app_context():
        kept = session.get(Partnership, pairing_id)
        assert kept is not None and kept.stage.key == "prospect"
        assert kept.summary != "Saved by a colleague meanwhile"  # rolled back with the rest
    # The preview is made again, as things stand: the colleague's edit here was never kept,
    # so the row is an update, and applying it now moves the pairing.
    monkeypatch.undo()
    assert marks(app, token)[2][0] == "update"
    assert apply(client, token, "all") == 302
    with app.app_context():
        moved = session.get(Partnership, pairing_id)
        assert moved is not None and moved.stage.key == "agreement_in_principle"


def test_a_forged_long_file_name_is_cut_to_fit_the_history_note(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None
) -> None:
    """Every history row notes "Imported from <file>", and a note has a limit: a name longer
    than any file system allows was refused only when the rows were written."""
    login_as()
    content = f"{HEADER}\nMaribor,SI,Astana,KZ,\n".encode()
    token = upload(client, "pairings", content, filename="x" * 3000 + ".csv")
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None
        assert len(job.filename) == 255 and job.filename.endswith("x.csv")
    assert preview(client, token) == 302
    assert apply(client, token) == 302
    assert count(app, Partnership) == 1


@pytest.mark.parametrize(
    ("uploaded", "shown"),
    [
        ("Партнёрства Қызылорда.csv", "Партнёрства Қызылорда.csv"),
        ("Štajerska – uvoz.csv", "Štajerska – uvoz.csv"),
        ("C:/fakepath/Maribor\tuvoz.csv", "Maribor uvoz.csv"),
        ("../../etc/Štajerska.csv", "Štajerska.csv"),
        # A direction override would show the name backwards; the joiners Persian needs stay.
        ("\u202evsc.ecnerefer.csv", "vsc.ecnerefer.csv"),
        ("می\u200cخواهم.csv", "می\u200cخواهم.csv"),
    ],
)
def test_the_file_keeps_its_name_in_the_pages_and_the_history(
    app: Flask,
    client: FlaskClient,
    login_as: Callable[..., int],
    places: None,
    uploaded: str,
    shown: str,
) -> None:
    """Regression: the name went through werkzeug's secure_filename, made for paths on disk,
    and "Партнёрства Қызылорда.csv" was noted in the history as "Imported from csv"."""
    login_as()
    content = f"{HEADER}\nMaribor,SI,Astana,KZ,\n".encode()
    token = upload(client, "pairings", content, filename=uploaded)
    assert shown in client.get(f"/imports/{token}").get_data(as_text=True)
    assert preview(client, token) == 302
    assert apply(client, token) == 302
    with app.app_context():
        note = session.scalar(select(StageChange.note))
    assert note == f"Imported from {shown}"


def test_an_apply_that_would_do_other_than_the_preview_writes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None
) -> None:
    """Regression: the preview showed a stage move; a colleague then gave the pairing another
    owner, and the apply put the file's owner back, a change nobody was shown. Now nothing is
    written, the preview is made again as things stand, and an apply of that one goes through."""
    officer = login_as()
    with app.app_context():
        colleague = make_user(email="colleague@example.com")
        maribor = session.scalar(select(Locality).where(Locality.name == "Maribor"))
        astana = session.scalar(select(Locality).where(Locality.name == "Astana"))
        owner = session.get(User, officer)
        assert maribor is not None and astana is not None and owner is not None
        pairing = make_partnership(locality_a=maribor, locality_b=astana, owner=owner)
        session.commit()
        pairing_id, colleague_id, owner_email = pairing.id, colleague.id, owner.email
    content = (
        "locality_a,country_a,locality_b,country_b,stage,owner\n"
        f"Maribor,SI,Astana,KZ,agreement_in_principle,{owner_email}\n"
    )
    token = upload(client, "pairings", content.encode())
    assert preview(client, token, "valid") == 302
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None
        [previewed] = jobs.read_rows(job)
    assert previewed.mark == "update" and set(previewed.changes) == {"stage"}

    with app.app_context():  # the colleague's edit, committed between preview and apply
        edited = session.get(Partnership, pairing_id)
        assert edited is not None
        edited.owner_id = colleague_id
        session.commit()

    response = client.post(f"/imports/{token}/apply", data={"mode": "valid"})
    assert response.status_code == 409
    assert "the register changed since the preview, and row 2 would" in response.get_data(
        as_text=True
    )
    with app.app_context():
        kept = session.get(Partnership, pairing_id)
        assert kept is not None
        assert (kept.stage.key, kept.owner_id) == ("prospect", colleague_id)
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None and job.state == "previewed"
        [now] = jobs.read_rows(job)
    assert set(now.changes) == {"stage", "owner"}

    assert apply(client, token, "valid") == 302  # what the new preview showed
    with app.app_context():
        written = session.get(Partnership, pairing_id)
        assert written is not None
        assert (written.stage.key, written.owner_id) == ("agreement_in_principle", officer)


def test_a_long_list_of_changed_rows_names_the_first_ten(app: Flask) -> None:
    with app.test_request_context():
        message = _changed_since_preview(list(range(2, 14)))
    assert "rows 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 and 2 more would now" in message


@pytest.mark.parametrize("between", ["language", "suggestions"])
def test_an_error_row_worded_otherwise_at_apply_does_not_stop_it(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None, between: str
) -> None:
    """A row that is an error both times writes nothing either way: its message in another
    language, or other closest names offered, is no change to what the apply would do."""
    login_as()
    content = (
        "locality_a,country_a,locality_b,country_b\nMaribor,SI,Astana,KZ\nMariborx,SI,Astana,KZ\n"
    )
    token = upload(client, "pairings", content.encode())
    assert preview(client, token, "valid") == 302
    assert marks(app, token)[3][0] == "error"
    if between == "language":
        client.post("/language", data={"language": "sl", "next": "/"})
    else:
        with app.app_context():
            make_locality("Mariborxy")
            session.commit()
    assert apply(client, token, "valid") == 302
    assert count(app, Partnership) == 1


def test_a_row_log_is_put_in_place_whole(app: Flask) -> None:
    """Two runs of one job (two tabs) never write into the same file: each writes its own and
    puts it in place when done, and a run that fails leaves the last complete log."""
    with app.test_request_context():
        job = jobs.create_job("pairings", 1, "file.csv", lambda path: path.write_bytes(b""))
        first, second = jobs.apply_log_name(), jobs.apply_log_name()
        assert first != second
        with jobs.RowLog(job) as log:
            log(RowOutcome(2, "new"))
        with pytest.raises(RuntimeError), jobs.RowLog(job) as log:
            log(RowOutcome(2, "update"))
            raise RuntimeError("the run stopped")
        assert [row.mark for row in jobs.read_rows(job)] == ["new"]
        assert [path.name for path in job.directory.iterdir() if path.suffix == ".tmp"] == []


def test_a_second_run_of_an_import_beside_the_first_is_turned_away(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], places: None
) -> None:
    """Two applies side by side (two tabs, a double click) would each find the rows new, and on
    PostgreSQL both would write them. While one runs, the other gets a 409 and writes nothing;
    a lock left by a process that died is taken over once it is old."""
    login_as()
    token = upload(
        client, "pairings", b"locality_a,country_a,locality_b,country_b\nMaribor,SI,Astana,KZ\n"
    )
    assert preview(client, token) == 302
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None
        with jobs.running(job):  # the first run, in another request
            for action in ("apply", "preview"):
                response = client.post(f"/imports/{token}/{action}", data={"mode": "all"})
                assert response.status_code == 409, action
                assert "being previewed or imported in another window" in response.get_data(
                    as_text=True
                )
        assert count(app, Partnership) == 0
        lock = job.directory / jobs.RUN_LOCK
        lock.touch()
        assert apply(client, token) == 409  # a run holds it still
        old = time.time() - jobs.STALE_RUN_AFTER.total_seconds() - 60
        os.utime(lock, (old, old))
    assert apply(client, token) == 302
    assert count(app, Partnership) == 1
    assert not lock.exists()
