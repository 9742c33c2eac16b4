"""Staff e-mail alerts: a new request, one that needs an officer, one due soon.

Clause: rights.access (requests are answered within their legal deadline:
the privacy officers hear of each new case and of each case whose deadline
is near). An alert names the case by reference, state, rule and deadline,
with a link to its console page; never the requester or any personal value.
It goes through the transactional outbox to every active privacy officer.

A request whose address or line is held by more than one person today
(`tutela.rights._settle`: a code cannot tell them apart) waits for an
officer to decide whose it is, and the officers are told at once.

`send_alerts` is idempotent: a new-case alert and an ambiguous-holder alert
go once per case, a due-soon alert once per case and UTC day; each sent alert is a noted
event on the case (`sar.alerted_new`; `sar.alerted_due`, its note naming
the UTC day) in the same transaction as its mail, which is how a re-run
knows. Without an officer
to tell nothing is sent and nothing noted, so the alert waits for one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from tutela.auth.user_admin import officer_addresses
from tutela.config import Settings
from tutela.mail.outbox import enqueue
from tutela.rights.cases import OPEN, CaseView, changing, list_cases
from tutela.rights.cooling_off import replies_waiting_on
from tutela.store import Store, utcnow
from tutela.store.models import SarCaseEvent

ALERT_ACTOR = "system:support_inbox"
NEW, DUE, AMBIGUOUS = "alerted_new", "alerted_due", "alerted_ambiguous"
REPLY = "alerted_erasure_reply"
AMBIGUOUS_NOTE = "ambiguous_holders"


@dataclass(frozen=True)
class AlertReport:
    new: int
    due: int
    officers: int

    def as_dict(self) -> dict[str, int]:
        return {"new": self.new, "due": self.due, "officers": self.officers}


def _noted(store: Store, note: str, *, prefix: bool = False) -> set[int]:
    """Ids of the cases with an event whose note is `note` (or starts with it)."""
    match = SarCaseEvent.note.startswith(note) if prefix else SarCaseEvent.note == note
    with store.session() as session:
        return set(session.scalars(select(SarCaseEvent.case_id).where(match)))


def _body(case: CaseView, link: str, why: str) -> str:
    return (
        f"{why}\n\n"
        f"Case: {case.ref} ({case.state}, received by {case.channel})\n"
        f"Deadline rule: {case.deadline_rule}\n"
        f"Due: {case.due:%Y-%m-%d %H:%M} UTC {case.due_status or ''}\n\n"
        f"Open it in the console: {link}\n"
    )


def _alert(
    store: Store,
    settings: Settings,
    case: CaseView,
    officers: list[str],
    *,
    note: str,
    subject: str,
    why: str,
    text: str | None = None,
) -> None:
    link = settings.public_link(f"/console/sar/{case.id}")
    with changing(store, case.id) as change:
        for address in officers:
            # No case_id: staff mail is not part of the requester's records.
            enqueue(
                change.session,
                kind="staff_alert",
                to=address,
                subject=subject,
                body=_body(case, link, why),
                sender=settings.mail_from,
            )
        change.note(
            note, actor=ALERT_ACTOR, details={"officers": len(officers)}, text=text
        )


def send_alerts(
    store: Store, *, settings: Settings, now: dt.datetime | None = None
) -> AlertReport:
    """Queue the alerts that are due now; see the module docstring."""
    moment = now or utcnow()
    officers = officer_addresses(store)
    if not officers:
        return AlertReport(0, 0, 0)
    today = f"{DUE} {moment.date().isoformat()}"
    told_new = _noted(store, NEW)
    told_due = _noted(store, today)
    ambiguous = _noted(store, AMBIGUOUS_NOTE, prefix=True) - _noted(store, AMBIGUOUS)
    told_reply = _noted(store, REPLY)
    new = due = 0
    for case in list_cases(store, now=moment):
        if case.state not in OPEN:
            continue
        if case.id not in told_new:
            _alert(
                store,
                settings,
                case,
                officers,
                note=NEW,
                subject=f"New access request {case.ref}",
                why="A new access request arrived.",
            )
            new += 1
        if case.id in ambiguous:
            _alert(
                store,
                settings,
                case,
                officers,
                note=AMBIGUOUS,
                subject=f"Request {case.ref} needs an officer",
                why="The address or line this request came from is held by more "
                "than one person today; a code cannot tell them apart. Decide "
                "whose request it is (a call-back to one person's line, or a "
                "two-officer override naming the person).",
            )
        if (
            case.erase_after is not None
            and case.id not in told_reply
            and replies_waiting_on(store, case.id)
        ):
            _alert(
                store,
                settings,
                case,
                officers,
                note=REPLY,
                subject=f"A reply arrived on the scheduled erasure {case.ref}",
                why="A message about this erasure request (a reply, or one "
                "quoting its reference) arrived after its notice went to the "
                "addresses on file. The erasure waits until it is read: stop "
                "the erasure, or erase with `--replies-read` if it does not object.",
            )
        if case.due_status in ("due_soon", "overdue") and case.id not in told_due:
            _alert(
                store,
                settings,
                case,
                officers,
                note=DUE,
                subject=f"Access request {case.ref} is {case.due_status.replace('_', ' ')}",
                why="An access request needs an answer soon.",
                text=today,
            )
            due += 1
    return AlertReport(new, due, len(officers))
