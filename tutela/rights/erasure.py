"""Fulfil an erasure request: per category, what is erased, what is kept and why.

Clauses: rights.access (the export told the subject "you may ask us to
correct or delete data"), rights.access.request and
rights.access.verification (an erasure comes through the same intake,
verification and deadlines as access, but it needs the proof an
irreversible action needs (`tutela.rights.proof`), a notice to every
address on file and a cooling-off period in which the person can stop it
(`tutela.rights.cooling_off`); only what the verification proved is theirs
is reached), disclose.processors and disclose.jurisdictions (the disclosure
ledger's recipients are named so they can be told), and the `while_customer`
retention of every category ("then as the law requires": a legal hold,
`TUTELA_LEGAL_HOLDS`, keeps a category with its reason and end).

What is the subject's is decided exactly as for an access export
(`tutela.rights.export.collect.collect_subject`, through the purpose gate):
an erased subject is then gone from every table, blob, export and the
mention index (`tutela.collect.erasure` does the writes), while:

- the record of their requests is kept without their address or words
  (`tutela.rights._forget`; CCPA keeps request records 24 months), except
  the address that asked for this erasure (`erasure_requester`), kept with
  the case as evidence of who asked;
- the business account's own payment and porting records stay (they are
  the customer's, kept while it is a customer), with any field that holds
  the subject's name or address blanked;
- the audit log keeps its entries: they hold only surrogate ids, never
  values, so the chain still verifies;
- the disclosure ledger keeps its records (surrogate ids); its recipients
  are listed in the outcome, processors among them to be told to erase
  their copy.

The plan's outcome (counts, reasons, recipients; never a value) is stored
on the case and told to the subject in the response mail.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

from sqlalchemy import select

from tutela.collect.erasure import SubjectRows, erase_subject
from tutela.config import Settings
from tutela.disclose.ledger import ledger_for_subject
from tutela.errors import Conflict
from tutela.legal_holds import check_holds, hold_on
from tutela.policy import RecipientKind
from tutela.rights import cooling_off
from tutela.rights._forget import forget_requests
from tutela.rights.cases import CaseView, State, a_kind, changing, show_case
from tutela.rights.decisions import _notify, reply_channel
from tutela.rights.export.collect import collect_subject
from tutela.rights.export.sections import EXPORT_ACTOR, SubjectData
from tutela.rights.export.subject import case_subject
from tutela.rights.proof import Action, level_of, require
from tutela.store import BlobStore, Store, utcnow
from tutela.store.models import SarCase

# Categories an erasure reaches through the subject's rows.
SUBJECT_CATEGORIES = (
    "business_contact",
    "phone_numbers",
    "call_records",
    "voicemail",
    "call_recordings",
    "communications",
)
ALWAYS_KEPT = {
    "payment": "the business account's card on file, not yours: kept while the "
    "business is a customer; a billing field holding your address is erased",
    "porting": "the business account's porting record, not yours: kept while "
    "the business is a customer; a field holding your name or address is erased",
    "rights_requests": "the record of your requests (when, what kind, how we "
    "answered) is kept 24 months as the law requires (CCPA); your messages in "
    "it are erased, and the address that asked for this erasure is kept with "
    "it as evidence of who asked",
    "audit_log": "our tamper-evident log holds only surrogate ids, never your data",
}
NOT_LINKED = ("web_activity", "ad_clicks")
PARTLY_KEPT = {
    "phone_numbers": {
        "kept": "a line the business assigned you stays the business's number, "
        "assigned to no one; its assignment to you is erased"
    },
}


@dataclass
class ErasurePlan:
    """Per category: erased (a count) or kept (a reason and an end); no values."""

    categories: dict[str, dict[str, object]] = field(default_factory=dict)
    recipients: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"categories": self.categories, "recipients_to_inform": self.recipients}


def subject_rows(data: SubjectData) -> SubjectRows:
    """The ids of everything an export of the subject holds, and their values."""
    values: set[str] = set()
    for row in data.section("people").rows:
        for key in ("name", "email", "phone", "street"):
            if row.get(key):
                values.add(str(row[key]))
    for row in data.section("phone_numbers").rows:
        if row.get("kind") == "number" and row.get("number"):
            values.add(str(row["number"]))
    sides: dict[int, tuple[bool, bool]] = {}
    for row in data.section("call_records").rows:
        direction = row["direction"]
        sides[int(row["call_id"])] = (
            direction in ("placed", "internal"),
            direction in ("received", "internal"),
        )
    comms = data.section("communications").rows
    return SubjectRows(
        person_ids=list(data.person_ids),
        call_sides=sides,
        voicemail_ids=[int(r["voicemail_id"]) for r in data.section("voicemails").rows],
        recording_ids=[
            int(r["recording_id"]) for r in data.section("call_recordings").rows
        ],
        own_communication_ids=[
            int(r["communication_id"]) for r in comms if r["relation"] == "yours"
        ],
        mentioning_communication_ids=[
            int(r["communication_id"]) for r in comms if r["relation"] != "yours"
        ],
        values=frozenset(values),
    )


def _held(rows: SubjectRows, held: set[str]) -> SubjectRows:
    """`rows` without the categories a legal hold keeps."""
    return SubjectRows(
        person_ids=[] if "business_contact" in held else rows.person_ids,
        call_sides={} if "call_records" in held else rows.call_sides,
        voicemail_ids=[] if "voicemail" in held else rows.voicemail_ids,
        recording_ids=[] if "call_recordings" in held else rows.recording_ids,
        own_communication_ids=[]
        if "communications" in held
        else rows.own_communication_ids,
        mentioning_communication_ids=[]
        if "communications" in held
        else rows.mentioning_communication_ids,
        values=rows.values,
    )


def _recipients(store: Store, person_ids: list[int]) -> list[dict[str, object]]:
    """Who received the subject's data (allowed disclosures), processors flagged."""
    found: dict[str, dict[str, object]] = {}
    for person_id in person_ids:
        for entry in ledger_for_subject(store, person_id, actor=EXPORT_ACTOR):
            if not entry.allowed:
                continue
            seen = found.setdefault(
                entry.recipient,
                {
                    "recipient": entry.recipient,
                    "kind": entry.recipient_kind,
                    "categories": [],
                    "action": "ask to erase their copy"
                    if entry.recipient_kind == RecipientKind.processor
                    else "inform of the erasure",
                },
            )
            cats = seen["categories"]
            assert isinstance(cats, list)
            seen["categories"] = sorted(set(cats) | set(entry.categories))
    return [found[k] for k in sorted(found)]


