"""CDR ingest meets bytes that are not UTF-8 where the store needs text.

An invalid byte in ``accountcode`` or ``uniqueid`` used to raise
``UnicodeEncodeError`` from the database driver and lose the good rows of
the same chunk; now the good rows are stored and the bad one is stored with
an escaped key or quarantined with its reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from tests.collect.cdr.test_ingest import row
from tutela.collect.accounts.contacts import open_account
from tutela.collect.cdr.ingest import ingest_cdr
from tutela.collect.quarantine import read_quarantine
from tutela.store.db import Store
from tutela.store.models import CallRecord

pytestmark = pytest.mark.clause("collect.service_use.call_records")

BAD = "AC\udcffME"  # the byte 0xff, as the parsers keep it (surrogateescape)


def _file(tmp_path: Path, field: str) -> Path:
    good1 = row(uid="1.1", linked="1.1")
    bad = row(**{"uid": "2.2", "linked": "2.2", field: BAD})
    good2 = row(uid="3.3", linked="3.3")
    path = tmp_path / f"bad-{field}.csv"
    path.write_bytes((good1 + bad + good2).encode("utf-8", "surrogateescape"))
    return path


def _account(store: Store) -> None:
    with store.session() as session:
        open_account(session, organization="Acme Dental", ref="ACME")


@pytest.mark.postgresql
def test_invalid_utf8_accountcode_is_quarantined_and_the_chunk_kept(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    summary = ingest_cdr(
        store, _file(tmp_path, "code"), format="asterisk-csv", account_ref="ACME"
    )
    assert (summary.read, summary.stored, summary.rejected) == (3, 2, 1)
    assert summary.quarantine is not None
    [entry] = read_quarantine(summary.quarantine)
    assert entry["line"] == 2
    assert "accountcode" in entry["reason"] and "UTF-8" in entry["reason"]


@pytest.mark.postgresql
@pytest.mark.parametrize("field", ["uid", "linked"])
def test_invalid_utf8_uniqueid_is_stored_escaped_and_the_chunk_kept(
    store: Store, tmp_path: Path, field: str
) -> None:
    _account(store)
    path = _file(tmp_path, field)
    summary = ingest_cdr(store, path, format="asterisk-csv", account_ref="ACME")
    assert (summary.read, summary.stored, summary.rejected) == (3, 3, 0)
    with store.session() as session:
        stored = {r.uniqueid: r for r in session.scalars(select(CallRecord))}
    column = "uniqueid" if field == "uid" else "linkedid"
    assert any(getattr(r, column) == "AC\\xffME" for r in stored.values())
    again = ingest_cdr(store, path, format="asterisk-csv", account_ref="ACME")
    assert (again.stored, again.duplicate) == (0, 3)


@pytest.mark.postgresql
def test_invalid_utf8_freeswitch_uuid_keeps_the_other_rows(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    lines = (
        Path(__file__)
        .parents[1]
        .joinpath("data")
        .joinpath("freeswitch_example.csv")
        .read_bytes()
    ).splitlines(keepends=True)
    broken = lines[0].replace(b"0000-4000-8000-000000000001", b"0000-\xff-8000")
    path = tmp_path / "fs.csv"
    path.write_bytes(broken + b"".join(lines[1:]))
    summary = ingest_cdr(store, path, format="freeswitch-csv", account_ref="ACME")
    assert summary.read == len(lines)
    assert summary.stored + summary.rejected == len(lines)
    assert summary.stored >= len(lines) - 1
