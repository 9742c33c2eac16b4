"""Schemathesis against /openapi.json of a running server: no 500, answers match the schema.

Clauses: secure.measures (hostile and malformed requests get a clear 4xx,
never a crash) and rights.access.request (the access-request API answers
in its documented shape, also when rate-limited).

A real uvicorn server on loopback serves the demo-like world of
`portal_world`; schemathesis reads the server's own schema and generates
requests for every operation (valid and invalid ones), bounded by
`EXAMPLES` per operation. API calls carry a token of a user the endpoint is
for, so requests get past sign-in and reach the handlers. Checked: no 5xx,
each documented response matches its schema and content type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import APIOperation
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
)
from schemathesis.core.failures import FailureGroup

from tests.tally import tried
from tests.web.live import live_server
from tests.web.portal_world import build_world
from tutela.auth.signin import issue_api_token
from tutela.config import Settings
from tutela.store.db import Store
from tutela.web.app import create_app

pytestmark = pytest.mark.clause("secure.measures")

EXAMPLES = 12
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def base_url(store: Store, settings: Settings, tmp_path: Path) -> Iterator[str]:
    build_world(store, tmp_path / "spool")
    with live_server(create_app(settings)) as url:
        yield url


def _headers(path: str, tokens: dict[str, str]) -> dict[str, str]:
    """A token of a user the endpoint is for (customers' voicemail, staff report)."""
    if path.startswith("/api/voicemails"):
        return {"Authorization": f"Bearer {tokens['customer']}"}
    if path.startswith("/api/web/report"):
        return {"Authorization": f"Bearer {tokens['engineer']}"}
    return {}


def _fuzzer(
    operation: APIOperation[Any, Any, Any, Any],
    base_url: str,
    http: requests.Session,
    headers: dict[str, str],
) -> Callable[[], int]:
    """A bounded hypothesis run over one operation; returns how many it sent."""

    def run() -> int:
        sent = 0

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(data=st.data())
        def exercise(data: st.DataObject) -> None:
            nonlocal sent
            case = data.draw(operation.as_strategy())
            case.call_and_validate(
                base_url=base_url, session=http, headers=headers, checks=CHECKS
            )
            sent += 1

        exercise()
        return sent

    return run


@pytest.mark.clause("rights.access.request")
def test_no_generated_request_crashes_the_server_or_breaks_the_schema(
    base_url: str, store: Store
) -> None:
    tokens = {
        "customer": issue_api_token(store, email="admin@acme.test"),
        "engineer": issue_api_token(store, email="engineering@staff.test"),
    }
    schema = schemathesis.openapi.from_url(base_url + "/openapi.json")
    sent = 0
    operations = 0
    failures: list[str] = []
    with requests.Session() as http:
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]  # Err raises
            operations += 1
            exercise = _fuzzer(
                operation, base_url, http, _headers(operation.path, tokens)
            )
            try:
                sent += exercise()
            except (AssertionError, FailureGroup) as failure:
                failures.append(f"{operation.label}: {str(failure)[:600]}")

    assert operations >= 10
    assert not failures, "\n\n".join(failures)
    tried("API requests fuzzed (schemathesis)", sent)
