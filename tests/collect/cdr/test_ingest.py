"""CDR ingest: every call stored once, bad rows quarantined, unusable files refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.samples import TELEPHONY
from tutela.collect.accounts.contacts import assign_number, open_account
from tutela.collect.cdr.ingest import call_legs, ingest_cdr
from tutela.collect.quarantine import read_quarantine
from tutela.errors import InvalidInput, NotFound
from tutela.store.db import Store
from tutela.store.models import CallRecord, IngestRun

pytestmark = pytest.mark.clause("collect.service_use.call_records")

DATA = Path(__file__).parents[1].joinpath("data")
ASTERISK = TELEPHONY / "asterisk_cdr_csv"
ROW = (
    '"{code}","{src}","{dst}","from-internal","""Pat"" <{src}>","PJSIP/a-1",'
    '"PJSIP/b-1","Dial","","2024-03-01 10:00:00","2024-03-01 10:00:02",'
    '"2024-03-01 10:01:00",{duration},58,"ANSWERED","DOCUMENTATION",'
    '"{uid}","","","{linked}",{seq}\n'
)


def row(**kw: object) -> str:
    values: dict[str, object] = {
        "code": "ACME",
        "src": "4155550101",
        "dst": "102",
        "duration": 60,
        "uid": "1709287200.1",
        "linked": "1709287200.1",
        "seq": 1,
    }
    return ROW.format(**(values | kw))


def _account(store: Store, ref: str = "ACME", number: str | None = None) -> int:
    with store.session() as session:
        account = open_account(session, organization="Acme Dental", ref=ref)
        if number:
            assign_number(session, account=account, number=number)
        return account.id


def _count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(CallRecord)) or 0


@pytest.mark.parametrize(
    ("name", "read", "stored", "rejected"),
    [
        ("testsuite_cdrlib_good.csv", 5, 5, 0),
        ("testsuite_self_test_Master.csv", 2, 2, 0),
        ("testsuite_self_test_Master2.csv", 1, 1, 0),
        ("testsuite_cdrlib_buggy_MALFORMED.csv", 1, 0, 1),
    ],
)
@pytest.mark.postgresql
@pytest.mark.clause("collect.service_use")
def test_asterisk_samples_ingest_with_expected_counts(
    store: Store, name: str, read: int, stored: int, rejected: int
) -> None:
    _account(store)
    summary = ingest_cdr(
        store, ASTERISK / name, format="asterisk-csv", account_ref="ACME"
    )
    assert (summary.read, summary.stored, summary.rejected) == (read, stored, rejected)
    assert summary.exit_code == (1 if rejected else 0)
    assert (summary.quarantine is not None) == bool(rejected)


def test_malformed_sample_row_is_quarantined_with_file_line_and_reason(
    store: Store,
) -> None:
    _account(store)
    path = ASTERISK / "testsuite_cdrlib_buggy_MALFORMED.csv"
    summary = ingest_cdr(store, path, format="asterisk-csv", account_ref="ACME")
    assert summary.quarantine is not None
    assert stat.S_IMODE(os.stat(summary.quarantine).st_mode) == 0o600
    [entry] = read_quarantine(summary.quarantine)
    assert entry["file"] == str(path) and entry["line"] == 1
    assert "quote" in entry["reason"]
    assert entry["excerpt"]


def test_freeswitch_json_sample_ingests_one_leg(store: Store) -> None:
    _account(store)
    path = TELEPHONY / "freeswitch" / "cgrates_fscdr_test_body.json"
    summary = ingest_cdr(store, path, format="freeswitch-json", account_ref="ACME")
    assert (summary.read, summary.stored, summary.rejected) == (1, 1, 0)


