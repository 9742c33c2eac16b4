"""The retention sweep: apply the policy's retention rules, and nothing more.

Rules come from each category's `retention` in the policy:
- `fixed_period` (website activity, ad clicks, rights requests): rows older
  than `days` go;
- `until_customer_deletes` (voicemail): never touched by this sweep — the
  policy: "stores customers' voice mail messages until the customer deletes
  them" (collect.service_use.voicemail); a closed account's mailboxes go
  with its other data (below);
- `while_customer`: kept while the business is a customer; closing an
  account (`tutela accounts close`, audited) starts the former-customer
  rules, which `tutela retention run` applies in
  `tutela.collect.former_customers`, legal holds included.

A table is swept only if every personal column it holds belongs to a
fixed-period category. Most such tables name their age column in
`AGE_COLUMNS`. The tables of the access-request workflow (`CASE_AWARE`)
are swept by what their rows belong to (rights_requests: "Records of
requests are kept 24 months (CCPA regulations); data collected for
verification is deleted when the case closes"; rights.access.request,
rights.access.verification, changes.subscribe):
- `sar_verification_data` (with the one-time code hashes and the claimed
  phone number) of every closed case (`CLOSED_CASE_STATES`), whatever its
  age. Closing a case in `tutela.rights.cases` already deletes them in the
  same transaction; the sweep catches anything that escaped it;
- a closed case goes `days` after it closed (`closed_at`, else the time of
  its closing event), with everything of it: its messages, its outgoing mail
  (sent or not), its events, challenges, exports (a zip not yet shredded is
  shredded) and download links. A message or mail that joined it after it
  closed postpones this until that one, too, is `days` old. An open case is
  never swept, however old; a closed case with no closing time at all is
  kept;
- a message not tied to a case (legal inbox, policy-update requests) goes
  `days` after it was received, unless it is the request behind a
  subscription that still exists;
- outgoing mail not tied to a case goes `days` after it was sent; unsent
  mail is never deleted (`tutela.mail.outbox` already erases the bodies
  that carry codes or links once sent);
- `policy_subscriptions` are kept while subscribed; unsubscribing deletes
  the row (`tutela.changes.subscriptions.unsubscribe`), so no row outlives
  its subscription; the sweep reports the table in `kept` with its reason
  instead of skipping it silently.

A fixed-period table that is in neither `AGE_COLUMNS` nor `CASE_AWARE` is
reported in `not_swept` (never silently skipped). Every deletion is counted
in `deleted` (per table, zero included), what is destroyed in place in
`cleared` (claimed phone numbers, export zips), and the ids of the deleted
cases in `cases_deleted`; `tutela retention run` appends all of it to the
audit log (counts and surrogate ids only, as the log holds no personal data).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Date, Table, delete, exists, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from tutela.errors import NotFound
from tutela.policy import Policy, RetentionRule
from tutela.store import BlobStore, Store, utcnow
from tutela.store.models import (
    CLOSED_CASE_STATES,
    AdClick,
    AdClickTotal,
    Base,
    DownloadToken,
    ExportBundle,
    OutboxMessage,
    PolicySubscription,
    RightsMessage,
    SarCase,
    SarCaseEvent,
    VerificationChallenge,
    VerificationEvidence,
    WebVisit,
)

log = logging.getLogger(__name__)

# table -> the column that says how old a row is
AGE_COLUMNS: dict[str, ColumnElement[Any]] = {
    WebVisit.__tablename__: WebVisit.__table__.c.viewed_at,
    AdClick.__tablename__: AdClick.__table__.c.clicked_at,
    AdClickTotal.__tablename__: AdClickTotal.__table__.c.day,
}

# Tables of the access-request workflow, swept by case (see the module docstring).
CASE_AWARE = frozenset(
    {
        SarCase.__tablename__,
        VerificationEvidence.__tablename__,
        RightsMessage.__tablename__,
        OutboxMessage.__tablename__,
        PolicySubscription.__tablename__,
    }
)

# table -> why its rows stay although its category has a fixed period
KEPT = {
    PolicySubscription.__tablename__: "while subscribed; "
    "unsubscribing deletes the subscription at once",
}

# Rows of one case, children first: everything goes when the case goes.
_CASE_ROWS: tuple[type[Base], ...] = (
    DownloadToken,
    ExportBundle,
    VerificationChallenge,
    VerificationEvidence,
    SarCaseEvent,
    RightsMessage,
    OutboxMessage,
)
_BATCH = 500


@dataclass
class SweepResult:
    now: dt.datetime
    deleted: dict[str, int] = field(default_factory=dict)
    cleared: dict[str, int] = field(default_factory=dict)
    cases_deleted: list[int] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    kept_forever: list[str] = field(default_factory=list)
    not_swept: list[str] = field(default_factory=list)

    def count(self, table: str, rows: int) -> None:
        self.deleted[table] = self.deleted.get(table, 0) + rows

    def as_dict(self) -> dict[str, Any]:
        return {
            "now": self.now.isoformat(),
            "deleted": self.deleted,
            "cleared": self.cleared,
            "cases_deleted": self.cases_deleted,
            "kept": self.kept,
            "kept_until_customer_deletes": self.kept_forever,
            "not_swept": self.not_swept,
        }


def table_categories(table: Table) -> set[str]:
    return {str(c.info["category"]) for c in table.columns if "category" in c.info}


def sweepable_tables(policy: Policy) -> dict[str, int]:
    """Tables whose personal data all falls under fixed periods -> the period in days."""
    periods = {
        c.id: c.retention.days
        for c in policy.meaning.categories
        if c.retention.rule is RetentionRule.fixed_period and c.retention.days
    }
    out: dict[str, int] = {}
    for table in Base.metadata.sorted_tables:
        cats = table_categories(table)
        if cats and cats <= set(periods):
            out[table.name] = min(periods[c] for c in cats)
    return out


def sweep(store: Store, *, now: dt.datetime | None = None) -> SweepResult:
    """Delete what the policy's fixed retention periods say is too old."""
    policy = store.policy()
    now = now or utcnow()
    now = now.astimezone(dt.UTC) if now.tzinfo else now.replace(tzinfo=dt.UTC)
    result = SweepResult(now=now)
    result.kept_forever = sorted(
        c.id
        for c in policy.meaning.categories
        if c.retention.rule is RetentionRule.until_customer_deletes
    )
    periods = sweepable_tables(policy)
    with store.session() as session:
        for name, days in sorted(periods.items()):
            age = AGE_COLUMNS.get(name)
            if age is None:
                if name not in CASE_AWARE:
                    result.not_swept.append(name)
                continue
            cutoff: dt.date | dt.datetime = now - dt.timedelta(days=days)
            if isinstance(age.type, Date):
                cutoff = cutoff.date() if isinstance(cutoff, dt.datetime) else cutoff
            table = Base.metadata.tables[name]
            result.count(
                name, _rows(session.execute(delete(table).where(age < cutoff)))
            )
        if periods.keys() & CASE_AWARE:
            _sweep_requests(store, session, periods, result)
    log.info(
        "retention.swept tables=%d rows=%d cases=%d not_swept=%d",
        len(result.deleted),
        sum(result.deleted.values()),
        len(result.cases_deleted),
        len(result.not_swept),
    )
    return result


