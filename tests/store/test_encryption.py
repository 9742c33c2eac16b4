"""Secrets the policy names are encrypted at rest; rotation re-encrypts them.

Policy: "account verification information from a previous phone service
provider" (collect.requested) is a secret: porting account numbers and PINs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import Text, select, type_coerce

from tutela.config import Settings
from tutela.store.db import Store, open_store
from tutela.store.keys import KeyRing, SealError
from tutela.store.models import Account, PortingRequest
from tutela.store.rotation import rotate_keys

PIN = "739182"
ACCOUNT_NUMBER = "ACCT-55501-884213"


def _store_port_request(store: Store) -> int:
    with store.session() as s:
        account = Account(ref="ACC-ENC", organization="Encrypted Plumbing Inc.")
        s.add(account)
        s.flush()
        request = PortingRequest(
            account_id=account.id,
            previous_carrier="Old Telco",
            carrier_account_number=ACCOUNT_NUMBER,
            carrier_pin=PIN,
            billing_telephone_number="+14155550100",
            authorized_name="Pat Example",
            service_address="1 Main St, Springfield",
        )
        s.add(request)
        s.flush()
        return request.id


def _raw_bytes(store: Store, settings: Settings) -> bytes:
    """Everything the database holds on disk (SQLite) or in a dump (PostgreSQL)."""
    store.close()
    if store.engine.dialect.name == "sqlite":
        db = settings.sqlite_path
        return b"".join(
            p.read_bytes() for p in db.parent.glob(db.name + "*") if p.is_file()
        )
    url = settings.resolved_database_url().replace(
        "postgresql+psycopg://", "postgresql://"
    )
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is installed by `make test`"
    return subprocess.run([pg_dump, url], check=True, capture_output=True).stdout


@pytest.mark.postgresql
@pytest.mark.clause("collect.requested")
def test_pin_and_account_number_never_reach_disk_in_clear(
    store: Store, settings: Settings
) -> None:
    row_id = _store_port_request(store)
    with store.session() as s:
        request = s.get(PortingRequest, row_id)
        assert request is not None
        assert request.carrier_pin == PIN
        assert request.carrier_account_number == ACCOUNT_NUMBER
        raw = s.scalar(
            select(type_coerce(PortingRequest.carrier_pin, Text)).where(
                PortingRequest.id == row_id
            )
        )
    assert raw is not None and raw.startswith(f"v1:{store.keys.primary}:")
    blob = _raw_bytes(store, settings)
    assert b"Old Telco" in blob  # the dump/file really holds the row
    assert PIN.encode() not in blob
    assert ACCOUNT_NUMBER.encode() not in blob


@pytest.mark.postgresql
def test_rotate_re_encrypts_every_value_under_the_new_key(
    store: Store, settings: Settings
) -> None:
    row_id = _store_port_request(store)
    old_key = store.keys.primary
    result = rotate_keys(store)
    assert result.new_key_id != old_key
    assert result.values == 2
    assert "porting_requests.carrier_pin" in result.columns
    store.close()
    reopened = open_store(settings)
    try:
        assert reopened.keys.primary == result.new_key_id
        with reopened.session() as s:
            raw = s.scalar(
                select(type_coerce(PortingRequest.carrier_pin, Text)).where(
                    PortingRequest.id == row_id
                )
            )
            assert raw is not None and raw.startswith(f"v1:{result.new_key_id}:")
            request = s.get(PortingRequest, row_id)
            assert request is not None and request.carrier_pin == PIN
    finally:
        reopened.close()


def test_retired_key_can_no_longer_open_old_ciphertext(store: Store) -> None:
    _store_port_request(store)
    old = KeyRing(keys=dict(store.keys.keys), primary=store.keys.primary)
    sealed_before = old.seal(PIN, context="porting_requests.carrier_pin")
    rotate_keys(store, retire_old=True)
    assert list(store.keys.keys) == [store.keys.primary]
    with pytest.raises(SealError, match="not in the ring"):
        store.keys.open(sealed_before, context="porting_requests.carrier_pin")


def test_ciphertext_is_bound_to_its_column() -> None:
    ring = KeyRing.generate()
    token = ring.seal(PIN, context="porting_requests.carrier_pin")
    with pytest.raises(SealError, match="does not authenticate"):
        ring.open(token, context="people.name")


def test_tampered_ciphertext_is_refused() -> None:
    ring = KeyRing.generate()
    token = ring.seal(PIN, context="c")
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    with pytest.raises(SealError):
        ring.open(flipped, context="c")


def test_key_ring_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "fields.json"
    KeyRing.load_or_create(path)
    assert path.stat().st_mode & 0o777 == 0o600
