"""The API's envelope: authentication, content types, error shapes, and the OpenAPI document."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from flask import Flask, request
from flask.testing import FlaskClient
from openapi_spec_validator import validate
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from crm.api.openapi import OPERATIONS, document
from crm.auth.models import User
from crm.auth.tokens import ApiToken, revoke_token
from crm.db import session
from crm.error_pages import api_message
from crm.partnerships.models import Stage
from crm.partnerships.stages import rename_stage, stage_by_key
from crm.sectors.models import Sector
from crm.sectors.services import rename_sector
from tests.api.conftest import Api
from tests.factories import make_locality, make_partnership


def test_no_token_is_401_with_a_bearer_challenge(client: FlaskClient) -> None:
    response = client.get("/api/v1/partnerships")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["error"]["code"] == "unauthorized"


def test_a_session_cookie_without_a_token_is_401(
    client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as("admin")
    assert client.get("/board").status_code == 200
    assert client.get("/api/v1/partnerships").status_code == 401


@pytest.mark.parametrize("header", ["Bearer twn_wrong", "Basic dXNlcjpwYXNz", "twn_", ""])
def test_wrong_credentials_are_401(client: FlaskClient, header: str) -> None:
    assert client.get("/api/v1/stages", headers={"Authorization": header}).status_code == 401


def test_revoked_tokens_and_deactivated_users_are_401(app: Flask, api: Api) -> None:
    assert api.get("/stages").status_code == 200
    with app.app_context():
        revoke_token(session.scalar(select(ApiToken)))
        session.commit()
    assert api.get("/stages").status_code == 401


def test_deactivated_users_tokens_stop_working(app: Flask, api: Api) -> None:
    with app.app_context():
        session.get(User, api.user_id).is_active = False
        session.commit()
    assert api.get("/stages").status_code == 401


def test_bodies_must_be_json(api: Api) -> None:
    form = api.call("POST", "/localities", data={"name": "x"})
    assert form.status_code == 415
    broken = api.call("POST", "/localities", data="{not json", content_type="application/json")
    assert broken.status_code == 400
    assert broken.get_json()["error"]["code"] == "bad_request"
    empty = api.call("POST", "/localities", data="", content_type="application/json")
    assert empty.status_code == 400


def test_unknown_paths_and_methods_answer_in_json(api: Api) -> None:
    missing = api.get("/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong_method = api.call("DELETE", "/stages")
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["error"]["code"] == "method_not_allowed"
    huge_id = api.get("/partnerships/99999999999999999999")
    assert huge_id.status_code == 404


def test_a_method_the_path_does_not_take_is_405_with_allow_and_the_apis_headers(
    app: Flask, api: Api
) -> None:
    with app.app_context():
        partnership_id = make_partnership().id
        session.commit()
    response = api.call("PUT", f"/partnerships/{partnership_id}")
    assert response.status_code == 405
    # RFC 9110: a 405 lists what the path takes (HEAD and OPTIONS Flask answers itself).
    allowed = {method.strip() for method in response.headers["Allow"].split(",")}
    assert allowed == {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_an_unknown_path_has_the_apis_headers(api: Api) -> None:
    response = api.get("/nothing-here")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Cache-Control"] == "no-store"


def test_too_large_bodies_are_413(api: Api) -> None:
    response = api.call(
        "POST", "/localities", data="[" + "1," * 1_500_000 + "1]", content_type="application/json"
    )
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


@pytest.mark.parametrize("language", ["en", "ru"])
def test_a_too_large_body_is_refused_in_the_apis_words(api: Api, language: str) -> None:
    """Regression: the message was werkzeug's ("The data value transmitted exceeds the capacity
    limit."), where every other error is the API's own; like them it is English whatever the
    client's language (README: Languages)."""
    response = api.call(
        "POST",
        "/localities",
        data="[" + "1," * 1_500_000 + "1]",
        content_type="application/json",
        headers={"Accept-Language": language},
    )
    assert response.status_code == 413
    assert response.get_json() == {
        "error": {
            "code": "too_large",
            "message": "The request body is larger than the limit of 2 MB.",
            "fields": {},
        }
    }