def erase_case(
    store: Store,
    case_id: int,
    *,
    actor: str,
    settings: Settings,
    now: dt.datetime | None = None,
    replies_read: bool = False,
) -> CaseView:
    """A verified erasure case: first its notice and cooling-off, then the erasure.

    `replies_read`: the officer read the messages about the case that
    arrived after its verification and none objects (they are marked
    handled, audited); without it any such message holds the erasure.

    The case must be verified at the level an erasure needs
    (`tutela.rights.proof`). The first call tells every address on file and
    schedules the erasure (`tutela.rights.cooling_off`); a call once the
    cooling-off period has passed erases the subject (verified, or fee
    paid -> fulfilled).
    """
    moment = now or utcnow()
    policy = store.policy()
    holds = settings.legal_holds
    check_holds(holds, policy.category_ids())
    if replies_read:
        cooling_off.mark_replies_read(store, case_id, actor=actor, now=moment)
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise Conflict(f"case {case_id} does not exist; see `tutela sar list`")
        _check_ready(case)
        require(Action.erasure, level_of(case.verification_level), case_id=case_id)
        if case.erase_after is None:
            scheduled = False
        else:
            scheduled = True
            cooling_off.check_due(store, case, moment)
        subject = case_subject(case)
        addresses = {case.requester_address or ""}
    if not scheduled:
        return cooling_off.schedule(
            store, case_id, actor=actor, settings=settings, now=moment
        )
    to = reply_channel(store, case_id)  # before the people it reads are erased
    data = collect_subject(
        store,
        subject.person_ids,
        policy=policy,
        proven_emails=subject.proven_emails,
        extra_claims=subject.claims,
        case_id=case_id,
    )
    rows = subject_rows(data)
    addresses |= {str(r["email"]) for r in data.section("people").rows if r["email"]}
    addresses |= {c.value for c in subject.claims if c.kind == "email"}
    held = {
        c: h
        for c in (*SUBJECT_CATEGORIES, *ALWAYS_KEPT)
        if (h := hold_on(holds, c, since=moment, now=moment)) is not None
    }
    plan = ErasurePlan(recipients=_recipients(store, rows.person_ids))
    case_refs = {str(r["case_ref"]) for r in data.section("access_requests").rows}
    blobs = BlobStore.in_data_dir(store.data_dir)
    with changing(store, case_id) as change:
        _check_ready(change.case)
        cooling_off.check_due(store, change.case, moment, replies=False)
        erased = erase_subject(change.session, blobs, _held(rows, set(held)))
        case_ids = set(
            change.session.scalars(
                select(SarCase.id).where(SarCase.ref.in_(sorted(case_refs)))
            )
        ) | {case_id}
        forgotten = forget_requests(
            change.session, blobs, case_ids=case_ids, addresses=addresses
        )
        change.case.stop_digest = None
        for category in SUBJECT_CATEGORIES:
            hold = held.get(category)
            plan.categories[category] = (
                {"erased": False, "kept": hold.reason, **hold.describe(moment)}
                if hold is not None
                else {"erased": True, **PARTLY_KEPT.get(category, {})}
            )
        for category, reason in ALWAYS_KEPT.items():
            hold = held.get(category)
            plan.categories[category] = {
                "erased": False,
                "kept": hold.reason if hold else reason,
                **(hold.describe(moment) if hold else {}),
            }
        for category in NOT_LINKED:
            plan.categories[category] = {
                "erased": False,
                "kept": "not linked to any person: it cannot be found for you",
            }
        counts = erased.as_dict() | {"requests": forgotten}
        change.case.outcome = json.dumps(plan.as_dict() | {"counts": counts})
        change.move(State.fulfilled, actor=actor, details={"erasure": counts})
        _notify(
            store,
            settings,
            change,
            "sar_erasure",
            erasure_message(change.case.ref, plan),
            to,
        )
    _checkpoint(store)
    return show_case(store, case_id)


