"""A notice covers the call it was given on, or a stated standing scope.

Attacks first: a notice given on one call, on another number, or after its
window ended must not cover a recording; all-party consent reaches Canada
and every other country the policy lists, not only US states.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.collect.cdr.test_ingest import row
from tutela.collect.accounts.contacts import open_account
from tutela.collect.cdr.ingest import ingest_cdr
from tutela.collect.recordings.notice_scope import needs_every_party
from tutela.collect.recordings.record import (
    Party,
    RecordingRefused,
    notice_rules,
    record_notice,
    store_recording,
)
from tutela.errors import InvalidInput
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import Account, CallRecord, CallRecording

pytestmark = pytest.mark.clause("collect.service_use.call_recordings")

POLICY = load_policy(DEFAULT_POLICY)
WHEN = dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)
SUPPORT_LINE = "+18015550100"
UTAH = [
    Party(role="staff", number=SUPPORT_LINE),
    Party(role="customer", number="+18015550123"),
]


def _calls(store: Store, tmp_path: Path) -> tuple[int, int]:
    """Two calls of account ACME (ids)."""
    path = tmp_path / "Master.csv"
    path.write_text(row(seq=1) + row(seq=2, uid="1709287200.2"), encoding="utf-8")
    ingest_cdr(store, path, format="asterisk-csv")
    with store.session() as session:
        first, second = session.scalars(select(CallRecord.id).order_by(CallRecord.id))
    return first, second


def _account(session: Session) -> Account:
    return session.scalars(select(Account).where(Account.ref == "ACME")).one()


def _notice(session: Session, account: Account, **scope: object) -> int:
    return record_notice(
        session,
        account=account,
        method="announcement_prompt",
        given_at=WHEN - dt.timedelta(seconds=5),
        covers_all_parties=True,
        policy=POLICY,
        **scope,  # type: ignore[arg-type]
    ).id


def _record(
    session: Session,
    store: Store,
    notice_id: int,
    *,
    call: int | None = None,
    parties: list[Party] = UTAH,
    at: dt.datetime = WHEN,
) -> CallRecording:
    return store_recording(
        session,
        BlobStore.in_data_dir(store.data_dir),
        account=_account(session),
        notice_id=notice_id,
        parties=parties,
        recorded_at=at,
        duration_s=30,
        audio=b"RIFF....WAVE",
        media_type="audio/wav",
        policy=POLICY,
        call_record_id=call,
    )


@pytest.fixture
def calls(store: Store, tmp_path: Path) -> tuple[int, int]:
    with store.session() as session:
        open_account(session, organization="Acme Dental", ref="ACME")
    return _calls(store, tmp_path)


def test_a_notice_given_on_one_call_does_not_cover_another(
    store: Store, calls: tuple[int, int]
) -> None:
    first, second = calls
    with store.session() as session:
        notice = _notice(session, _account(session), call_record_id=first)
        with pytest.raises(RecordingRefused, match="another call"):
            _record(session, store, notice, call=second)
        with pytest.raises(RecordingRefused, match="another call"):
            _record(session, store, notice, call=None)
        assert _record(session, store, notice, call=first).notice_id == notice


def test_a_standing_notice_on_a_number_needs_a_party_on_it(
    store: Store, calls: tuple[int, int]
) -> None:
    with store.session() as session:
        notice = _notice(session, _account(session), number="+1 801 555 0199")
        with pytest.raises(RecordingRefused, match="another number"):
            _record(session, store, notice)
        online = _notice(session, _account(session), number=SUPPORT_LINE)
        assert _record(session, store, online).notice_id == online


@pytest.mark.postgresql
def test_a_standing_notice_that_ended_covers_nothing_after(
    store: Store, calls: tuple[int, int]
) -> None:
    until = WHEN + dt.timedelta(days=1)
    with store.session() as session:
        notice = _notice(session, _account(session), valid_until=until)
        assert _record(session, store, notice).notice_id == notice
        with pytest.raises(RecordingRefused, match="ended"):
            _record(session, store, notice, at=until)


def test_a_notice_cannot_name_a_call_of_another_account(
    store: Store, calls: tuple[int, int]
) -> None:
    with store.session() as session:
        other = open_account(session, organization="Other", ref="OTHER")
        with pytest.raises(InvalidInput, match="not a call of this account"):
            _notice(session, other, call_record_id=calls[0])
        with pytest.raises(InvalidInput):
            _notice(session, _account(session), call_record_id=calls[0], number="+1")
        with pytest.raises(InvalidInput, match="valid phone number"):
            _notice(session, _account(session), number="12")


@pytest.mark.parametrize(
    "customer",
    [
        "+14165550123",  # Toronto: PIPEDA, every party is told
        "+442079460123",  # London: OTHER
        "+4930901820",  # Berlin: OTHER
    ],
)
def test_non_us_parties_need_a_notice_covering_everyone(
    store: Store, calls: tuple[int, int], customer: str
) -> None:
    parties = [Party(role="staff", number=SUPPORT_LINE), Party("customer", customer)]
    with store.session() as session:
        narrow = record_notice(
            session,
            account=_account(session),
            method="verbal",
            given_at=WHEN - dt.timedelta(seconds=5),
            covers_all_parties=False,
            policy=POLICY,
        ).id
        with pytest.raises(RecordingRefused, match="every party"):
            _record(session, store, narrow, parties=parties)
        wide = _notice(session, _account(session))
        assert _record(session, store, wide, parties=parties).all_party_consent


@pytest.mark.parametrize(
    ("place", "every_party"),
    [
        ("US-CA", True),
        ("US-UT", False),
        ("US", False),
        ("CA-ON", True),
        ("CA", True),
        ("GB", True),
        ("JP", True),
        (None, True),
    ],
)
def test_the_policy_lists_canada_and_other_countries_as_all_party(
    place: str | None, every_party: bool
) -> None:
    listed = notice_rules(POLICY).all_party_consent_jurisdictions
    assert "CA" in listed and "OTHER" in listed
    assert needs_every_party(place, listed) is every_party
