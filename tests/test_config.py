"""Settings: the public address every link in mail and exports starts with.

Clauses: rights.access (the export's download link reaches the subject at the
address the pages are served from), changes.notice (the notice of a new policy
version points at the published policy).
"""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from tests.cli_runner import tutela
from tests.rights.test_export import build_world, verified_case
from tutela.config import Settings, load_settings
from tutela.errors import InvalidInput
from tutela.rights.export import export_case
from tutela.store.db import Store
from tutela.store.models import OutboxMessage


def test_links_default_to_the_address_tutela_serve_listens_on() -> None:
    settings = Settings(host="10.1.2.3", port=8443)
    assert settings.public_link("/policy") == "http://10.1.2.3:8443/policy"
    assert Settings(host="::1").public_link("policy") == "http://[::1]:8000/policy"


def test_the_public_url_replaces_host_and_port_in_links() -> None:
    settings = Settings(public_url=" https://privacy.example.com/jive/ ")
    assert settings.public_url == "https://privacy.example.com/jive"
    assert (
        settings.public_link("/rights/download/abc")
        == "https://privacy.example.com/jive/rights/download/abc"
    )


@pytest.mark.parametrize(
    "bad",
    ["privacy.example.com", "ftp://privacy.example.com", "https://", "https://x/?a=1"],
)
def test_a_public_url_that_is_not_an_absolute_web_address_is_refused(
    bad: str,
) -> None:
    with pytest.raises(ValidationError, match="public_url"):
        Settings(public_url=bad)


@pytest.mark.clause("rights.access")
def test_the_mailed_download_link_starts_with_the_public_url(
    store: Store, settings: Settings
) -> None:
    public = settings.model_copy(update={"public_url": "https://privacy.example.com"})
    build_world(store, public)
    case_id = verified_case(store, public, "ann@example.com")
    result = export_case(store, case_id, settings=public)
    assert result.link.startswith("https://privacy.example.com/rights/download/")
    with store.session() as session:
        bodies = list(
            session.scalars(
                select(OutboxMessage.body).where(OutboxMessage.kind == "sar_export")
            )
        )
    assert bodies and all(body and result.link in body for body in bodies)
    assert not any("127.0.0.1" in (body or "") for body in bodies)


@pytest.mark.clause("secure.measures")
@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("TUTELA_LEGAL_HOLDS", '[{"secret-hold": ', "is not valid JSON"),
        ("TUTELA_SMTP_PORT", "secret-port", "valid integer"),
        ("TUTELA_OUTBOX_RETRY_SECONDS", "-5", "greater than or equal to 0"),
    ],
)
def test_a_malformed_setting_is_a_usage_error_naming_the_variable_not_its_value(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, reason: str
) -> None:
    # The CLI's entry point, as a user runs it: exit 2, one line, no traceback.
    done = tutela("policy", "check", env={variable: value}, clean_env=True)
    assert done.returncode == 2, done.stderr
    assert variable in done.stderr and reason in done.stderr
    assert "secret" not in done.stderr and "Traceback" not in done.stderr
    with pytest.raises(InvalidInput) as refused:
        monkeypatch.setenv(variable, value)
        load_settings()
    assert refused.value.location.field == variable