@pytest.mark.parametrize(
    ("name", "format"),
    [
        ("asterisk_csv_16.csv", "asterisk-csv"),
        ("asterisk_csv_17.csv", "asterisk-csv"),
        ("asterisk_csv_18.csv", "asterisk-csv"),
        ("asterisk_csv_21.csv", "asterisk-csv"),
        ("asterisk_custom_master.csv", "asterisk-custom"),
        ("freeswitch_example.csv", "freeswitch-csv"),
        ("freeswitch_cdrs.jsonl", "freeswitch-json"),
        ("freeswitch_encoded.json", "freeswitch-json"),
        ("asterisk_csv_latin1_clid.csv", "asterisk-csv"),
    ],
)
def test_other_layouts_ingest_without_configuration(
    store: Store, name: str, format: str
) -> None:
    _account(store)
    summary = ingest_cdr(store, DATA / name, format=format, account_ref="ACME")
    assert summary.read > 0
    assert summary.stored + summary.duplicate + summary.rejected == summary.read
    assert summary.stored > 0


@pytest.mark.postgresql
def test_reingesting_a_file_adds_nothing_and_reports_duplicates(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    path = tmp_path / "Master.csv"
    path.write_text(row() + row(seq=2, uid="1709287200.2"), encoding="utf-8")
    first = ingest_cdr(store, path, format="asterisk-csv")
    again = ingest_cdr(store, path, format="asterisk-csv")
    assert (first.stored, first.duplicate) == (2, 0)
    assert (again.stored, again.duplicate, again.read) == (0, 2, 2)
    assert _count(store) == 2


def test_unknown_disposition_is_stored_like_any_call(
    store: Store, tmp_path: Path
) -> None:
    # Asterisk writes UNKNOWN for a state it cannot name; the call happened.
    _account(store)
    path = tmp_path / "Master.csv"
    text = row(seq=1) + row(seq=2).replace('"ANSWERED"', '"UNKNOWN"')
    path.write_text(text, encoding="utf-8")
    summary = ingest_cdr(store, path, format="asterisk-csv")
    assert (summary.stored, summary.rejected) == (2, 0)
    with store.session() as session:
        kept = session.scalars(select(CallRecord.disposition)).all()
    assert sorted(kept) == ["ANSWERED", "UNKNOWN"]


@pytest.mark.postgresql
def test_overlapping_file_stores_only_the_new_rows(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    old, new = tmp_path / "a.csv", tmp_path / "b.csv"
    old.write_text(row(seq=1) + row(seq=2), encoding="utf-8")
    new.write_text(row(seq=2) + row(seq=3), encoding="utf-8")
    ingest_cdr(store, old, format="asterisk-csv")
    summary = ingest_cdr(store, new, format="asterisk-csv")
    assert (summary.stored, summary.duplicate) == (1, 1)


@pytest.mark.postgresql
def test_numbers_are_e164_extensions_stay_and_raw_is_kept(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    path = tmp_path / "m.csv"
    path.write_text(row(src="(415) 555-0101", dst="102"), encoding="utf-8")
    ingest_cdr(store, path, format="asterisk-csv")
    with store.session() as session:
        record = session.scalars(select(CallRecord)).one()
        assert record.src_e164 == "+14155550101"
        assert record.src_raw == "(415) 555-0101"
        assert (record.dst_e164, record.dst_extension) == (None, "102")
        assert record.caller_name == "Pat"


def test_bad_rows_are_quarantined_and_the_rest_stored(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    path = tmp_path / "m.csv"
    lines = [
        row(seq=1),
        row(seq=2, duration=-4),
        '"ACME","1","2","ctx","unterminated\n',
        row(seq=3).replace("2024-03-01 10:00:00", "2024-13-01 10:00:00"),
        '"ACME","1","2"\n',
        row(seq=4),
    ]
    path.write_text("".join(lines), encoding="utf-8")
    summary = ingest_cdr(store, path, format="asterisk-csv")
    assert (summary.read, summary.stored, summary.rejected) == (6, 2, 4)
    assert summary.quarantine is not None
    entries = read_quarantine(summary.quarantine)
    assert sorted(e["line"] for e in entries) == [2, 3, 4, 5]
    assert all(e["file"] == str(path) and e["reason"] for e in entries)


def test_unusable_file_stores_nothing_and_leaves_no_quarantine(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    path = tmp_path / "garbage.csv"
    # More unshaped lines than the parser holds back: rejections are released
    # before the file is refused, so the quarantine must be taken back.
    path.write_text("not,a,cdr\n" * 1500, encoding="utf-8")
    with pytest.raises(InvalidInput):
        ingest_cdr(store, path, format="asterisk-csv", account_ref="ACME")
    assert _count(store) == 0
    quarantine = store.data_dir / "quarantine"
    assert not quarantine.exists() or not any(quarantine.iterdir())
    with store.session() as session:
        assert session.scalars(select(IngestRun.status)).all() == ["refused"]


def test_cel_file_given_as_cdr_is_refused(store: Store) -> None:
    path = TELEPHONY / "asterisk_cel_csv" / "testsuite_CELMaster1.csv"
    with pytest.raises(InvalidInput):
        ingest_cdr(store, path, format="asterisk-csv")
    assert _count(store) == 0


def test_account_resolves_by_accountcode_then_number_then_default(
    store: Store, tmp_path: Path
) -> None:
    by_code = _account(store, "ACME")
    by_number = _account(store, "OTHER", number="+14155550199")
    fallback = _account(store, "DEFAULT")
    path = tmp_path / "m.csv"
    path.write_text(
        row(seq=1)
        + row(seq=2, code="", src="4155550199")
        + row(seq=3, code="nobody", src="101"),
        encoding="utf-8",
    )
    ingest_cdr(store, path, format="asterisk-csv", account_ref="DEFAULT")
    with store.session() as session:
        owners = session.scalars(select(CallRecord.account_id).order_by("sequence"))
        assert owners.all() == [by_code, by_number, fallback]


def test_row_without_an_account_is_quarantined_not_dropped(
    store: Store, tmp_path: Path
) -> None:
    _account(store)
    path = tmp_path / "m.csv"
    path.write_text(row(seq=1) + row(seq=2, code="ghost"), encoding="utf-8")
    summary = ingest_cdr(store, path, format="asterisk-csv")
    assert (summary.stored, summary.rejected) == (1, 1)
    assert summary.quarantine is not None
    [entry] = read_quarantine(summary.quarantine)
    assert entry["line"] == 2 and "no account" in entry["reason"]


def test_unknown_default_account_is_not_found(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "m.csv"
    path.write_text(row(), encoding="utf-8")
    with pytest.raises(NotFound):
        ingest_cdr(store, path, format="asterisk-csv", account_ref="NOPE")


def test_legs_of_one_call_are_kept_and_exposed_together(
    store: Store, tmp_path: Path
) -> None:
    account_id = _account(store)
    path = tmp_path / "m.csv"
    path.write_text(
        row(seq=1, uid="9.1", linked="9.1")
        + row(seq=2, uid="9.2", linked="9.1")
        + row(seq=3, uid="10.1", linked="10.1"),
        encoding="utf-8",
    )
    ingest_cdr(store, path, format="asterisk-csv")
    with store.session() as session:
        legs = call_legs(session, account_id=account_id, call_key="9.1")
        assert [leg.uniqueid for leg in legs] == ["9.1", "9.2"]
        with pytest.raises(NotFound):
            call_legs(session, account_id=account_id + 99, call_key="9.1")


@pytest.mark.postgresql
def test_non_utf8_caller_id_is_kept_byte_for_byte(store: Store, tmp_path: Path) -> None:
    _account(store)
    path = tmp_path / "m.csv"
    path.write_bytes(row().replace('""Pat""', '""Jos\xe9""').encode("latin-1"))
    summary = ingest_cdr(store, path, format="asterisk-csv")
    assert summary.stored == 1
    with store.session() as session:
        record = session.scalars(select(CallRecord)).one()
        assert record.clid_raw == b'"Jos\xe9" <4155550101>'
        assert record.caller_name == "Jos\\xe9"


def test_progress_is_reported_in_bytes(store: Store, tmp_path: Path) -> None:
    _account(store)
    path = tmp_path / "m.csv"
    path.write_text("".join(row(seq=i) for i in range(7)), encoding="utf-8")
    seen: list[int] = []
    ingest_cdr(store, path, format="asterisk-csv", chunk_rows=3, progress=seen.append)
    assert seen == sorted(seen) and seen[-1] == path.stat().st_size
    assert _count(store) == 7
