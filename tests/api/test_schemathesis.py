"""Property-based: generated requests against every operation of the OpenAPI document.

Schemathesis builds requests from the document, valid ones and invalid ones, and sends them
through the WSGI app; each answer must not be a server error and must match the documented
status codes, content type and response schema. Runs on whichever database the suite runs on.
"""

from __future__ import annotations

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from crm.api.openapi import OPERATIONS
from crm.auth.tokens import issue_token
from crm.db import session
from tests.factories import make_locality, make_partnership, make_user

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
@pytest.mark.parametrize(
    "operation", OPERATIONS, ids=[f"{op.method.upper()} {op.path}" for op in OPERATIONS]
)
def test_api_conforms_to_its_document(app: Flask, operation: object, mode: GenerationMode) -> None:
    with app.app_context():
        admin = make_user(role="admin")
        maribor = make_locality("Maribor")
        make_partnership(maribor, make_locality("Қызылорда", country_code="KZ"), owner=admin)
        _, secret = issue_token(admin, "schemathesis")
        session.commit()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    api_operation = schema[operation.path][operation.method.upper()]
    headers = {"Authorization": f"Bearer {secret}"}

    @given(case=api_operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=20, deadline=None, suppress_health_check=list(HealthCheck), database=None
    )
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=headers, checks=CHECKS)

    check()
