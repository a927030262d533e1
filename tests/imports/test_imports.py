"""Imports through the page and the command line: preview marks, idempotency, mapping, modes,
and bad input that never writes half a file nor answers 500."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select

from crm.contacts.models import Organisation, Person
from crm.db import session
from crm.imports import jobs
from crm.localities.models import Locality
from crm.partnerships.models import Partnership, StageChange
from tests.factories import (
    make_locality,
    make_organisation,
    make_partnership,
    make_person,
    make_user,
)


def upload(
    client: FlaskClient, kind: str, content: bytes, filename: str = "file.csv", **options: str
) -> str:
    data = {"kind": kind, "file": (io.BytesIO(content), filename), **options}
    response = client.post("/imports", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[-1]


def preview(client: FlaskClient, token: str, mode: str = "all", **mapping: str) -> int:
    return client.post(f"/imports/{token}/preview", data={"mode": mode, **mapping}).status_code


def apply(client: FlaskClient, token: str, mode: str = "all") -> int:
    return client.post(f"/imports/{token}/apply", data={"mode": mode}).status_code


def marks(app: Flask, token: str) -> dict[int, tuple[str, dict[str, str], dict[str, list[str]]]]:
    with app.test_request_context():
        job = jobs.load_job(token)
        assert job is not None
        return {
            row.number: (row.mark, row.errors, row.suggestions)
            for row in jobs.read_rows(job, limit=10_000)
        }


def count(app: Flask, model: type) -> int:
    with app.app_context():
        return session.scalar(select(func.count()).select_from(model)) or 0


LOCALITIES = (
    "name;country;kind;name_en;subdivision\n"
    "Maribor;SI;city;Maribor;SI-070\n"
    "Celje;Slovenia;city;;\n"
    "Қызылорда облысы;KZ;region;Kyzylorda Region;KZ-43\n"
)


def test_localities_preview_marks_then_apply_then_the_same_file_changes_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        make_locality("Maribor")  # exists, without the English name or code: an update
        make_locality("Celje")  # exists as the file has it: unchanged
        session.commit()
    content = (LOCALITIES + "Nowhere;XX;city;;\n=cmd|' /C calc'!A0;SI;city;;\n").encode()
    token = upload(client, "localities", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "update"
    assert found[3][0] == "unchanged"
    assert found[4][0] == "new"
    assert found[5][0] == "error" and "not a country" in found[5][1]["country"]
    assert found[6][0] == "error" and "formula" in found[6][1]["name"]
    page = client.get(f"/imports/{token}").get_data(as_text=True)
    assert "not a country" in page and "formula" in page
    assert count(app, Locality) == 2  # the preview wrote nothing

    # All or nothing: the errors stop everything.
    assert apply(client, token, "all") == 302
    assert count(app, Locality) == 2
    # Valid rows only.
    assert apply(client, token, "valid") == 302
    assert count(app, Locality) == 3
    with app.app_context():
        maribor = session.scalar(select(Locality).where(Locality.name == "Maribor"))
        assert maribor is not None and maribor.subdivision_code == "SI-070"
        versions = {loc.id: loc.version for loc in session.scalars(select(Locality))}

    again = upload(client, "localities", LOCALITIES.encode())
    assert preview(client, again) == 302
    assert {mark for mark, _, _ in marks(app, again).values()} == {"unchanged"}
    assert apply(client, again) == 302
    with app.app_context():
        assert {loc.id: loc.version for loc in session.scalars(select(Locality))} == versions


def test_pairings_unknown_locality_offers_the_closest_and_unknown_stage_is_named(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        make_locality("Maribor")
        make_locality("Қызылорда облысы", name_en="Kyzylorda Region", country_code="KZ")
        make_locality("Astana", country_code="KZ")
        session.commit()
    content = (
        "locality_a,country_a,locality_b,country_b,stage\n"
        "Maribor,SI,Kyzylorda Region,KZ,agreement_in_principle\n"
        "Maribr,SI,Astana,KZ,prospect\n"
        "Maribor,SI,Astana,KZ,signed somehow\n"
        "maribor,si,ҚЫЗЫЛОРДА ОБЛЫСЫ,kz,\n"
    ).encode()
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "new"
    assert found[3][0] == "error" and "No locality “Maribr” in SI" in found[3][1]["locality_a"]
    assert found[3][2]["locality_a"] == ["Maribor"]
    assert found[4][0] == "error" and "no stage" in found[4][1]["stage"]
    # The same pair in another spelling and order is a duplicate of row 2 in the same file.
    assert found[5][0] == "error" and "Row 2" in found[5][1]["locality_b"]
    assert "Closest: Maribor" in client.get(f"/imports/{token}?mark=error").get_data(as_text=True)

    assert apply(client, token, "all") == 302
    assert count(app, Partnership) == 0  # nothing half-written
    assert apply(client, token, "valid") == 302
    with app.app_context():
        pairing = session.scalar(select(Partnership))
        assert pairing is not None
        assert pairing.title == "Maribor – Kyzylorda Region"
        assert pairing.stage.key == "agreement_in_principle"
        assert len(pairing.stage_changes) == 1


def test_pairing_dates_outside_the_span_are_row_errors_and_write_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        make_locality("Maribor")
        make_locality("Astana", country_code="KZ")
        make_locality("Graz", country_code="AT")
        make_locality("Celje")
        session.commit()
    content = (
        b"locality_a,country_a,locality_b,country_b,first_contact_on,target_signing_on\n"
        b"Maribor,SI,Astana,KZ,0001-01-01,\n"
        b"Maribor,SI,Graz,AT,,31.12.9999\n"
        b"Celje,SI,Astana,KZ,2026-02-13,2200-12-31\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    message = "Give a date between 1900-01-01 and 2200-12-31."
    assert found[2][0] == "error" and found[2][1]["first_contact_on"] == message
    assert found[3][0] == "error" and found[3][1]["target_signing_on"] == message
    assert found[4][0] == "new"
    assert apply(client, token, "all") == 302
    assert count(app, Partnership) == 0


def test_a_pairing_refers_to_a_locality_that_a_later_row_cannot_create(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """One kind per file: a pairing cannot lean on a locality defined further down. The row gets
    a message that says to import localities first, and all-or-nothing writes nothing."""
    login_as()
    with app.app_context():
        make_locality("Maribor")
        make_locality("Astana", country_code="KZ")
        session.commit()
    content = (
        b"locality_a,country_a,locality_b,country_b\n"
        b"Maribor,SI,Almaty,KZ\n"
        b"Maribor,SI,Astana,KZ\n"
        b"Almaty,KZ,,\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    assert "localities file first" in found[2][1]["locality_b"]
    assert found[3][0] == "new"
    assert found[4][0] == "error"
    assert apply(client, token) == 302
    assert count(app, Partnership) == 0


def test_pairings_update_moves_the_stage_with_history_and_reimport_is_unchanged(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        maribor = make_locality("Maribor")
        astana = make_locality("Astana", country_code="KZ")
        make_partnership(maribor, astana)
        owner = make_user(email="dana@example.com")
        session.commit()
        owner_id = owner.id
    content = (
        b"Locality A;Country A;Locality B;Country B;Stage;Owner e-mail;Sectors;First contact\n"
        b"Astana;KZ;Maribor;SI;Exploratory talks;dana@example.com;education | culture;13.02.2026\n"
    )
    token = upload(client, "pairings", content)
    assert preview(client, token) == 302
    assert marks(app, token)[2][0] == "update"
    # The owner as the file names one, not by id (regression: "Owner e-mail: 2 → 3").
    with app.app_context():
        old_owner = session.scalar(select(Partnership)).owner.email  # type: ignore[union-attr]
    page = client.get(f"/imports/{token}").get_data(as_text=True)
    assert f"{old_owner} → dana@example.com" in page
    assert apply(client, token) == 302
    with app.app_context():
        pairing = session.scalar(select(Partnership))
        assert pairing is not None
        assert pairing.stage.key == "exploratory_talks"
        assert pairing.owner_id == owner_id
        assert {s.slug for s in pairing.sectors} == {"education", "culture"}
        assert str(pairing.first_contact_on) == "2026-02-13"
    assert count(app, StageChange) == 2
    again = upload(client, "pairings", content)
    assert preview(client, again) == 302
    assert marks(app, again)[2][0] == "unchanged"
    assert apply(client, again) == 302
    assert count(app, StageChange) == 2


def test_people_by_email_else_name_and_organisation(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    with app.app_context():
        make_organisation("Mestna občina Maribor", country_code="SI")
        session.commit()
    content = (
        "full_name,email,organisation,phone,country\n"
        "Aleksander Saša Arsenovič,zupan@example.com,Mestna obcina Maribor,+386 2 220 10 00,SI\n"
        "Altay Abibullayev,,,,KZ\n"
        "Somebody,not-an-email,,,\n"
        "Someone Else,,Mestna obcina Mariborr,,\n"
        "Aleksander Sasa Arsenovic,ZUPAN@example.com,,,\n"
    ).encode()
    token = upload(client, "people", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "new" and found[3][0] == "new"
    assert found[4][0] == "error" and "is not an e-mail address" in found[4][1]["email"]
    assert found[5][0] == "error" and found[5][2]["organisation"] == ["Mestna občina Maribor"]
    assert found[6][0] == "error" and "Row 2" in found[6][1]["email"]
    assert apply(client, token, "valid") == 302
    with app.app_context():
        mayor = session.scalar(select(Person).where(Person.email == "zupan@example.com"))
        assert mayor is not None and mayor.phone == "+38622201000"
        assert mayor.organisation is not None
    again = upload(client, "people", content)
    assert preview(client, again) == 302
    assert [m for m, _, _ in marks(app, again).values()][:2] == ["unchanged", "unchanged"]
    assert count(app, Person) == 2


def test_two_rows_that_reach_one_person_by_different_keys_are_refused_not_stuck(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: one row matched a person by name, the next by e-mail; both were previewed as
    updates of the same version, and every apply answered that the register had changed since
    the preview, for ever."""
    login_as()
    with app.app_context():
        person = make_person("Ана Қасымова", email="ana.k@example.kz", position="Akim deputy")
        session.commit()
        version = person.version
    content = (
        "full_name,email,position,country\n"
        "Ана Қасымова,,Position A,KZ\n"
        "Ана Қасымова,ana.k@example.kz,Position B,KZ\n"
    ).encode()
    token = upload(client, "people", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    assert found[2][0] == "update"
    assert found[3][0] == "error" and "Row 2 is the same person." in found[3][1]["email"]
    assert apply(client, token, "valid") == 302
    with app.app_context():
        saved = session.scalar(select(Person).where(Person.email == "ana.k@example.kz"))
        assert saved is not None
        assert (saved.position, saved.version) == ("Position A", version + 1)


def test_a_new_person_given_twice_by_different_keys_is_created_once(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: a new person's row with an e-mail and another without one were both new,
    and the import created the person twice; namesakes with two e-mails are two people."""
    login_as()
    content = (
        "full_name,email,country\n"
        "Ана Қасымова,ana.k@example.kz,KZ\n"
        "Ана Қасымова,ana.q@example.kz,KZ\n"
        "Ана Қасымова,,KZ\n"
    ).encode()
    token = upload(client, "people", content)
    assert preview(client, token) == 302
    found = marks(app, token)
    assert [found[number][0] for number in (2, 3, 4)] == ["new", "new", "error"]
    assert "Row 2 is the same person." in found[4][1]["full_name"]
    assert apply(client, token, "valid") == 302
    assert count(app, Person) == 2


def test_a_persons_new_organisation_is_previewed_by_name(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    """Regression: the preview said "Organisation: 1 → 2"."""
    login_as()
    with app.app_context():
        city = make_organisation("Mestna občina Maribor", country_code="SI")
        make_organisation("Mestna občina Maribor", country_code="AT")  # named with its country
        make_organisation("Štajerska gospodarska zbornica", country_code="SI")
        make_person("Mojca Potočnik", email="mojca@example.si", organisation=city)
        session.commit()
    content = (
        "full_name,email,organisation,country\n"
        "Mojca Potočnik,mojca@example.si,Stajerska gospodarska zbornica,SI\n"
    ).encode()
    token = upload(client, "people", content)
    assert preview(client, token) == 302
    assert marks(app, token)[2][0] == "update"
    page = client.get(f"/imports/{token}").get_data(as_text=True)
    assert "Mestna občina Maribor (SI) → Štajerska gospodarska zbornica" in page


def test_organisations_from_xlsx_twice(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Country", "Kind", "Website"])
    sheet.append(["Štajerska gospodarska zbornica", "SI", "Chamber of commerce", "stajerskagz.si"])
    sheet.append(["Embassy of Kazakhstan", "Slovenia", "embassy", ""])
    sheet.append(["Bad site", "SI", "other", "javascript:alert(1)"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    for expected in (["new", "new", "error"], ["unchanged", "unchanged", "error"]):
        token = upload(client, "organisations", buffer.getvalue(), "orgs.xlsx")
        assert preview(client, token, "valid") == 302
        assert [m for m, _, _ in marks(app, token).values()] == expected
        assert apply(client, token, "valid") == 302
    with app.app_context():
        chamber = session.scalar(select(Organisation).where(Organisation.kind != "embassy"))
        assert chamber is not None and chamber.website == "https://stajerskagz.si"
    assert count(app, Organisation) == 2


def test_headers_that_differ_are_mapped(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    content = "Town\tNation\tRemarks\nPtuj\tSI\told town\n".encode("utf-16")
    token = upload(client, "localities", content)
    page = client.get(f"/imports/{token}").get_data(as_text=True)
    assert "UTF-16" in page and "tab" in page
    # Unmapped, the required columns are missing: a message, nothing run.
    response = client.post(f"/imports/{token}/preview", data={"mode": "all"})
    assert response.status_code == 422
    assert "Local name" in response.get_data(as_text=True)
    assert preview(client, token, **{"map-0": "name", "map-1": "country", "map-2": ""}) == 302
    assert apply(client, token) == 302
    with app.app_context():
        assert session.scalar(select(Locality.name)) == "Ptuj"


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"%PDF-1.4 not a sheet", "report.pdf", "not a spreadsheet"),
        (b"PK\x03\x04broken", "broken.xlsx", "not a readable XLSX"),
        ("name,country\nŠtajerska,SI\n".encode() + "Žalec,SI\n".encode("cp1250"), "m.csv", "mixes"),
    ],
)
def test_files_that_cannot_be_imported_get_a_message(
    client: FlaskClient, login_as: Callable[..., int], content: bytes, filename: str, message: str
) -> None:
    login_as()
    response = client.post(
        "/imports", data={"kind": "localities", "file": (io.BytesIO(content), filename)}
    )
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ({"kind": "treaties"}, "Choose what the file holds from the list."),
        ({"encoding": "ebcdic"}, "Choose an encoding from the list."),
        ({"separator": "pipe"}, "Choose a separator from the list."),
    ],
)
def test_an_upload_option_no_page_offers_gets_a_message(
    client: FlaskClient, login_as: Callable[..., int], option: dict[str, str], message: str
) -> None:
    login_as()
    data = {"kind": "localities", "file": (io.BytesIO(LOCALITIES.encode()), "l.csv"), **option}
    response = client.post("/imports", data=data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_a_mode_no_page_offers_gets_a_message_and_runs_nothing(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    token = upload(client, "localities", LOCALITIES.encode())
    for step in ("preview", "apply"):
        response = client.post(f"/imports/{token}/{step}", data={"mode": "some"})
        assert response.status_code == 422
        assert "Choose what to do with the rows that have errors." in response.get_data(
            as_text=True
        )
    assert count(app, Locality) == 0
    # Once applied the page draws no form: the message is said above the result.
    assert preview(client, token) == 302 and apply(client, token) == 302
    response = client.post(f"/imports/{token}/apply", data={"mode": "some"})
    assert response.status_code == 422
    assert "Choose what to do with the rows that have errors." in response.get_data(as_text=True)
    assert count(app, Locality) == 3


def test_a_header_row_only_is_a_message(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    token = upload(client, "localities", b"name,country\n")
    response = client.post(f"/imports/{token}/preview", data={"mode": "all"})
    assert response.status_code == 422
    assert "no rows to import" in response.get_data(as_text=True)


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it the server read."""

    def __init__(self, size: int) -> None:
        super().__init__(b"x" * size)
        self.consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk


def _claimed_post(client: FlaskClient, url: str, claimed: int) -> tuple[int, int]:
    body = CountingStream(64 * 1024)
    response = client.post(
        url,
        input_stream=body,
        content_type="multipart/form-data; boundary=xyz",
        environ_overrides={"CONTENT_LENGTH": str(claimed)},
    )
    return response.status_code, body.consumed


def test_a_huge_upload_is_refused_before_it_is_read(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    status, consumed = _claimed_post(client, "/imports", 200 * 1024 * 1024)
    assert status == 413
    assert consumed == 0


def test_the_larger_limit_is_for_the_import_only(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    assert _claimed_post(client, "/localities/new", 3 * 1024 * 1024)[0] == 413
    big = ("name,country\n" + "Ptuj,SI\n" * 400_000).encode()  # 3.2 MB
    # Encoded here: the test client's own encoder leaves a temporary file open for large bodies.
    body = (
        b'--xyz\r\nContent-Disposition: form-data; name="kind"\r\n\r\nlocalities\r\n'
        b'--xyz\r\nContent-Disposition: form-data; name="file"; filename="big.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + big + b"\r\n--xyz--\r\n"
    )
    response = client.post(
        "/imports",
        input_stream=io.BytesIO(body),
        content_type="multipart/form-data; boundary=xyz",
        environ_overrides={"CONTENT_LENGTH": str(len(body))},
    )
    assert response.status_code == 302


def test_apply_without_a_preview_is_refused(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    token = upload(client, "localities", LOCALITIES.encode())
    assert apply(client, token) == 409
    assert count(app, Locality) == 0


def test_progress_is_json_and_unknown_jobs_are_404(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    token = upload(client, "localities", LOCALITIES.encode())
    assert preview(client, token) == 302
    assert client.get(f"/imports/{token}/progress").get_json()["phase"] == "done"
    assert client.get("/imports/nope/progress").status_code == 404
    assert client.get("/imports/../../etc").status_code == 404


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind", ["localities", "pairings", "people", "organisations"])
def test_templates_list_the_columns(
    client: FlaskClient, login_as: Callable[..., int], kind: str, fmt: str
) -> None:
    login_as()
    response = client.get(f"/imports/templates/{kind}.{fmt}")
    assert response.status_code == 200
    assert f"twinning-{kind}-template.{fmt}" in response.headers["Content-Disposition"]
    if fmt == "csv":
        assert response.data.startswith(b"\xef\xbb\xbf")


# The command line ------------------------------------------------------------------------


def test_cli_imports_with_progress_and_twice_changes_nothing(
    app: Flask, runner, tmp_path: Path
) -> None:
    with app.app_context():
        make_user(role="admin", email="admin@example.com")
        session.commit()
    localities = tmp_path / "localities.csv"
    rows = (
        ["name;country"]
        + [f"Kraj {n};SI" for n in range(60)]
        + [f"Город {n};KZ" for n in range(60)]
    )
    localities.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", "localities", str(localities)])
    assert result.exit_code == 0, result.output
    assert "120 rows written" in result.output
    pairings = tmp_path / "pairings.csv"
    lines = ["locality_a,country_a,locality_b,country_b,stage"]
    lines += [f"Kraj {a},SI,Город {b},KZ,prospect" for a in range(60) for b in range(20)]
    pairings.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(args=["import", "pairings", str(pairings)])
    assert result.exit_code == 0, result.output
    assert "1,200 new" in result.output and "applying" in result.output
    assert count(app, Partnership) == 1200
    assert count(app, StageChange) == 1200
    result = runner.invoke(args=["import", "pairings", str(pairings)])
    assert "1,200 unchanged" in result.output
    assert count(app, StageChange) == 1200


def test_the_cli_notes_the_files_name_as_the_page_does(app: Flask, runner, tmp_path: Path) -> None:
    """Regression: the command line put the file's name into the history as it came, a line
    break or a direction override included."""
    with app.app_context():
        make_user(role="admin", email="admin@example.com")
        make_locality("Maribor")
        make_locality("Astana", country_code="KZ")
        session.commit()
    pairings = tmp_path / "Партнёрства\nҚызылорда\u202e.csv"
    pairings.write_text("locality_a,country_a,locality_b,country_b\nMaribor,SI,Astana,KZ\n")
    result = runner.invoke(args=["import", "pairings", str(pairings)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert (
            session.scalar(select(StageChange.note)) == "Imported from Партнёрства Қызылорда .csv"
        )


def test_cli_errors_dry_run_valid_only_and_mapping(app: Flask, runner, tmp_path: Path) -> None:
    with app.app_context():
        make_user(role="admin", email="admin@example.com")
        session.commit()
    path = tmp_path / "places.csv"
    path.write_text("Town,Nation\nPtuj,SI\nNowhere,XX\n", encoding="utf-8")
    mapping = ["--map", "Town=name", "--map", "Nation=country"]
    result = runner.invoke(args=["import", "localities", str(path), *mapping])
    assert result.exit_code == 1
    assert "row 3: country:" in result.output and "Nothing was imported" in result.output
    result = runner.invoke(args=["import", "localities", str(path), "--dry-run", *mapping])
    assert result.exit_code == 0 and "Dry run" in result.output
    assert count(app, Locality) == 0
    result = runner.invoke(args=["import", "localities", str(path), "--valid-only", *mapping])
    assert result.exit_code == 0 and "1 row written" in result.output
    assert count(app, Locality) == 1
    result = runner.invoke(args=["import", "localities", str(path)])
    assert result.exit_code == 2 and "Local name" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    result = runner.invoke(args=["import", "localities", str(empty)])
    assert result.exit_code == 2 and "empty" in result.output
    # Two headings mapped to one column that does not exist: a KeyError before the message.
    twice = ["--map", "Town=bogus", "--map", "Nation=bogus"]
    result = runner.invoke(args=["import", "localities", str(path), *twice])
    assert result.exit_code == 2 and "Unknown column “bogus”" in result.output
    assert count(app, Locality) == 1


def test_page_counts_match(app: Flask, client: FlaskClient, login_as: Callable[..., int]) -> None:
    login_as()
    token = upload(client, "localities", LOCALITIES.encode())
    assert preview(client, token) == 302
    page = client.get(f"/imports/{token}").get_data(as_text=True)
    assert re.search(r"Preview: 3 rows", page)
    assert "Import 3 rows" in page