def _check_ready(case: SarCase) -> None:
    if case.kind != "erasure":
        raise Conflict(f"case {case.id} is {a_kind(case.kind)} request, not an erasure")
    state = State(case.state)
    if state is State.fee_requested and case.fee_paid_at is None:
        raise Conflict(f"case {case.id} awaits its fee; record payment first")
    if state not in (State.verified, State.fee_requested):
        raise Conflict(
            f"case {case.id} is {state}; only a verified request can erase anything"
        )


def _checkpoint(store: Store) -> None:
    """On SQLite, fold the write-ahead log into the (zeroed) database file."""
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def erasure_message(ref: str, plan: ErasurePlan) -> tuple[str, str]:
    """The response: what was erased, what was kept and why (no values)."""
    lines = [f"We have acted on your erasure request {ref}.", ""]
    erased = [c for c, v in plan.categories.items() if v.get("erased")]
    lines.append("Erased: " + (", ".join(c.replace("_", " ") for c in erased) or "-"))
    lines.append("")
    lines.append("Kept, and why:")
    for category, verdict in plan.categories.items():
        if not verdict.get("kept"):
            continue
        until = f" (until {verdict['until']})" if verdict.get("until") else ""
        lines.append(f"- {category.replace('_', ' ')}: {verdict['kept']}{until}")
    if plan.recipients:
        lines.append("")
        lines.append("We are telling those we disclosed your data to:")
        for r in plan.recipients:
            lines.append(f"- {r['recipient']}: {r['action']}")
    return f"Decision on your erasure request [{ref}]", "\n".join(lines) + "\n"


__all__ = ["ErasurePlan", "erase_case", "erasure_message", "subject_rows"]
