"""An erased subject is gone from every table, blob, export and the index.

Clauses: rights.access (the export offers correction and deletion),
rights.access.request and rights.access.verification (an erasure comes in
by mail under its own heading, is verified by a code sent to the address
on file, and only then erases), collect.service_use.voicemail (audio is
crypto-shredded). The proof scans the database file (SQLite, after VACUUM)
or a `pg_dump` (PostgreSQL), every blob file and a fresh export of another
subject for the erased subject's values; the audit chain still verifies and
other people's values stay.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import String, Text, func, select

from tests.factories import enter_code
from tests.rights.conftest import Sink
from tests.rights.test_export import (
    ANN_DID,
    ANN_PHONE,
    BOB_PHONE,
    CAROL_PHONE,
    World,
    build_world,
)
from tutela.audit.log import audit_log
from tutela.config import Settings
from tutela.legal_holds import LegalHold
from tutela.mail import deliver
from tutela.policy.loader import load_policy_cached
from tutela.rights.cases import CaseView, show_case
from tutela.rights.erasure import erase_case
from tutela.rights.export.collect import collect_subject
from tutela.rights.intake import intake_message, open_request
from tutela.store import Clock
from tutela.store.blobs import BLOB_DIR
from tutela.store.db import Store
from tutela.store.models import (
    Base,
    CallRecord,
    Communication,
    Person,
    PhoneNumber,
    SarCase,
)

ANN_EMAIL = "ann@example.com"
# Ann's values: none may survive the erasure anywhere. Her desk line
# (ANN_DID) is the business's number: it stays on the account's list of
# lines, assigned to no one, and nowhere else.
ANN_VALUES = ("Ann Example", ANN_EMAIL, ANN_PHONE, "ann-mailbox")


def erasure_mail(subject: str = "Request for Deletion of Personal Data") -> bytes:
    return (
        "Return-Path: <ann@example.com>\r\n"
        "Authentication-Results: mx.jive.example; dkim=pass header.d=example.com;"
        " spf=pass smtp.mailfrom=example.com; dmarc=pass header.from=example.com\r\n"
        "From: Ann Example <ann@example.com>\r\n"
        "To: legal@jive.com\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 02 Mar 2026 09:15:00 +0000\r\n"
        "Message-ID: <erase-1@example.com>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
        "Please delete everything you hold about me.\r\n"
    ).encode()


def code_in(sink: Sink, address: str) -> str:
    for msg in reversed(sink.to(address)):
        found = re.search(r"confirm: (\d{8})", msg.get_content())
        if found:
            return found.group(1)
    raise AssertionError("no code was mailed")


def database_bytes(store: Store, settings: Settings) -> bytes:
    """Everything the database holds, as bytes: the file, or a pg_dump."""
    if store.engine.dialect.name == "sqlite":
        db = settings.sqlite_path
        store.engine.dispose()
        raw = sqlite3.connect(db, isolation_level=None)
        try:
            raw.execute("VACUUM")
            raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
        parts = [db, db.with_name(db.name + "-wal")]
        return b"".join(p.read_bytes() for p in parts if p.exists())
    url = store.engine.url
    bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))[-1]
    dump = subprocess.run(
        [
            str(bindir),
            "--no-owner",
            "-h",
            str(url.host),
            "-p",
            str(url.port),
            "-U",
            str(url.username),
            str(url.database),
        ],
        capture_output=True,
        check=True,
        env={"PGPASSWORD": str(url.password or "")},
    )
    return dump.stdout


def tables_holding(store: Store, value: str) -> list[str]:
    """Which tables hold `value` in a text column (to say where a value was left)."""
    found = []
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if not isinstance(column.type, String | Text):
                    continue
                hit = conn.execute(
                    select(func.count())
                    .select_from(table)
                    .where(func.lower(column).contains(value.lower()))
                ).scalar()
                if hit:
                    found.append(f"{table.name}.{column.name}")
    return found


def blob_bytes(settings: Settings) -> bytes:
    root = settings.data / BLOB_DIR
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file())


def erase_after_notice(
    store: Store, case_id: int, settings: Settings, clock: Clock
) -> CaseView:
    """`sar erase` twice: the notice and schedule, then, after the cooling-off, the erasure."""
    scheduled = erase_case(store, case_id, actor="staff:1", settings=settings)
    assert scheduled.state == "verified" and scheduled.erase_after is not None
    clock.advance(dt.timedelta(days=settings.erasure_cooling_off_days, minutes=1))
    return erase_case(store, case_id, actor="staff:1", settings=settings)


def ann_verified_erasure(store: Store, settings: Settings, sink: Sink) -> int:
    case_id = intake_message(store, erasure_mail(), settings=settings).case_id
    assert case_id is not None
    deliver(store, settings)
    assert enter_code(store, settings, case_id, code_in(sink, ANN_EMAIL)).verified
    return case_id


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
@pytest.mark.clause("rights.access.verification")
@pytest.mark.clause("collect.service_use.voicemail")
def test_an_erased_subject_is_gone_from_every_table_blob_and_export(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    world: World = build_world(store, mail_settings)
    # Her earlier access request through the web form, and a subscription.
    open_request(store, email=ANN_EMAIL, settings=mail_settings, channel="web")
    case_id = ann_verified_erasure(store, mail_settings, sink)
    assert show_case(store, case_id).kind == "erasure"
    before = database_bytes(store, mail_settings)
    assert ANN_EMAIL.encode() in before and b"Carol Other" in before

    view = erase_after_notice(store, case_id, mail_settings, clock)

    assert view.state == "fulfilled"
    assert view.outcome is not None
    categories = view.outcome["categories"]
    assert isinstance(categories, dict)
    assert categories["call_records"] == {"erased": True}
    assert categories["payment"]["erased"] is False
    recipients = view.outcome["recipients_to_inform"]
    assert isinstance(recipients, list)
    assert [r["recipient"] for r in recipients] == ["payment_processor"]
    deliver(store, mail_settings)
    (answer,) = [
        m for m in sink.to(ANN_EMAIL) if "erasure request" in str(m["Subject"])
    ]
    text = answer.get_content()
    assert "Erased: " in text and "payment processor" not in text
    assert "payment_processor: ask to erase their copy" in text

    # The one trace left: who asked for this erasure (she did), as evidence.
    assert tables_holding(store, ANN_EMAIL) == ["sar_cases.erasure_requester"]
    with store.session() as s:
        asked = s.get(SarCase, case_id)
        assert asked is not None and asked.erasure_requester == ANN_EMAIL
        asked.erasure_requester = None  # to scan for every other trace of her
    dumped = database_bytes(store, mail_settings)
    blobs = blob_bytes(mail_settings)
    for value in ANN_VALUES:
        for form in {value, value.lower()}:
            assert form.encode() not in dumped, tables_holding(store, value)
            assert form.encode() not in blobs
    assert world.vm_audio not in blobs
    assert tables_holding(store, ANN_DID) == ["phone_numbers.e164"]
    # Other people's values stay.
    for other in ("Carol Other", "carol@other.example", CAROL_PHONE, BOB_PHONE):
        assert other.encode() in dumped
    assert audit_log(store).verify().ok
    with store.session() as s:
        assert s.get(Person, world.ann) is None
        line = s.scalars(select(PhoneNumber).where(PhoneNumber.e164 == ANN_DID)).one()
        assert line.assignee_id is None
        assert s.get(Person, world.bob) is not None
        carol_msg = s.get(Communication, world.ticket_mentioning_ann)
        assert carol_msg is not None and "[erased]" in carol_msg.body
        case = s.get(SarCase, case_id)
        assert case is not None and case.requester_address is None
    # A fresh export (Carol's) carries nothing of Ann's either.
    policy = load_policy_cached(mail_settings.policy_file)
    carol = collect_subject(store, [world.carol], policy=policy)
    exported = json.dumps([s.rows for s in carol.sections], default=str)
    for value in ANN_VALUES:
        assert value not in exported


@pytest.mark.clause("collect.service_use.call_records")
def test_a_legal_hold_keeps_its_category_and_says_why_and_until_when(
    store: Store, mail_settings: Settings, sink: Sink, clock: Clock
) -> None:
    world = build_world(store, mail_settings)
    hold = LegalHold(category="call_records", reason="billing disputes", days=365)
    settings = mail_settings.model_copy(update={"legal_holds": [hold]})
    case_id = ann_verified_erasure(store, settings, sink)

    view = erase_after_notice(store, case_id, settings, clock)

    assert view.outcome is not None
    categories = view.outcome["categories"]
    assert isinstance(categories, dict)
    kept = categories["call_records"]
    assert kept["erased"] is False and kept["kept"] == "billing disputes"
    assert dt.date.fromisoformat(kept["until"]) > clock.now().date()
    assert categories["voicemail"] == {"erased": True}
    with store.session() as s:
        assert s.get(Person, world.ann) is None
        held = s.scalars(
            select(CallRecord.id).where(CallRecord.src_e164 == ANN_PHONE)
        ).all()
    assert held  # her calls are kept, her number in them too, until the hold ends
    deliver(store, settings)
    (answer,) = [m for m in sink.to(ANN_EMAIL) if "erasure" in str(m["Subject"])]
    assert "call records: billing disputes (until " in answer.get_content()


@pytest.mark.clause("rights.access.request")
def test_the_mail_an_erasure_requester_gets_names_a_deletion_request(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    build_world(store, mail_settings)
    ann_verified_erasure(store, mail_settings, sink)
    subjects = [str(m["Subject"]) for m in sink.to(ANN_EMAIL)]
    assert len(subjects) == 2, subjects
    assert subjects[0].startswith("Your Request for Deletion has been received")
    assert subjects[1].startswith("Verification code for your Request for Deletion")
    assert not any("Subject Access Request" in s for s in subjects)
    code_mail = sink.to(ANN_EMAIL)[1].get_content()
    assert "asked for the deletion of the personal information" in code_mail
    assert "nothing will be deleted" in code_mail
    assert "released" not in code_mail
