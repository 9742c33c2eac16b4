"""Intake -> verification -> decision -> export -> one download, checked against the store.

Clauses: rights.access, rights.access.request, rights.access.verification,
scope.web_unlinked. A real SMTP server (aiosmtpd) catches the code and the
link; the zip is compared with what the store holds for the subject.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import zipfile
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.factories import enter_code, officer_of
from tests.rights.conftest import Sink, message
from tests.rights.test_export import (
    ANN_DID,
    ANN_PHONE,
    BOB_PHONE,
    CARD_TOKEN,
    CAROL_PHONE,
    CARRIER_ACCOUNT,
    PASSWORD,
    PIN,
    build_world,
    row_counts,
    zip_text,
)
from tests.web.live import app_client
from tutela.config import Settings
from tutela.mail import deliver
from tutela.rights.cases import show_case
from tutela.rights.export import export_case
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import DownloadToken

PAST = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)

# Tables the workflow itself writes: the case, its mail, the audit log, the
# export and its sealed zip. Everything else must be untouched.
WORKFLOW = {
    "audit_entries",
    "mail_limits",
    "audit_head",
    "audit_checkpoints",
    "outbox",
    "rights_messages",
    "sar_cases",
    "sar_case_events",
    "sar_challenges",
    "sar_verification_data",
    "sar_exports",
    "sar_download_tokens",
    "blobs",
    "disclosures",
    "disclosure_subjects",
}


@pytest.fixture
def client(mail_settings: Settings) -> Iterator[TestClient]:
    with app_client(mail_settings) as test_client:
        yield test_client


def _body(sink: Sink, address: str, pattern: str) -> str:
    for msg in reversed(sink.to(address)):
        found = re.search(pattern, msg.get_content())
        if found:
            return found.group(1)
    raise AssertionError("no such message")


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
@pytest.mark.clause("rights.access.verification")
def test_a_request_ends_in_one_download_that_matches_the_store(
    store: Store, mail_settings: Settings, sink: Sink, client: TestClient
) -> None:
    world = build_world(store, mail_settings)
    officer_of(store)  # the officer who enters the code, made before counting
    before = row_counts(store)

    case_id = intake_message(
        store, message("plain.eml"), settings=mail_settings
    ).case_id
    assert case_id is not None
    deliver(store, mail_settings)
    code = _body(sink, "ann@example.com", r"confirm: (\d{8})")
    assert enter_code(store, mail_settings, case_id, code).verified

    result = export_case(
        store,
        case_id,
        settings=mail_settings,
        actor="staff:1",
        base_url="http://testserver",
    )
    assert show_case(store, case_id).state == "fulfilled"
    deliver(store, mail_settings)
    token = _body(sink, "ann@example.com", r"/rights/download/(\S+)")
    assert not sink.to("bob@example.com") and not sink.to("carol@other.example")

    page = client.get(f"/rights/download/{token}")  # a page; spends nothing
    assert page.status_code == 200 and "<button" in page.text
    first = client.post(f"/rights/download/{token}")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/zip"
    assert first.headers["cache-control"] == "no-store"
    assert client.get(f"/rights/download/{token}").status_code == 410
    assert client.post(f"/rights/download/{token}").status_code == 410

    # A rebuilt export (lost link) gets a new link; once expired, it is refused.
    export_case(store, case_id, settings=mail_settings, base_url="http://testserver")
    deliver(store, mail_settings)
    second = _body(sink, "ann@example.com", r"/rights/download/(\S+)")
    assert second != token
    with store.session() as s:
        s.execute(update(DownloadToken).values(expires_at=PAST))
    assert client.get(f"/rights/download/{second}").status_code == 410
    assert client.post(f"/rights/download/{second}").status_code == 410
    assert client.get("/rights/download/" + "x" * 43).status_code == 404

    data = first.content
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    assert {"data.json", "report.html", "csv/call_records.csv"} <= names
    doc = json.loads(zf.read("data.json"))
    cats = doc["categories"]
    assert doc["export_ref"] == result.export_ref

    # Every category's rows match the store, and each CSV matches data.json.
    assert {r["call_id"] for r in cats["call_records"]["rows"]} == world.calls_of_ann
    vms = {r["voicemail_id"] for r in cats["voicemails"]["rows"]}
    assert vms == world.voicemails_of_ann
    assert [r["recording_id"] for r in cats["call_recordings"]["rows"]] == [
        world.recording
    ]
    assert {r["communication_id"] for r in cats["communications"]["rows"]} == {
        world.ticket_mentioning_bob,
        world.ticket_mentioning_ann,
    }
    assert [r["person_id"] for r in cats["people"]["rows"]] == [world.ann]
    numbers = {r["number"] for r in cats["phone_numbers"]["rows"]}
    # Her line, her extension and her contact phone (typed, then verified).
    assert numbers == {ANN_DID, ANN_PHONE, "201"}
    assert [r["card_last4"] for r in cats["payment"]["rows"]] == ["4242"]
    assert len(cats["porting"]["rows"]) == 1
    assert len(cats["disclosures"]["rows"]) == 1
    for name, cat in cats.items():
        rows = list(csv.reader(io.StringIO(zf.read(cat["csv"]).decode("utf-8-sig"))))
        assert rows[0] == cat["columns"], name
        assert len(rows) - 1 == cat["count"] == len(cat["rows"]), name

    # Audio: the voicemail left for Ann, byte for byte.
    audio = [a["file"] for a in doc["audio"]]
    assert len(audio) == 3 and all(a.endswith(".wav") for a in audio)
    for_ann = next(
        r for r in cats["voicemails"]["rows"] if r["relation"] == "left_for_you"
    )
    assert zf.read(for_ann["audio_file"]) == world.vm_audio

    # Nobody else, and no secret.
    text = zip_text(data)
    assert ANN_PHONE in text
    for absent in (
        BOB_PHONE,
        "bob@example.com",
        "Bob Builder",
        CAROL_PHONE,
        "carol@other.example",
        "Carol Other",
        "Bob here",
        "5454",
        PIN,
        CARRIER_ACCOUNT,
        CARD_TOKEN,
        PASSWORD,
    ):
        if absent.isdigit():  # a number, not part of a longer one (a timestamp)
            assert not re.search(f"(?<![0-9]){absent}(?![0-9])", text), absent
        else:
            assert absent not in text, absent
    ticket = next(
        r
        for r in cats["communications"]["rows"]
        if r["communication_id"] == world.ticket_mentioning_bob
    )
    assert "[phone redacted]" in ticket["body"] and ANN_PHONE in ticket["body"]
    assert "Website" in zf.read("report.html").decode()

    # An access request never deletes: customer tables are unchanged, workflow
    # tables only grew (apart from verification data, erased on closing).
    after = row_counts(store)
    for table, count in before.items():
        if table not in WORKFLOW:
            assert after[table] == count, table
        elif table not in {"sar_challenges", "sar_verification_data"}:
            assert after[table] >= count, table