def test_localities_round_trip(app: Flask, api: Api) -> None:
    created = api.post(
        "/localities",
        {
            "name": "Қызылорда облысы",
            "name_en": "Kyzylorda Region",
            "kind": "region",
            "country": "kz",
            "subdivision_code": "KZ-43",
        },
    )
    assert created.status_code == 201
    body = created.get_json()
    assert (body["country"], body["country_name"], body["subdivision_code"]) == (
        "KZ",
        "Kazakhstan",
        "KZ-43",
    )
    assert api.get(f"/localities/{body['id']}").get_json() == body
    found = api.get("/localities?q=kyzylorda").get_json()["items"]
    assert [item["id"] for item in found] == [body["id"]]
    patched = api.patch(
        f"/localities/{body['id']}", {"version": body["version"], "name_en": "Qyzylorda Region"}
    )
    assert patched.get_json()["name_en"] == "Qyzylorda Region"
    assert patched.get_json()["name"] == "Қызылорда облысы"
    stale = api.patch(f"/localities/{body['id']}", {"version": body["version"], "name": "X"})
    assert stale.status_code == 409
    bad = api.post(
        "/localities",
        {"name": "Y", "kind": "region", "country": "KZ", "subdivision_code": "KZ-KZY"},
    )
    assert bad.status_code == 422
    assert "subdivision_code" in bad.get_json()["error"]["fields"]


def test_stages_and_sectors(api: Api) -> None:
    stages = api.get("/stages").get_json()["items"]
    assert [stage["key"] for stage in stages][:3] == [
        "prospect",
        "exploratory_talks",
        "agreement_in_principle",
    ]
    sectors = {sector["slug"] for sector in api.get("/sectors").get_json()["items"]}
    assert "water-resources-management" in sectors


def test_stages_and_sectors_carry_their_version(app: Flask, api: Api) -> None:
    """Regression: a rename in the app checks the version (migration d4b1e7a2c958), which the
    API's lists left out, so a client could not tell a renamed stage or sector from before."""
    with app.app_context():
        stage_versions = dict(session.execute(select(Stage.key, Stage.version)).all())
        sector_versions = dict(session.execute(select(Sector.slug, Sector.version)).all())
    stages = api.get("/stages").get_json()["items"]
    assert {stage["key"]: stage["version"] for stage in stages} == stage_versions
    sectors = api.get("/sectors").get_json()["items"]
    assert {sector["slug"]: sector["version"] for sector in sectors} == sector_versions
    with app.app_context():
        rename_stage(stage_by_key("prospect"), "Prospects", expected_version=1, language="en")
        rename_sector(
            session.scalars(select(Sector).where(Sector.slug == "culture")).one(),
            "Культура",
            expected_version=1,
            language="ru",
        )
        session.commit()
    stages = api.get("/stages").get_json()["items"]
    assert (stages[0]["name"], stages[0]["version"]) == ("Prospects", 2)
    sectors = {sector["slug"]: sector for sector in api.get("/sectors").get_json()["items"]}
    # A rename in another language moves the version on too; the API still says the English.
    assert (sectors["culture"]["name"], sectors["culture"]["version"]) == ("Culture", 2)


