"""`tutela policy diff|publish|versions`: exit codes 0/1/2 and the --json envelope."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.changes.policies import (
    NEW_VERSION,
    PolicyData,
    add_recipient,
    category,
    reword_scope_sentence,
    write_variant,
)
from tests.cli_runner import Ran, tutela
from tests.factories import StaffUser, add_staff, staff_env
from tests.rights.conftest import Sink, message
from tutela.config import Settings
from tutela.policy.loader import DEFAULT_POLICY
from tutela.rights.intake import intake_message
from tutela.store.db import Store

SHIPPED = str(DEFAULT_POLICY)


def run(
    *args: str, settings: Settings | None = None, staff: StaffUser | None = None
) -> Ran:
    """`tutela args` in this process, with only the settings and staff given."""
    env: dict[str, str | None] = {}
    if settings is not None and staff is not None:
        env |= staff_env(settings, staff)
    if settings is not None:
        env["TUTELA_DATA"] = str(settings.data)
        if settings.database_url:
            env["TUTELA_DATABASE_URL"] = settings.database_url
        if settings.smtp_host:
            env["TUTELA_SMTP_HOST"] = settings.smtp_host
            env["TUTELA_SMTP_PORT"] = str(settings.smtp_port)
        if settings.public_url:
            env["TUTELA_PUBLIC_URL"] = settings.public_url
    return tutela(*args, env=env, clean_env=True)


def test_diff_of_identical_files_exits_0() -> None:
    result = run("policy", "diff", SHIPPED, SHIPPED, "--json")
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["ok"] is True and payload["identical"] is True
    assert payload["changes"] == []


def test_diff_of_different_files_exits_1_naming_each_change(tmp_path: Path) -> None:
    new = str(write_variant(tmp_path, reword_scope_sentence, add_recipient))
    result = run("policy", "diff", SHIPPED, new, "--json")
    assert result.returncode == 1, result.stderr
    payload = json.loads(result.stdout)
    assert (payload["old"], payload["new"]) == ("jive-2018-01-21", NEW_VERSION)
    assert payload["material"] is True
    assert [(c["kind"], c["subject"], c["material"]) for c in payload["changes"]] == [
        ("clause_changed", "intro.scope", False),
        ("recipient_added", "analytics_vendor", True),
    ]
    as_text = run("policy", "diff", SHIPPED, new)
    assert as_text.returncode == 1
    assert "[material] recipient_added analytics_vendor:" in as_text.stdout


def test_diff_of_an_invalid_file_exits_2_with_its_location(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("schema_version: 2\n", encoding="utf-8")
    result = run("policy", "diff", SHIPPED, str(broken))
    assert result.returncode == 2
    assert result.stdout == "" and str(broken) in result.stderr
    as_json = run("policy", "diff", str(broken), SHIPPED, "--json")
    assert as_json.returncode == 2
    envelope = json.loads(as_json.stdout)
    assert set(envelope) == {"ok", "error", "errors", "status"}
    assert envelope["ok"] is False and envelope["status"] == 400
    missing = run("policy", "diff", SHIPPED, str(tmp_path / "missing.yaml"))
    assert missing.returncode == 2


@pytest.mark.clause("changes.notice")
def test_publish_then_versions_through_the_cli_delivers_the_notice(
    store: Store, settings: Settings, sink: Sink, tmp_path: Path
) -> None:
    intake_message(store, message("policy_updates.eml"), settings=settings)
    mailing = settings.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": sink.port,
            "public_url": "https://privacy.example.com",
        }
    )
    first_officer, officer = add_staff(store), add_staff(store)
    first = run(
        "policy", "publish", SHIPPED, "--json", settings=mailing, staff=first_officer
    )
    assert first.returncode == 0, first.stderr
    assert json.loads(first.stdout)["version"]["announcements"] == 0

    new = str(write_variant(tmp_path, add_recipient))
    anonymous = run("policy", "publish", new, "--json", settings=mailing)
    assert anonymous.returncode == 2 and json.loads(anonymous.stdout)["status"] == 401
    second = run("policy", "publish", new, "--json", settings=mailing, staff=officer)
    assert second.returncode == 0, second.stderr
    published = json.loads(second.stdout)
    assert published["status"] == "published"
    assert published["version"]["announcements"] == 1
    assert published["delivery"]["sent"] == 1
    (notice,) = sink.to("bob@example.org")
    assert NEW_VERSION in notice["Subject"]
    # The notice points at the policy where people read it (TUTELA_PUBLIC_URL).
    assert "https://privacy.example.com/policy" in notice.get_content()

    again = run("policy", "publish", new, settings=mailing, staff=officer)
    assert again.returncode == 0 and "already published" in again.stdout
    assert len(sink.received) == 1

    listed = run("policy", "versions", "--json", settings=settings)
    assert listed.returncode == 0, listed.stderr
    versions = json.loads(listed.stdout)["versions"]
    assert [v["version"] for v in versions] == ["jive-2018-01-21", NEW_VERSION]
    assert versions[0]["published_by"] == first_officer.actor
    assert versions[1]["published_by"] == officer.actor
    assert versions[1]["material_changes"] == 1


def test_publish_refuses_a_file_that_fails_the_check(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    officer = add_staff(store)

    def drop_a_stored_field(data: PolicyData) -> None:
        category(data, "business_contact")["fields"].remove("postal_code")

    refused = run(
        "policy",
        "publish",
        str(write_variant(tmp_path, drop_a_stored_field)),
        "--json",
        settings=settings,
        staff=officer,
    )
    assert refused.returncode == 1
    envelope = json.loads(refused.stdout)
    assert envelope["ok"] is False and envelope["status"] == 409
    assert any("postal_code" in e for e in envelope["errors"])
    early = run(
        "policy",
        "publish",
        SHIPPED,
        "--effective-at",
        "2000-01-01",
        settings=settings,
        staff=officer,
    )
    assert early.returncode == 2 and "effective_at" in early.stderr
