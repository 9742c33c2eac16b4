"""The case state machine: legal moves only, each audited, with reasons and deadlines."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from tests.factories import add_staff, enter_code, staff_env
from tests.rights.conftest import OnFile, message
from tutela.cli.app import app
from tutela.config import Settings
from tutela.errors import Conflict, InvalidInput
from tutela.rights import decisions, verification
from tutela.rights.cases import list_cases, show_case
from tutela.rights.intake import intake_message, open_request
from tutela.store.db import Store
from tutela.store.models import AuditEntry, VerificationEvidence


def _verified_case(store: Store, settings: Settings) -> int:
    """A case verified by an override of two real privacy officers."""
    case_id = intake_message(store, message("plain.eml"), settings=settings).case_id
    assert case_id is not None
    first, second = add_staff(store), add_staff(store)
    verification.propose_override(
        store, case_id, staff=first.actor, reason="called back on file number"
    )
    verification.approve_override(store, case_id, staff=second.actor)
    return case_id


@pytest.mark.clause("rights.access")
def test_every_state_change_is_in_the_audit_log(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = _verified_case(store, settings)
    decisions.fulfil(store, case_id, export_ref="export-1", actor="staff:1")
    view = show_case(store, case_id)
    assert [e.to_state for e in view.events if e.from_state != e.to_state] == [
        "received",
        "verifying",
        "verified",
        "fulfilled",
    ]
    assert all(e.audit_seq is not None for e in view.events)
    with store.session() as session:
        actions = set(session.scalars(select(AuditEntry.action)))
    assert {"sar.received", "sar.verifying", "sar.verified", "sar.fulfilled"} <= actions


@pytest.mark.clause("rights.access.verification")
def test_an_unverified_case_cannot_be_fulfilled(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = intake_message(store, message("plain.eml"), settings=settings).case_id
    assert case_id is not None
    with pytest.raises(Conflict, match="cannot become fulfilled"):
        decisions.fulfil(store, case_id, export_ref="export-1", actor="staff:1")
    assert show_case(store, case_id).state == "verifying"


@pytest.mark.clause("rights.access.fee_or_reject")
def test_fee_needs_a_reason_and_payment_before_fulfilment(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = _verified_case(store, settings)
    view = decisions.request_fee(
        store,
        case_id,
        amount="25.00",
        reason="excessive",
        actor="staff:1",
        settings=settings,
    )
    assert view.state == "fee_requested" and view.decision_reason == "excessive"
    with pytest.raises(Conflict, match="awaits its fee"):
        decisions.fulfil(store, case_id, export_ref="e", actor="staff:1")
    decisions.record_fee_paid(store, case_id, actor="staff:1")
    assert (
        decisions.fulfil(store, case_id, export_ref="e", actor="staff:1").state
        == "fulfilled"
    )


@pytest.mark.clause("rights.access.fee_or_reject")
def test_rejection_notice_states_reason_and_right_to_complain(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = intake_message(store, message("plain.eml"), settings=settings).case_id
    assert case_id is not None
    (code,) = _codes(store)
    enter_code(store, settings, case_id, code)
    decisions.reject(
        store, case_id, reason="impractical", actor="staff:1", settings=settings
    )
    from tutela.store.models import OutboxMessage

    with store.session() as session:
        (notice,) = session.scalars(
            select(OutboxMessage).where(OutboxMessage.kind == "sar_rejection")
        )
        assert notice.to_address == ann.email
        assert "impractical" in (notice.body or "")
        assert "California Privacy Protection Agency" in (notice.body or "")


@pytest.mark.postgresql
@pytest.mark.clause("rights.access.fee_or_reject")
def test_repetitive_needs_an_earlier_request_within_twelve_months(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    first = _verified_case(store, settings)
    with pytest.raises(Conflict, match="repetitive"):
        decisions.reject(
            store, first, reason="repetitive", actor="staff:1", settings=settings
        )
    # A day later (a repeat within 24 hours joins the open case instead).
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=2)
    second = intake_message(
        store, message("reply_prefix.eml"), settings=settings, now=later
    ).case_id
    assert second is not None and second != first
    assert show_case(store, second, now=later).prior_requests == 1
    view = decisions.reject(
        store, second, reason="repetitive", actor="staff:1", settings=settings
    )
    assert view.state == "rejected"


@pytest.mark.clause("rights.access.verification")
def test_closing_a_case_deletes_verification_data(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = _verified_case(store, settings)
    with store.session() as session:
        held = session.scalar(select(func.count()).select_from(VerificationEvidence))
        assert held is not None and held > 0
    decisions.fulfil(store, case_id, export_ref="export-1", actor="staff:1")
    with store.session() as session:
        assert (
            session.scalar(select(func.count()).select_from(VerificationEvidence)) == 0
        )


@pytest.mark.clause("rights.access")
def test_extension_needs_notice_within_the_first_period(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    case_id = _verified_case(store, settings)
    view = show_case(store, case_id)
    assert view.deadline_rule == "ccpa"
    late = view.respond_by + dt.timedelta(days=1)
    with pytest.raises(Conflict, match="within the first period"):
        decisions.extend(
            store,
            case_id,
            reason="large volume of call records",
            actor="staff:1",
            settings=settings,
            now=late,
        )
    view = decisions.extend(
        store,
        case_id,
        reason="large volume of call records",
        actor="staff:1",
        settings=settings,
    )
    assert view.due == view.received_at + dt.timedelta(days=90)
    with pytest.raises(Conflict, match="already extended"):
        decisions.extend(
            store,
            case_id,
            reason="large volume of call records",
            actor="staff:1",
            settings=settings,
        )


@pytest.mark.postgresql
@pytest.mark.clause("rights.access")
def test_due_list_shows_overdue_and_due_soon_cases(
    store: Store, settings: Settings
) -> None:
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=40)
    old = open_request(
        store, email="nobody@example.net", settings=settings, now=long_ago
    )
    open_request(store, email="other@example.net", settings=settings)
    due = list_cases(store, due_only=True)
    assert [v.ref for v in due] == [old]
    assert due[0].due_status == "overdue"
    assert decisions.expire_overdue(store) == [due[0].id]
    assert show_case(store, due[0].id).state == "expired"


@pytest.mark.clause("rights.access")
def test_cli_list_due_show_and_decide(
    settings: Settings, ann: OnFile, store: Store
) -> None:
    case_id = _verified_case(store, settings)
    officer = add_staff(store)
    env = staff_env(settings, officer)
    runner = CliRunner()
    shown = runner.invoke(app, ["sar", "show", str(case_id), "--json"], env=env)
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["case"]["state"] == "verified"
    assert ann.email not in shown.stdout
    listed = runner.invoke(app, ["sar", "list", "--due", "--json"], env=env)
    assert json.loads(listed.stdout)["count"] == 0
    bad = runner.invoke(
        app,
        ["sar", "decide", str(case_id), "--reject", "because"],
        env=env,
    )
    assert isinstance(bad.exception, InvalidInput) and bad.exception.exit_code == 2
    done = runner.invoke(
        app,
        [
            "sar",
            "decide",
            str(case_id),
            "--fulfil",
            "--export-ref",
            "x1",
            "--json",
        ],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout)["case"]["state"] == "fulfilled"


def _codes(store: Store) -> list[str]:
    """Codes from pending outbox mail (test only: bodies are sealed at rest)."""
    import re

    from tutela.store.models import OutboxMessage

    with store.session() as session:
        bodies = session.scalars(
            select(OutboxMessage.body).where(OutboxMessage.kind == "sar_code")
        )
        return [
            m.group(1)
            for b in bodies
            if b and (m := re.search(r"code to confirm: (\d{8})", b))
        ]