def test_openapi_document_is_valid_and_public(client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.1")
    assert "PartnershipOut" in spec["components"]["schemas"]


def test_every_api_route_is_documented_and_every_documented_route_exists(app: Flask) -> None:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_document":
            continue
        path = rule.rule.removeprefix("/api/v1")
        for argument in rule.arguments:
            path = path.replace(f"<id:{argument}>", f"{{{argument}}}")
            path = path.replace(f"<{argument}>", f"{{{argument}}}")
        routes |= {(method.lower(), path) for method in rule.methods - {"HEAD", "OPTIONS"}}
    documented = {(op.method, op.path) for op in OPERATIONS}
    assert routes == documented
    assert set(document()["paths"]) == {op.path for op in OPERATIONS}


def test_token_command_prints_the_token_last(app: Flask, runner) -> None:
    with app.app_context():
        from tests.factories import make_user

        make_user(email="dana@example.com")
        session.commit()
    result = runner.invoke(args=["users", "token", "dana@example.com", "--name", "sync"])
    assert result.exit_code == 0, result.output
    secret = result.output.strip().splitlines()[-1]
    assert secret.startswith("twn_")
    with app.app_context():
        token = session.scalar(select(ApiToken))
        assert token.name == "sync"
        assert secret not in token.token_hash  # only the hash is kept
    response = app.test_client().get(
        "/api/v1/stages", headers={"Authorization": f"Bearer {secret}"}
    )
    assert response.status_code == 200
    unknown = runner.invoke(args=["users", "token", "nobody@example.com"])
    assert unknown.exit_code == 1
    assert "There is no account" in unknown.output


def test_tokens_page_creates_shows_once_and_revokes(
    app: Flask, client: FlaskClient, login_as: Callable[..., int]
) -> None:
    login_as()
    created = client.post("/account/tokens", data={"name": "chamber sync"})
    page = created.get_data(as_text=True)
    assert created.status_code == 200
    assert "Copy it now" in page
    with app.app_context():
        token = session.scalar(select(ApiToken))
        token_id = token.id
    secret = page.split('class="token-value" readonly value="')[1].split('"')[0]
    assert client.get("/account/tokens").get_data(as_text=True).count(secret) == 0
    assert (
        client.get("/api/v1/stages", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 200
    )

    client.post(f"/account/tokens/{token_id}/revoke")
    assert (
        client.get("/api/v1/stages", headers={"Authorization": f"Bearer {secret}"}).status_code
        == 401
    )
    assert client.post("/account/tokens", data={"name": ""}).status_code == 422


def test_users_cannot_revoke_each_others_tokens(
    app: Flask, client: FlaskClient, login_as: Callable[..., int], token_for: Callable
) -> None:
    token_for("officer")
    with app.app_context():
        token_id = session.scalar(select(ApiToken.id))
    login_as()
    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    with app.app_context():
        assert session.get(ApiToken, token_id).revoked_at is None


def test_locality_names_keep_their_script_in_json(app: Flask, api: Api) -> None:
    with app.app_context():
        locality_id = make_locality("Қызылорда", country_code="KZ").id
        session.commit()
    assert api.get(f"/localities/{locality_id}").get_json()["name"] == "Қызылорда"


def test_a_limit_of_no_whole_megabytes_is_given_in_bytes(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It read "1.90735 MB" for a limit set in decimal bytes."""
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2_000_000)  # this test's alone
    with app.test_request_context("/api/v1/localities", method="POST"):
        message = api_message(RequestEntityTooLarge())
    assert message == "The request body is larger than the limit of 2,000,000 bytes."


def _multipart(*parts: tuple[str, bytes, str | None]) -> bytes:
    """A multipart/form-data body (boundary "b0undary") of (name, content, file name) parts."""
    body = b""
    for name, content, filename in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        body += f"--b0undary\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content
        body += b"\r\n"
    return body + b"--b0undary--\r\n"


@pytest.mark.parametrize(
    ("body", "chunked", "message"),
    [
        (
            _multipart(*((f"f{i}", b"x", None) for i in range(1_001))),
            False,
            "The multipart form has more than 1,000 parts.",
        ),
        (
            _multipart(("summary", b"x" * 500_001, None)),
            False,
            "A field of the multipart form is larger than the limit of 500,000 bytes.",
        ),
        # Parts over more than one of the parser's reads (64 KiB), sent chunked; a field too
        # large among as many parts as allowed.
        (
            _multipart(*((f"field{i:05}", b"y" * 60, None) for i in range(1_001))),
            True,
            "The multipart form has more than 1,000 parts.",
        ),
        (
            _multipart(*((f"f{i}", b"x", None) for i in range(999)), ("big", b"z" * 500_001, None)),
            False,
            "A field of the multipart form is larger than the limit of 500,000 bytes.",
        ),
        # Under both form limits, over the body's: read in chunks up to it, the body's limit.
        (
            _multipart(*((f"f{i}", b"z" * 2_500, None) for i in range(900))),
            True,
            "The request body is larger than the limit of 2 MB.",
        ),
    ],
    ids=["parts", "field", "parts-chunked", "1000-parts-one-too-large", "body-chunked"],
)
def test_a_form_over_werkzeugs_form_limits_says_which_limit(
    app: Flask, body: bytes, chunked: bool, message: str
) -> None:
    """Regression: werkzeug refuses a multipart form of more than MAX_FORM_PARTS parts, or with
    a field over MAX_FORM_MEMORY_SIZE bytes, with the same 413 as a body over the size limit,
    and the API said "The request body is larger than the limit of 2 MB." for a body well under
    it. (The API takes JSON alone and reads no form today; whatever reads one gets the words.)"""
    sent = {"headers": {"Transfer-Encoding": "chunked"}} if chunked else {}
    with app.test_request_context(
        "/api/v1/localities",
        method="POST",
        input_stream=io.BytesIO(body),
        content_length=None if chunked else len(body),
        content_type="multipart/form-data; boundary=b0undary",
        environ_overrides={"wsgi.input_terminated": True} if chunked else {},
        **sent,
    ):
        with pytest.raises(RequestEntityTooLarge) as refused:
            request.form.to_dict()
        assert api_message(refused.value) == message