def _rows(outcome: object) -> int:
    return max(int(getattr(outcome, "rowcount", 0) or 0), 0)


def _batches(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def _closing_time() -> ColumnElement[Any]:
    """When a case closed: `closed_at`, else the time of its closing event."""
    closing_event = (
        select(func.max(SarCaseEvent.created_at))
        .where(
            SarCaseEvent.case_id == SarCase.id,
            SarCaseEvent.to_state.in_(CLOSED_CASE_STATES),
        )
        .scalar_subquery()
    )
    return func.coalesce(SarCase.closed_at, closing_event)


def _sweep_requests(
    store: Store, session: Session, periods: dict[str, int], result: SweepResult
) -> None:
    """The access-request records: by case, by sending, by subscription."""
    now = result.now
    closed = select(SarCase.id).where(SarCase.state.in_(CLOSED_CASE_STATES))
    if VerificationEvidence.__tablename__ in periods:
        # Data collected for verification goes when the case closes, whatever its age.
        for model in (VerificationEvidence, VerificationChallenge):
            outcome = session.execute(delete(model).where(model.case_id.in_(closed)))
            result.count(model.__tablename__, _rows(outcome))
        cleared = session.execute(
            update(SarCase)
            .where(
                SarCase.state.in_(CLOSED_CASE_STATES), SarCase.subject_e164.is_not(None)
            )
            .values(subject_e164=None)
            .execution_options(synchronize_session=False)
        )
        result.cleared["subject_e164"] = _rows(cleared)
    if SarCase.__tablename__ in periods:
        cutoff = now - dt.timedelta(days=periods[SarCase.__tablename__])
        # A message that reached a closed case since (a late reply) is a record
        # too: the case waits until that message is past the period as well.
        late_message = exists().where(
            RightsMessage.case_id == SarCase.id, RightsMessage.received_at >= cutoff
        )
        late_mail = exists().where(
            OutboxMessage.case_id == SarCase.id, OutboxMessage.created_at >= cutoff
        )
        due = list(
            session.scalars(
                select(SarCase.id)
                .where(
                    SarCase.state.in_(CLOSED_CASE_STATES),
                    _closing_time() < cutoff,
                    ~late_message,
                    ~late_mail,
                )
                .order_by(SarCase.id)
            )
        )
        for table in (*(m.__tablename__ for m in _CASE_ROWS), SarCase.__tablename__):
            result.count(table, 0)
        result.cleared.setdefault("export_zips", 0)
        for batch in _batches(due):
            _delete_cases(store, session, batch, result)
        result.cases_deleted = due
    if RightsMessage.__tablename__ in periods:
        cutoff = now - dt.timedelta(days=periods[RightsMessage.__tablename__])
        subscribed = exists().where(PolicySubscription.message_id == RightsMessage.id)
        outcome = session.execute(
            delete(RightsMessage).where(
                RightsMessage.case_id.is_(None),
                RightsMessage.received_at < cutoff,
                ~subscribed,
            )
        )
        result.count(RightsMessage.__tablename__, _rows(outcome))
    if OutboxMessage.__tablename__ in periods:
        cutoff = now - dt.timedelta(days=periods[OutboxMessage.__tablename__])
        outcome = session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.case_id.is_(None),
                OutboxMessage.status == "sent",
                OutboxMessage.sent_at < cutoff,
            )
        )
        result.count(OutboxMessage.__tablename__, _rows(outcome))
    for table, reason in KEPT.items():
        if table in periods:
            result.kept[table] = reason


def _delete_cases(
    store: Store, session: Session, case_ids: Sequence[int], result: SweepResult
) -> None:
    """Delete cases and every row of them; shred export zips still held."""
    held = list(
        session.scalars(
            select(ExportBundle.blob_id).where(
                ExportBundle.case_id.in_(case_ids),
                ExportBundle.blob_id.is_not(None),
                ExportBundle.shredded_at.is_(None),
            )
        )
    )
    blobs = BlobStore.in_data_dir(store.data_dir)
    for blob_id in held:
        if blob_id is None:
            continue
        try:
            blobs.shred(session, blob_id)
        except NotFound:
            continue
        result.cleared["export_zips"] += 1
    for model in _CASE_ROWS:
        column = model.__table__.c.case_id
        outcome = session.execute(delete(model).where(column.in_(case_ids)))
        result.count(model.__tablename__, _rows(outcome))
    outcome = session.execute(delete(SarCase).where(SarCase.id.in_(case_ids)))
    result.count(SarCase.__tablename__, _rows(outcome))
