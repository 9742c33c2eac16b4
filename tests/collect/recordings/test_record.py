"""Call recordings are kept only after notice; all-party states need every party."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutela.collect.accounts.contacts import open_account
from tutela.collect.recordings.record import (
    Party,
    RecordingRefused,
    jurisdiction_of,
    record_notice,
    store_recording,
)
from tutela.errors import InvalidInput
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import Account, CallRecording

pytestmark = pytest.mark.clause("collect.service_use.call_recordings")

POLICY = load_policy(DEFAULT_POLICY)
WHEN = dt.datetime(2025, 3, 1, 15, 0, tzinfo=dt.UTC)
UTAH = [
    Party(role="staff", jurisdiction="US-UT"),
    Party(role="customer", number="+18015550123"),
]
CALIFORNIA = [
    Party(role="staff", jurisdiction="US-UT"),
    Party(role="customer", number="+14155550123"),
]


def _store(
    session: Session,
    store: Store,
    account: Account,
    notice_id: int | None,
    parties: list[Party],
) -> CallRecording:
    return store_recording(
        session,
        BlobStore.in_data_dir(store.data_dir),
        account=account,
        notice_id=notice_id,
        parties=parties,
        recorded_at=WHEN,
        duration_s=30,
        audio=b"RIFF....WAVE",
        media_type="audio/wav",
        policy=POLICY,
    )


def _notice(
    session: Session, account: Account, *, all_parties: bool, at: dt.datetime = WHEN
) -> int:
    return record_notice(
        session,
        account=account,
        method="announcement_prompt",
        given_at=at - dt.timedelta(seconds=5),
        covers_all_parties=all_parties,
        policy=POLICY,
    ).id


def test_recording_without_notice_is_refused(store: Store) -> None:
    with store.session() as session:
        account = open_account(session, organization="Acme", ref="R-1")
        with pytest.raises(RecordingRefused, match="no notice record"):
            _store(session, store, account, None, UTAH)


def test_recording_with_notice_is_stored_with_it(store: Store) -> None:
    with store.session() as session:
        account = open_account(session, organization="Acme", ref="R-1")
        notice_id = _notice(session, account, all_parties=False)
        recording = _store(session, store, account, notice_id, UTAH)
        assert recording.notice_id == notice_id and not recording.all_party_consent


def test_all_party_state_needs_a_notice_covering_every_party(store: Store) -> None:
    with store.session() as session:
        account = open_account(session, organization="Acme", ref="R-1")
        narrow = _notice(session, account, all_parties=False)
        with pytest.raises(RecordingRefused, match="every party"):
            _store(session, store, account, narrow, CALIFORNIA)
        wide = _notice(session, account, all_parties=True)
        assert _store(session, store, account, wide, CALIFORNIA).all_party_consent


@pytest.mark.parametrize(
    "roles", [("staff", "staff"), ("customer", "prospect"), ("customer", "customer")]
)
def test_only_calls_between_staff_and_customers_may_be_recorded(
    store: Store, roles: tuple[str, str]
) -> None:
    with store.session() as session:
        account = open_account(session, organization="Acme", ref="R-1")
        wide = _notice(session, account, all_parties=True)
        parties = [Party(role=role, jurisdiction="US-UT") for role in roles]
        with pytest.raises(RecordingRefused, match="between staff and customers"):
            _store(session, store, account, wide, parties)
        assert session.scalar(select(func.count(CallRecording.id))) == 0


def test_party_of_unknown_jurisdiction_is_treated_as_all_party(store: Store) -> None:
    with store.session() as session:
        account = open_account(session, organization="Acme", ref="R-1")
        narrow = _notice(session, account, all_parties=False)
        parties = [Party(role="staff", jurisdiction="US-UT"), Party(role="prospect")]
        with pytest.raises(RecordingRefused):
            _store(session, store, account, narrow, parties)


def test_notice_of_another_account_or_given_later_is_refused(store: Store) -> None:
    with store.session() as session:
        account = open_account(session, organization="Acme", ref="R-1")
        other = open_account(session, organization="Other", ref="R-2")
        foreign = _notice(session, other, all_parties=True)
        with pytest.raises(RecordingRefused):
            _store(session, store, account, foreign, UTAH)
        late = _notice(
            session, account, all_parties=True, at=WHEN + dt.timedelta(hours=1)
        )
        with pytest.raises(RecordingRefused, match="after"):
            _store(session, store, account, late, UTAH)


def test_notice_method_must_be_one_the_policy_names(store: Store) -> None:
    with store.session() as session:
        account = open_account(session, organization="Acme", ref="R-1")
        with pytest.raises(InvalidInput):
            record_notice(
                session,
                account=account,
                method="implied",
                given_at=WHEN,
                covers_all_parties=True,
                policy=POLICY,
            )


def test_jurisdiction_comes_from_the_number() -> None:
    assert jurisdiction_of("+14155550123", "US") == "US-CA"
    assert jurisdiction_of("+18015550123", "US") == "US-UT"
    assert jurisdiction_of("+15145550123", "US") == "CA-QC"
    assert jurisdiction_of("+442079460123", "US") == "GB"
    assert jurisdiction_of("101", "US") is None
