"""The retention sweep follows the policy: fixed periods expire, voicemail never does.

Access-request records (rights_requests: "Records of requests are kept 24
months (CCPA regulations); data collected for verification is deleted when
the case closes") are swept by case: from the case's closing, never while it
is open.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutela.errors import NotFound
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.retention.sweep import (
    AGE_COLUMNS,
    CASE_AWARE,
    KEPT,
    sweep,
    sweepable_tables,
)
from tutela.rights.cases import CLOSED, OPEN
from tutela.store.blobs import BlobStore
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    Base,
    Blob,
    DownloadToken,
    ExportBundle,
    OutboxMessage,
    PolicySubscription,
    RightsMessage,
    SarCase,
    SarCaseEvent,
    VerificationChallenge,
    VerificationEvidence,
    Voicemail,
    WebVisit,
)

# The sweep is SQL on dates and cases, which each backend runs its own way:
# every test of it runs on SQLite and PostgreSQL.
pytestmark = pytest.mark.postgresql

NOW = dt.datetime(2026, 11, 30, 12, tzinfo=dt.UTC)


def _visit(key: str, when: dt.datetime) -> WebVisit:
    return WebVisit(
        dedupe_key=key,
        site="www.example.com",
        page="/pricing",
        viewed_at=when,
        device_class="desktop",
        ip_truncated="198.51.100.0/24",
        visitor_hash="h" * 32,
    )


# Fixed-period tables the sweep does not handle; a new one must be added to
# AGE_COLUMNS, to CASE_AWARE (with its rule) or, consciously, here.
NOT_SWEPT: set[str] = set()
# Swept by case, by sending or by subscription rather than by an age column.
REQUEST_TABLES = {
    "outbox",
    "policy_subscriptions",
    "rights_messages",
    "sar_cases",
    "sar_verification_data",
}


def _days() -> int:
    days = load_policy(DEFAULT_POLICY).category("rights_requests").retention.days
    assert days is not None
    return days


def test_every_fixed_period_table_is_swept_or_reported() -> None:
    tables = set(sweepable_tables(load_policy(DEFAULT_POLICY)))
    assert {"web_visits", "ad_clicks", "ad_click_totals"} <= tables
    assert REQUEST_TABLES <= tables
    assert CASE_AWARE == REQUEST_TABLES
    assert tables - set(AGE_COLUMNS) - CASE_AWARE == NOT_SWEPT
    # Kept on purpose, each with its reason (reported, never skipped silently).
    assert set(KEPT) == {"policy_subscriptions"}
    assert all(KEPT.values())


@pytest.mark.clause("collect.web_use.web_activity")
def test_web_visits_older_than_the_period_are_deleted(store: Store) -> None:
    days = load_policy(DEFAULT_POLICY).category("web_activity").retention.days
    assert days is not None
    with store.session() as s:
        s.add(_visit("old", NOW - dt.timedelta(days=days + 1)))
        s.add(_visit("new", NOW - dt.timedelta(days=days - 1)))
    result = sweep(store, now=NOW)
    assert result.deleted["web_visits"] == 1
    assert set(result.not_swept) == NOT_SWEPT
    with store.session() as s:
        assert s.scalars(select(WebVisit.dedupe_key)).all() == ["new"]


@pytest.mark.clause("collect.service_use.voicemail")
def test_a_ten_year_old_voicemail_survives_the_sweep(store: Store) -> None:
    with store.session() as s:
        account = Account(ref="ACC-VM", organization="Old Messages LLC")
        s.add(account)
        s.flush()
        s.add(
            Voicemail(
                account_id=account.id,
                dedupe_key="vm:old",
                mailbox="100",
                received_at=NOW - dt.timedelta(days=3650),
                duration_s=12,
            )
        )
    result = sweep(store, now=NOW)
    assert "voicemail" in result.kept_forever
    assert "voicemails" not in result.deleted
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Voicemail)) == 1


# --- access-request records -------------------------------------------------


def _case(
    s: Session,
    ref: str,
    *,
    state: str,
    received_at: dt.datetime,
    closed_at: dt.datetime | None = None,
) -> SarCase:
    """A case with everything a case gathers: events, messages, mail, evidence."""
    case = SarCase(
        ref=ref,
        state=state,
        channel="email",
        requester_address=f"{ref.lower()}@example.com",
        subject_e164="+14155550123",
        person_ids="[]",
        deadline_rule="ccpa",
        risk="normal",
        received_at=received_at,
        respond_by=received_at + dt.timedelta(days=45),
        closed_at=closed_at,
    )
    s.add(case)
    s.flush()
    s.add(
        SarCaseEvent(
            case_id=case.id,
            from_state=None,
            to_state="received",
            actor="system:support_inbox",
            created_at=received_at,
        )
    )
    s.add(_message(f"<{ref}@example.com>", received_at, case_id=case.id))
    s.add(_message(f"<{ref}-reply@example.com>", received_at, case_id=case.id))
    ack = _mail(f"<{ref}-ack@tutela.invalid>", "sent", received_at, case_id=case.id)
    code = _mail(f"<{ref}-code@tutela.invalid>", "pending", None, case_id=case.id)
    ack.created_at = code.created_at = received_at
    s.add_all([ack, code])
    s.add(
        VerificationEvidence(
            case_id=case.id,
            kind="data_points",
            data='{"postal_code": "x"}',
            matched=True,
        )
    )
    s.add(
        VerificationChallenge(
            case_id=case.id,
            code_hash="h" * 64,
            expires_at=received_at + dt.timedelta(minutes=30),
            attempts=0,
            max_attempts=5,
        )
    )
    s.flush()
    return case


def _message(
    message_id: str,
    when: dt.datetime,
    *,
    case_id: int | None = None,
    route: str = "access_request",
) -> RightsMessage:
    return RightsMessage(
        message_key=message_id.strip("<>")[:64],
        message_id=message_id,
        route=route,
        channel="email",
        case_id=case_id,
        sender_address="someone@example.com",
        subject="Subject Access Request",
        raw="cmF3",
        size=3,
        received_at=when,
    )


def _mail(
    message_id: str,
    status: str,
    sent_at: dt.datetime | None,
    *,
    case_id: int | None = None,
) -> OutboxMessage:
    return OutboxMessage(
        kind="sar_ack",
        message_id=message_id,
        to_address="someone@example.com",
        subject="We received your request",
        body="Your case reference is in the subject.",
        case_id=case_id,
        status=status,
        attempts=1 if sent_at else 0,
        sent_at=sent_at,
    )


def _count(s: Session, model: type[Base], *where: object) -> int:
    stmt = select(func.count()).select_from(model)
    for clause in where:
        stmt = stmt.where(clause)  # type: ignore[arg-type]
    return int(s.scalar(stmt) or 0)


def _rows_of(s: Session, case_id: int) -> dict[str, int]:
    return {
        model.__tablename__: _count(s, model, model.__table__.c.case_id == case_id)
        for model in (
            SarCaseEvent,
            RightsMessage,
            OutboxMessage,
            VerificationEvidence,
            VerificationChallenge,
        )
    }


def test_the_case_states_the_sweep_treats_as_closed_are_the_workflows() -> None:
    from tutela.rights.cases import TRANSITIONS
    from tutela.store.models.rights import CASE_STATES, CLOSED_CASE_STATES

    assert {s for s, moves in TRANSITIONS.items() if not moves} == CLOSED
    assert set(CLOSED_CASE_STATES) == {s.value for s in CLOSED}
    assert set(CASE_STATES) == {s.value for s in OPEN | CLOSED}


@pytest.mark.clause("rights.access.request")
def test_an_old_open_case_survives_with_its_records(store: Store) -> None:
    long_ago = NOW - dt.timedelta(days=10 * 365)
    with store.session() as s:
        ids = {
            state.value: _case(
                s, f"SAR-OPEN{i}", state=state.value, received_at=long_ago
            ).id
            for i, state in enumerate(sorted(OPEN))
        }
    result = sweep(store, now=NOW)
    assert result.deleted["sar_cases"] == 0
    assert result.cases_deleted == []
    with store.session() as s:
        for case_id in ids.values():
            case = s.get(SarCase, case_id)
            assert case is not None and case.subject_e164 is not None
            # Open: even the verification data stays until the case closes.
            assert _rows_of(s, case_id) == {
                "sar_case_events": 1,
                "rights_messages": 2,
                "outbox": 2,
                "sar_verification_data": 1,
                "sar_challenges": 1,
            }


@pytest.mark.clause("rights.access.request")
def test_a_closed_case_goes_with_its_records_once_the_period_has_passed(
    store: Store,
) -> None:
    days = _days()
    opened = NOW - dt.timedelta(days=days + 60)
    with store.session() as s:
        gone = _case(
            s,
            "SAR-GONE",
            state="fulfilled",
            received_at=opened,
            closed_at=NOW - dt.timedelta(days=days + 1),
        ).id
        kept = _case(
            s,
            "SAR-KEPT",
            state="rejected",
            received_at=opened,
            closed_at=NOW - dt.timedelta(days=days - 1),
        ).id
    result = sweep(store, now=NOW)
    assert result.cases_deleted == [gone]
    assert result.deleted["sar_cases"] == 1
    assert result.deleted["rights_messages"] == 2
    assert result.deleted["outbox"] == 2  # its unsent mail goes with the case
    assert result.deleted["sar_case_events"] == 1
    with store.session() as s:
        assert s.get(SarCase, gone) is None
        assert _rows_of(s, gone) == dict.fromkeys(_rows_of(s, gone), 0)
        assert s.get(SarCase, kept) is not None
        assert _rows_of(s, kept) == {
            "sar_case_events": 1,
            "rights_messages": 2,
            "outbox": 2,
            "sar_verification_data": 0,  # closed: verification data is gone
            "sar_challenges": 0,
        }


@pytest.mark.clause("rights.access.request")
def test_a_late_reply_keeps_a_closed_case_until_it_too_is_past_the_period(
    store: Store,
) -> None:
    days = _days()
    with store.session() as s:
        case = _case(
            s,
            "SAR-LATE",
            state="fulfilled",
            received_at=NOW - dt.timedelta(days=days + 60),
            closed_at=NOW - dt.timedelta(days=days + 1),
        )
        s.add(_message("<late@x>", NOW - dt.timedelta(days=10), case_id=case.id))
        case_id = case.id
    assert sweep(store, now=NOW).cases_deleted == []
    later = NOW + dt.timedelta(days=days)
    assert sweep(store, now=later).cases_deleted == [case_id]


@pytest.mark.clause("rights.access.verification")
@pytest.mark.parametrize("state", sorted(CLOSED))
def test_verification_data_of_a_just_closed_case_is_deleted(
    store: Store, state: str
) -> None:
    with store.session() as s:
        case_id = _case(
            s,
            "SAR-JUST",
            state=state,
            received_at=NOW - dt.timedelta(days=3),
            closed_at=NOW - dt.timedelta(minutes=1),
        ).id
    result = sweep(store, now=NOW)
    assert result.deleted["sar_verification_data"] == 1
    assert result.deleted["sar_challenges"] == 1
    assert result.cleared["subject_e164"] == 1
    assert result.cases_deleted == []
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None and case.subject_e164 is None
        rows = _rows_of(s, case_id)
        assert rows["sar_verification_data"] == rows["sar_challenges"] == 0
        assert rows["rights_messages"] == 2 and rows["outbox"] == 2


@pytest.mark.clause("rights.access.request")
def test_a_case_closed_without_a_closing_time_ages_from_its_closing_event(
    store: Store,
) -> None:
    days = _days()
    with store.session() as s:
        case = _case(
            s, "SAR-EVENT", state="expired", received_at=NOW - dt.timedelta(days=900)
        )
        s.add(
            SarCaseEvent(
                case_id=case.id,
                from_state="received",
                to_state="expired",
                actor="system:support_inbox",
                created_at=NOW - dt.timedelta(days=days + 1),
            )
        )
        recent = _case(
            s, "SAR-EVNEW", state="expired", received_at=NOW - dt.timedelta(days=900)
        )
        s.add(
            SarCaseEvent(
                case_id=recent.id,
                from_state="received",
                to_state="expired",
                actor="system:support_inbox",
                created_at=NOW - dt.timedelta(days=days - 1),
            )
        )
        case_id, recent_id = case.id, recent.id
    assert sweep(store, now=NOW).cases_deleted == [case_id]
    with store.session() as s:
        assert s.get(SarCase, recent_id) is not None


@pytest.mark.clause("rights.access.request")
def test_the_period_is_read_from_the_policy(store: Store, tmp_path: Path) -> None:
    document = yaml.safe_load(DEFAULT_POLICY.read_text(encoding="utf-8"))
    for category in document["meaning"]["categories"]:
        if category["id"] == "rights_requests":
            category["retention"]["days"] = 30
    shorter = tmp_path / "policy.yaml"
    shorter.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    store.policy_file = shorter
    with store.session() as s:
        case_id = _case(
            s,
            "SAR-SHORT",
            state="fulfilled",
            received_at=NOW - dt.timedelta(days=60),
            closed_at=NOW - dt.timedelta(days=31),
        ).id
    assert sweep(store, now=NOW).cases_deleted == [case_id]


@pytest.mark.clause("rights.access.request")
@pytest.mark.clause("collect.service_use.voicemail")
def test_a_closed_cases_export_zip_is_shredded_and_voicemail_survives(
    store: Store,
) -> None:
    blobs = BlobStore.in_data_dir(store.data_dir)
    with store.session() as s:
        account = Account(ref="ACC-SAR", organization="Requests Inc")
        s.add(account)
        s.flush()
        audio = blobs.put(
            s, account_id=account.id, data=b"RIFF....", media_type="audio/wav"
        )
        s.add(
            Voicemail(
                account_id=account.id,
                dedupe_key="vm:sar",
                mailbox="100",
                received_at=NOW - dt.timedelta(days=3650),
                duration_s=3,
                audio_blob_id=audio.id,
            )
        )
        zip_blob = blobs.put(
            s, account_id=account.id, data=b"PK zip", media_type="application/zip"
        )
        case = _case(
            s,
            "SAR-ZIP",
            state="fulfilled",
            received_at=NOW - dt.timedelta(days=800),
            closed_at=NOW - dt.timedelta(days=_days() + 1),
        )
        export = ExportBundle(
            ref="EXP-ZIP",
            case_id=case.id,
            blob_id=zip_blob.id,
            schema_version="1",
            size=6,
            sha256="0" * 64,
            counts=json.dumps({}),
            status="ready",
            built_by="system:sar_export",
            expires_at=NOW - dt.timedelta(days=790),
        )
        s.add(export)
        s.flush()
        s.add(
            DownloadToken(
                case_id=case.id,
                export_id=export.id,
                token_hash="t" * 64,
                expires_at=NOW - dt.timedelta(days=790),
            )
        )
        audio_id, zip_id = audio.id, zip_blob.id
    result = sweep(store, now=NOW)
    assert result.deleted["sar_exports"] == 1
    assert result.deleted["sar_download_tokens"] == 1
    assert result.cleared["export_zips"] == 1
    assert "voicemail" in result.kept_forever
    with store.session() as s:
        assert _count(s, ExportBundle) == 0
        assert not blobs.path_of(zip_id).exists()
        with pytest.raises(NotFound):
            blobs.get(s, zip_id)
        zip_row = s.get(Blob, zip_id)
        assert zip_row is not None and zip_row.wrapped_key is None
        assert _count(s, Voicemail) == 1
        assert blobs.get(s, audio_id) == b"RIFF...."


@pytest.mark.clause("rights.access.request")
def test_messages_outside_a_case_age_from_receipt(store: Store) -> None:
    days = _days()
    with store.session() as s:
        s.add(_message("<old@x>", NOW - dt.timedelta(days=days + 1), route="general"))
        s.add(_message("<new@x>", NOW - dt.timedelta(days=days - 1), route="general"))
    result = sweep(store, now=NOW)
    assert result.deleted["rights_messages"] == 1
    with store.session() as s:
        assert s.scalars(select(RightsMessage.message_id)).all() == ["<new@x>"]


@pytest.mark.clause("rights.access.request")
def test_mail_outside_a_case_ages_from_sending_and_unsent_mail_stays(
    store: Store,
) -> None:
    days = _days()
    old = NOW - dt.timedelta(days=days + 1)
    with store.session() as s:
        s.add(_mail("<sent-old@t>", "sent", old))
        s.add(_mail("<sent-new@t>", "sent", NOW - dt.timedelta(days=days - 1)))
        unsent = _mail("<pending-old@t>", "pending", None)
        unsent.created_at = old
        failed = _mail("<failed-old@t>", "failed", None)
        failed.created_at = old
        s.add_all([unsent, failed])
    result = sweep(store, now=NOW)
    assert result.deleted["outbox"] == 1
    with store.session() as s:
        left = set(s.scalars(select(OutboxMessage.message_id)))
    assert left == {"<sent-new@t>", "<pending-old@t>", "<failed-old@t>"}


@pytest.mark.clause("changes.subscribe")
def test_subscriptions_are_kept_while_subscribed_and_reported(store: Store) -> None:
    long_ago = NOW - dt.timedelta(days=10 * 365)
    with store.session() as s:
        request = _message("<subscribe@x>", long_ago, route="policy_updates")
        s.add(request)
        s.flush()
        s.add(
            PolicySubscription(
                address="reader@example.com",
                verified=True,
                message_id=request.id,
                created_at=long_ago,
            )
        )
    result = sweep(store, now=NOW)
    assert result.kept == KEPT
    assert "policy_subscriptions" not in result.deleted
    assert result.not_swept == []
    with store.session() as s:
        assert _count(s, PolicySubscription) == 1
        # The request behind a live subscription stays with it.
        assert _count(s, RightsMessage) == 1
