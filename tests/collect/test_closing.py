"""Closing an account ends "while customer": the former-customer rules erase its data.

Clauses: collect.requested, collect.volunteered, collect.service_use.call_records,
collect.service_use.call_recordings ("kept while the business is a customer,
then as the law requires": legal holds keep a category with its reason and
end), collect.service_use.voicemail (audio crypto-shredded). Driven through
the real `tutela` command (in this process); the erasure on PostgreSQL too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import pytest
from sqlalchemy import func, select

from tests.cli_runner import tutela as run_tutela
from tests.factories import add_staff, staff_env
from tests.rights.test_export import build_world
from tutela.audit.log import audit_log
from tutela.collect.quarantine import quarantine_dir
from tutela.config import Settings
from tutela.store.blobs import BLOB_DIR
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    AuditEntry,
    Base,
    CallRecord,
    CallRecording,
    Communication,
    IngestRun,
    PaymentMethod,
    Person,
    PortingRequest,
    Voicemail,
)

TAX_HOLD = [{"category": "payment", "reason": "tax records", "days": 2555}]


def tutela(settings: Settings, env: dict[str, str], *args: str) -> tuple[int, Any]:
    done = run_tutela(*args, "--json", env=env, clean_env=True)
    return done.returncode, json.loads(done.stdout) if done.stdout else None


def count(store: Store, model: type[Base], account_id: int) -> int:
    table = model.__table__
    query = select(func.count()).select_from(table)
    with store.session() as s:
        return int(
            s.execute(query.where(table.c.account_id == account_id)).scalar_one()
        )


def blob_files(settings: Settings) -> int:
    return sum(1 for p in (settings.data / BLOB_DIR).rglob("*") if p.is_file())


@pytest.mark.postgresql
@pytest.mark.clause("collect.requested")
@pytest.mark.clause("collect.volunteered")
@pytest.mark.clause("collect.service_use.call_records")
@pytest.mark.clause("collect.service_use.call_recordings")
def test_a_closed_account_loses_its_data_except_what_a_legal_hold_keeps(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    env = staff_env(settings, add_staff(store)) | {
        "TUTELA_LEGAL_HOLDS": json.dumps(TAX_HOLD)
    }
    files_before = blob_files(settings)
    code, closed = tutela(settings, env, "accounts", "close", "ACME-1")
    assert code == 0 and closed["account_id"] == world.acme
    with store.session() as s:
        acme = s.get(Account, world.acme)
        assert acme is not None and acme.status == "closed" and acme.closed_at
        actions = [e.action for e in s.scalars(select(AuditEntry))]
    assert "account.closed" in actions
    assert count(store, CallRecord, world.acme) > 0  # nothing goes at closing

    code, swept = tutela(settings, env, "retention", "run")
    assert code == 0
    former = swept["former_customers"]
    assert former["accounts"] == [world.acme]
    assert former["held"]["payment"]["reason"] == "tax records"
    gone: list[type[Base]] = [CallRecord, CallRecording, Voicemail, Communication]
    gone += [Person, PortingRequest]
    for model in gone:
        assert count(store, model, world.acme) == 0, model
    assert count(store, PaymentMethod, world.acme) == 1  # held for tax
    assert blob_files(settings) < files_before  # audio shredded
    # The other customer keeps everything.
    kept: list[type[Base]] = [CallRecord, Voicemail, Communication, Person]
    kept.append(PaymentMethod)
    for model in kept:
        assert count(store, model, world.other) > 0, model
    assert audit_log(store).verify().ok

    # A re-run changes nothing; once the hold ends, the card goes too.
    code, again = tutela(settings, env, "retention", "run")
    assert code == 0 and sum(again["former_customers"]["deleted"].values()) == 0
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2556)).isoformat()
    code, swept = tutela(settings, env, "retention", "run", "--now", later[:19])
    assert code == 0 and swept["former_customers"]["held"] == {}
    assert count(store, PaymentMethod, world.acme) == 0


def test_closing_waits_for_the_former_customer_period(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    env = staff_env(settings, add_staff(store)) | {"TUTELA_FORMER_CUSTOMER_DAYS": "30"}
    assert tutela(settings, env, "accounts", "close", "ACME-1")[0] == 0
    code, swept = tutela(settings, env, "retention", "run")
    assert code == 0 and swept["former_customers"]["accounts"] == []
    assert count(store, CallRecord, world.acme) > 0
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=31)).isoformat()[:19]
    code, swept = tutela(settings, env, "retention", "run", "--now", later)
    assert code == 0 and swept["former_customers"]["accounts"] == [world.acme]
    assert count(store, CallRecord, world.acme) == 0


def test_closing_is_refused_twice_for_unknown_accounts_and_bad_holds(
    store: Store, settings: Settings
) -> None:
    world = build_world(store, settings)
    env = staff_env(settings, add_staff(store))
    assert tutela(settings, env, "accounts", "close", "ACME-1")[0] == 0
    code, again = tutela(settings, env, "accounts", "close", "ACME-1")
    assert code != 0 and again["ok"] is False and "already closed" in again["error"]
    code, unknown = tutela(settings, env, "accounts", "close", "NOPE-9")
    assert code != 0 and unknown["status"] == 404
    bad = env | {
        "TUTELA_LEGAL_HOLDS": json.dumps([{**TAX_HOLD[0], "category": "taxes"}])
    }
    code, refused = tutela(settings, bad, "retention", "run")
    assert code == 2 and "TUTELA_LEGAL_HOLDS" in refused["error"]
    assert count(store, CallRecord, world.acme) > 0  # nothing erased


def test_quarantine_files_expire_after_their_period(
    store: Store, settings: Settings
) -> None:
    root = quarantine_dir(settings.data)
    root.mkdir(parents=True, exist_ok=True)
    old = root / "cdr-old.jsonl"
    old.write_text('{"excerpt": "+14155550123"}\n')
    fresh = root / "cdr-fresh.jsonl"
    fresh.write_text('{"excerpt": "+14155550199"}\n')
    long_ago = (dt.datetime.now(dt.UTC) - dt.timedelta(days=91)).timestamp()
    os.utime(old, (long_ago, long_ago))
    with store.session() as s:
        s.add(
            IngestRun(
                kind="cdr",
                source_name="cdr.csv",
                status="done",
                quarantine_path=str(old),
                started_at=dt.datetime.now(dt.UTC),
            )
        )
    env = staff_env(settings, add_staff(store))
    code, swept = tutela(settings, env, "retention", "run")
    assert code == 0 and swept["quarantine_files_deleted"] == 1
    assert not old.exists() and fresh.exists()
    with store.session() as s:
        assert s.scalars(select(IngestRun.quarantine_path)).one() is None
