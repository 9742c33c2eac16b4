"""`tutela ingest` and `tutela voicemail`: JSON summaries and exit codes 0/1/2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.cli_runner import Ran, tutela
from tests.conftest import fresh_sqlite_data
from tests.factories import StaffUser, signed_in, staff_in
from tests.samples import TELEPHONY
from tutela.audit.log import audit_log
from tutela.collect.accounts.contacts import open_account
from tutela.config import Settings
from tutela.store.db import open_store
from tutela.store.models import AuditEntry

SPOOL = Path(__file__).parent / "collect" / "data" / "voicemail_spool"
ASTERISK = TELEPHONY / "asterisk_cdr_csv"


def run(*args: str, staff: StaffUser | None = None) -> Ran:
    """`tutela args` in this process, with no TUTELA_* setting but `staff`'s."""
    return tutela(*args, env=signed_in(staff) if staff else {}, clean_env=True)


@pytest.fixture
def data(tmp_path: Path, sqlite_template: Path) -> Path:
    fresh_sqlite_data(tmp_path / "data", sqlite_template)
    store = open_store(Settings(data=tmp_path / "data"))
    with store.session() as session:
        open_account(session, organization="Acme Dental", ref="default")
    store.close()
    return tmp_path / "data"


def _cdr(data: Path, name: str, *extra: str) -> Ran:
    return run(
        "ingest", "cdr", str(ASTERISK / name), "--format", "asterisk-csv",
        "--account", "default", "--data", str(data), "--json", *extra,
    )  # fmt: skip


@pytest.mark.clause("collect.service_use.call_records")
def test_clean_cdr_file_exits_0_then_reports_duplicates(data: Path) -> None:
    first = _cdr(data, "testsuite_cdrlib_good.csv")
    assert first.returncode == 0, first.stderr
    payload = json.loads(first.stdout)
    assert payload["ok"] is True
    assert {k: payload[k] for k in ("read", "stored", "duplicate", "rejected")} == {
        "read": 5, "stored": 5, "duplicate": 0, "rejected": 0,
    }  # fmt: skip
    assert payload["quarantine"] is None
    again = json.loads(_cdr(data, "testsuite_cdrlib_good.csv").stdout)
    assert (again["stored"], again["duplicate"]) == (0, 5)


@pytest.mark.clause("collect.service_use.call_records")
def test_rejected_row_exits_1_with_quarantine_path(data: Path) -> None:
    result = _cdr(data, "testsuite_cdrlib_buggy_MALFORMED.csv")
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    assert payload["rejected"] == 1
    assert Path(payload["quarantine"]).is_file()
    assert '"Test User"' not in result.stderr  # excerpts never reach the terminal


@pytest.mark.clause("collect.service_use.call_records")
def test_unusable_file_exits_2_with_error_envelope(data: Path) -> None:
    cel = TELEPHONY / "asterisk_cel_csv" / "testsuite_CELMaster1.csv"
    result = run(
        "ingest",
        "cdr",
        str(cel),
        "--format",
        "asterisk-csv",
        "--data",
        str(data),
        "--json",
    )
    assert result.returncode == 2
    payload = json.loads(result.stdout)
    assert payload["ok"] is False and payload["status"] == 400


def test_unknown_format_exits_2(data: Path) -> None:
    result = _cdr(data, "testsuite_cdrlib_good.csv", "--format", "nope")
    assert result.returncode == 2


@pytest.mark.clause("collect.service_use.voicemail")
def test_voicemail_ingest_list_and_delete(data: Path) -> None:
    result = run("ingest", "voicemail", str(SPOOL), "--data", str(data), "--json")
    assert result.returncode == 1  # the sample spool has broken messages
    assert json.loads(result.stdout)["stored"] == 3
    agent = staff_in(data, "support_agent")
    engineer = staff_in(data, "engineering")
    listing = ("voicemail", "list", "--data", str(data), "--json")
    with open_store(Settings(data=data)) as store:
        start = audit_log(store).head()[0]
    listed = json.loads(run(*listing, staff=agent).stdout)
    assert listed["count"] == 3
    first = listed["data"][0]["id"]
    # The listing is a read through the purpose gate, audited as that person
    # (the ingest's own reads are the write path's, audited as its job).
    with open_store(Settings(data=data)) as store, store.session() as session:
        grants = session.execute(
            select(AuditEntry.actor, AuditEntry.purpose, AuditEntry.details).where(
                AuditEntry.action == "use.grant", AuditEntry.seq > start
            )
        ).all()
    assert [(actor, purpose) for actor, purpose, _ in grants] == [
        (agent.actor, "deliver_services")
    ]
    details = json.loads(grants[0][2])
    assert (details["tables"], details["rows"]) == (["accounts", "voicemails"], 3)
    delete = ("voicemail", "delete", str(first), "--data", str(data), "--json")
    # Engineering may look (deliver_services) but not delete for a customer.
    refused = run(*delete, staff=engineer)
    assert refused.returncode == 2 and json.loads(refused.stdout)["status"] == 403
    assert run(*delete).returncode == 2  # nobody signed in
    deleted = run(*delete, staff=agent)
    assert deleted.returncode == 0, deleted.stderr
    listed = json.loads(run(*listing, staff=agent).stdout)
    assert listed["count"] == 2
    missing = run(*delete, staff=agent)
    assert missing.returncode == 2
    with open_store(Settings(data=data)) as store, store.session() as session:
        deleters = session.scalars(
            select(AuditEntry.actor).where(AuditEntry.action == "voicemail.delete")
        ).all()
    assert deleters == [agent.actor]
