"""The demo data set: built through the ingest paths, realistic, idempotent."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import phonenumbers
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.collect.accounts.test_payment import store_bytes
from tests.conftest import fresh_sqlite_data
from tutela.config import Settings
from tutela.demo import build_demo, pool_number
from tutela.store.db import Store, open_store
from tutela.store.models import (
    Account,
    Base,
    Communication,
    Person,
    PhoneNumber,
    PortingRequest,
    Voicemail,
)

# The processor test cards the demo puts on file (never in chats).
TEST_CARDS = (
    "4242424242424242",
    "4111111111111111",
    "5555555555554444",
    "2223003122003222",
    "378282246310005",
    "6011111111111117",
    "3566002020360505",
    "36227206271667",
)
CARD_IN_TEXT = re.compile(r"\b(?:\d[ -]?){13,19}\b")


# Records of the runs themselves, which every run adds to by design.
BOOKKEEPING = {"ingest_runs", "audit_entries", "audit_head", "audit_checkpoints"}


def _row_counts(session: Session) -> dict[str, int]:
    return {
        table.name: session.scalar(select(func.count()).select_from(table)) or 0
        for table in Base.metadata.sorted_tables
        if table.name not in BOOKKEEPING
    }


@pytest.mark.clause("scope.business_only")
def test_demo_builds_200_business_accounts_and_a_rerun_adds_nothing(
    store: Store,
) -> None:
    summary = build_demo(store)
    assert summary.accounts == summary.created_accounts == 200
    assert summary.people >= 200 and summary.payment_methods >= 200
    assert summary.phone_numbers > summary.people
    assert summary.porting_requests > 0 and summary.communications > 400
    assert summary.call_records > 0 and summary.voicemails > 0
    assert summary.call_recordings > 0
    with store.session() as s:
        before = _row_counts(s)
        assert s.scalars(select(Account.kind).distinct()).all() == ["business"]
    again = build_demo(store)
    assert again.created_accounts == 0
    assert again.as_dict() | {"created_accounts": 200} == summary.as_dict()
    with store.session() as s:
        assert _row_counts(s) == before


@pytest.fixture(scope="module")
def demo_world(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Store]:
    """One demo of 40 accounts that the read-only tests below share (built once)."""
    data = tmp_path_factory.mktemp("demo-world") / "data"
    fresh_sqlite_data(data, sqlite_template)
    store = open_store(Settings(data=data, database_url=None), migrate=False)
    try:
        build_demo(store, accounts=40)
        yield store
    finally:
        store.close()


@pytest.mark.clause("collect.requested")
def test_demo_numbers_are_valid_e164_for_the_account_region(demo_world: Store) -> None:
    store = demo_world
    with store.session() as s:
        rows = s.execute(
            select(Account.region, PhoneNumber.e164).join(
                PhoneNumber, PhoneNumber.account_id == Account.id
            )
        ).all()
        phones = s.scalars(select(Person.phone)).all()
    assert {region for region, _ in rows} == {"US", "CA", "GB"}
    for region, e164 in rows:
        parsed = phonenumbers.parse(e164)
        assert phonenumbers.is_valid_number_for_region(parsed, region)
        assert phonenumbers.format_number(parsed, 0) == e164
    assert all(p is not None and p.startswith("+") for p in phones)


@pytest.mark.parametrize("region", ["US", "CA", "GB"])
def test_pool_numbers_are_valid_and_distinct(region: str) -> None:
    numbers = [pool_number(region, slot) for slot in range(3000)]
    assert len(set(numbers)) == len(numbers)
    for number in numbers:
        assert phonenumbers.is_valid_number_for_region(
            phonenumbers.parse(number), region
        )


@pytest.mark.clause("collect.volunteered.channels")
def test_demo_messages_carry_personal_data_of_people_in_and_out_of_the_store(
    demo_world: Store,
) -> None:
    store = demo_world
    with store.session() as s:
        bodies = s.scalars(select(Communication.body)).all()
        channels = set(s.scalars(select(Communication.channel)))
        emails = set(s.scalars(select(Person.email)))
    assert channels == {"chat", "email", "phone_call", "ticket", "other"}
    assert any(e in body for body in bodies for e in emails if e)
    assert any("@example." in body for body in bodies)  # someone not in the store
    # Cards typed into chats are masked before storage: only the last 4 remain.
    assert not any(CARD_IN_TEXT.search(body) for body in bodies)
    assert any(re.search(r"\*{4}[ -]?\*{4}.*\d{4}", body) for body in bodies)


def test_demo_ports_have_sealed_secrets_that_read_back(demo_world: Store) -> None:
    store = demo_world
    with store.session() as s:
        requests = s.scalars(select(PortingRequest)).all()
    assert requests
    assert all(r.carrier_account_number.isdigit() for r in requests)


def test_demo_is_the_same_for_the_same_seed(tmp_path: Path) -> None:
    people = []
    for name in ("one", "two"):
        store = open_store(Settings(data=tmp_path / name, database_url=None))
        try:
            build_demo(store, accounts=10, seed=3)
            with store.session() as s:
                people.append(
                    s.execute(
                        select(Person.name, Person.email, Person.phone).order_by(
                            Person.id
                        )
                    ).all()
                )
        finally:
            store.close()
    assert people[0] == people[1]


def test_demo_keeps_no_card_number_and_logs_no_personal_value(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tutela")
    settings = Settings(data=tmp_path, database_url=None)
    store = open_store(settings)
    build_demo(store, accounts=25)
    with store.session() as s:
        names = s.scalars(select(Person.name)).all()
        emails = s.scalars(select(Person.email)).all()
        phones = s.scalars(select(PhoneNumber.e164)).all()
        orgs = s.scalars(select(Account.organization)).all()
    assert "demo.built" in caplog.text
    for value in [*names, *emails, *phones, *orgs]:
        assert value is not None and value not in caplog.text
    blob = store_bytes(store, settings)
    for card in TEST_CARDS:
        assert card.encode() not in blob


def _is_wav(data: bytes) -> bool:
    at = data.find(b"RIFF")
    while at != -1:
        if data[at + 8 : at + 12] == b"WAVE":
            return True
        at = data.find(b"RIFF", at + 1)
    return False


@pytest.mark.clause("collect.service_use.voicemail")
def test_demo_keeps_no_clear_text_audio_in_the_data_directory(tmp_path: Path) -> None:
    settings = Settings(data=tmp_path / "data", database_url=None)
    store = open_store(settings)
    try:
        build_demo(store, accounts=5)
        with store.session() as s:
            held = s.scalar(select(func.count()).select_from(Voicemail)) or 0
    finally:
        store.close()
    assert held > 0  # the demo did ingest audio
    clear = [
        path.relative_to(settings.data)
        for path in settings.data.rglob("*")
        if path.is_file() and _is_wav(path.read_bytes())
    ]
    assert clear == []
