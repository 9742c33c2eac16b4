"""Before an erasure runs: a notice to every address on file, and time to stop it.

Clause: rights.access.verification, graded by harm (`tutela.rights.proof`:
an erasure is irreversible). The first `tutela sar erase` of a verified
case does not erase: it tells every address on file for the subject
(contact and sign-in addresses, not only the requester's) that an erasure
was asked for, when it will run and how to stop it, and keeps the
requester's address on the case as evidence of who asked (the person erased
is not always the requester). The erasure runs on a later `sar erase` once
`Settings.erasure_cooling_off_days` have passed.

The person stops it with the single-use link in the notice (only its
digest is kept), or staff stop it on their word (`tutela sar stop-erasure`):
a reply to the notice that joins the case blocks the erasure until staff
have read it (`replies_waiting`, and an alert to the officers);
either closes the case as rejected, reason `stopped_by_subject`, and tells
the requester.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_, select

from tutela.access import Actor, access
from tutela.audit import record
from tutela.config import Settings
from tutela.errors import Conflict, NotFound
from tutela.mail.outbox import enqueue
from tutela.rights import _people
from tutela.rights.cases import CaseView, Change, State, aware, changing, show_case
from tutela.rights.decisions import _notify, reply_channel
from tutela.rights.export.subject import case_subject
from tutela.store import Store, new_token, token_digest, utcnow
from tutela.store.models import RightsMessage, SarCase

STOP_PATH = "/rights/erasure/stop"
STOPPED = "stopped_by_subject"
INBOX = Actor.system("support_inbox")
PURPOSE = "respond_to_requests"


def notice_addresses(
    store: Store, case: SarCase, settings: Settings, now: dt.datetime
) -> list[str]:
    """Every address on file for the case's subject: contact and sign-in addresses.

    An address a correction replaced within the last
    `corrected_contact_days` is told too (the new one may be an
    attacker's). A subject who is no customer contact (a subscriber) is
    their address.
    """
    subject = case_subject(case)
    recently = now - dt.timedelta(days=settings.corrected_contact_days)
    found = set(_people.addresses_of(store, subject.person_ids, ended_since=recently))
    found |= {c.value for c in subject.claims if c.kind == "email"}
    return sorted(found)


def schedule(
    store: Store, case_id: int, *, actor: str, settings: Settings, now: dt.datetime
) -> CaseView:
    """Send the notice, set when the erasure may run, keep who asked."""
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        to = notice_addresses(store, case, settings, now)
    runs_at = now + dt.timedelta(days=settings.erasure_cooling_off_days)
    token = new_token()
    with changing(store, case_id) as change:
        case = change.case
        if case.erase_after is not None:
            raise Conflict(f"case {case_id}: the erasure is already scheduled")
        case.erase_after = runs_at
        case.stop_digest = token_digest(token)
        case.erasure_requester = case.requester_address
        link = settings.public_link(f"{STOP_PATH}/{token}")
        subject, body = notice_message(case.ref, case.received_at, runs_at, link)
        for address in to:
            enqueue(
                change.session,
                kind="sar_erasure_notice",
                to=address,
                subject=subject,
                body=body,
                sender=settings.mail_from,
                case_id=case.id,
            )
        change.note(
            "erasure_scheduled",
            actor=actor,
            details={"notified": len(to), "erase_after": runs_at.isoformat()},
            text=f"erasure_scheduled: runs no earlier than {runs_at:%Y-%m-%d %H:%M} UTC",
        )
    return show_case(store, case_id)


def check_due(
    store: Store, case: SarCase, now: dt.datetime, *, replies: bool = True
) -> None:
    """Refuse to erase before the cooling-off period has ended, or past a reply.

    The notice invites a reply quoting the reference: a message that joined
    the case after it was verified blocks the erasure until staff read it
    and mark it handled (`tutela inbox route ID --to general`), or stop it.
    """
    runs_at = aware(case.erase_after)
    assert runs_at is not None
    if now < runs_at:
        raise Conflict(
            f"case {case.id}: the erasure is scheduled; it runs no earlier than "
            f"{runs_at:%Y-%m-%d %H:%M} UTC, after the person was told and could "
            "stop it"
        )
    # Read through the gate on its own: not from inside a write (`replies`).
    unread = replies_waiting(store, case) if replies else []
    if unread:
        raise Conflict(
            f"case {case.id}: {len(unread)} message(s) about this case arrived "
            f"after it was verified (inbox {', '.join(map(str, unread))}); read "
            "them (the case page, `tutela inbox show ID`), then run `tutela sar "
            f"erase {case.id} --replies-read` if none objects, or stop the "
            "erasure (`tutela sar stop-erasure`)"
        )


def _about_the_case(case: SarCase) -> list[ColumnElement[bool]]:
    """Messages about the case: joined to it, or quoting its reference.

    A reply from webmail, a phone or another mailbox often carries no
    threading headers, so it lands in the legal inbox; quoting the
    reference, as the notice asks, is enough to hold the erasure.
    """
    since = aware(case.verified_at)
    assert since is not None
    about = or_(
        RightsMessage.case_id == case.id,
        and_(
            RightsMessage.case_id.is_(None),
            RightsMessage.subject.contains(case.ref, autoescape=True),
        ),
    )
    return [
        about,
        RightsMessage.received_at >= since,
        RightsMessage.handled_at.is_(None),
    ]


def _detached(store: Store, case_id: int) -> SarCase | None:
    """The case row, usable after its session (for reads through the gate)."""
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is not None:
            session.expunge(case)
        return case


def replies_waiting_on(store: Store, case_id: int) -> list[int]:
    """`replies_waiting` for the case with this id (none for an unknown case)."""
    case = _detached(store, case_id)
    return [] if case is None else replies_waiting(store, case)


def replies_waiting(store: Store, case: SarCase) -> list[int]:
    """Inbox ids of unhandled messages about the case since its verification."""
    if aware(case.verified_at) is None:
        return []
    with access(store, actor=INBOX, purpose=PURPOSE) as use:
        rows = use.rows(
            RightsMessage.id,
            where=_about_the_case(case),
            order_by=[RightsMessage.id],
        )
    return [int(r[0]) for r in rows]


def mark_replies_read(
    store: Store, case_id: int, *, actor: str, now: dt.datetime | None = None
) -> int:
    """An officer read the messages holding an erasure and none objects; how many.

    Each is marked handled by the officer, and the act is audited: the
    erasure may then run.
    """
    moment = now or utcnow()
    case = _detached(store, case_id)
    if case is None:
        raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
    if case.erase_after is None:
        raise Conflict(f"case {case_id} has no scheduled erasure")
    waiting = replies_waiting(store, case)
    if not waiting:
        return 0
    with store.writing() as session:
        for row in session.scalars(
            select(RightsMessage).where(RightsMessage.id.in_(waiting))
        ):
            row.handled_at, row.handled_by = moment, actor
    record(
        store,
        actor=actor,
        action="sar.erasure_replies_read",
        purpose=PURPOSE,
        details={"case_id": case_id, "messages": waiting},
    )
    return len(waiting)


def stop_erasure(
    store: Store,
    *,
    settings: Settings,
    token: str | None = None,
    case_id: int | None = None,
    actor: str,
) -> CaseView:
    """Stop a scheduled erasure by its notice's link (`token`) or by staff (`case_id`)."""
    if token is not None:
        with store.session() as session:
            found = session.scalar(
                select(SarCase.id).where(SarCase.stop_digest == token_digest(token))
            )
        if found is None:
            raise NotFound("this link stops nothing: it was used, or the erasure ran")
        case_id = int(found)
    if case_id is None:
        raise NotFound("name the case whose erasure to stop")
    to = reply_channel(store, case_id)
    with changing(store, case_id) as change:
        if token is not None and not _scheduled(change.case):
            raise NotFound("this link stops nothing: it was used, or the erasure ran")
        _stop_in(change, actor=actor)
        _notify(
            store,
            settings,
            change,
            "sar_erasure_stopped",
            stopped_message(change.case.ref),
            to,
        )
    return show_case(store, case_id)


def _scheduled(case: SarCase) -> bool:
    return (
        case.kind == "erasure"
        and case.erase_after is not None
        and State(case.state) in (State.verified, State.fee_requested)
    )


def _stop_in(change: Change, *, actor: str) -> None:
    case = change.case
    if not _scheduled(case):
        raise Conflict(f"case {case.id} has no scheduled erasure to stop")
    case.stop_digest = None
    case.decision_reason = STOPPED
    change.move(State.rejected, actor=actor, note=STOPPED, details={"reason": STOPPED})


def notice_message(
    ref: str, received: dt.datetime, runs_at: dt.datetime, link: str
) -> tuple[str, str]:
    """The notice to the addresses on file (no personal value in it)."""
    body = (
        f"On {received:%Y-%m-%d} we received a request to delete the personal "
        f"information we hold about you (reference {ref}).\n\n"
        f"Nothing has been deleted yet. The deletion will run no earlier than "
        f"{runs_at:%Y-%m-%d %H:%M} UTC.\n\n"
        "If you did not ask for this, or you want to keep your information, "
        f"stop it here before then:\n{link}\n\n"
        f"You can also reply to this message quoting {ref}, and we will stop it.\n"
    )
    return f"Request for Deletion of your personal information [{ref}]", body


def stopped_message(ref: str) -> tuple[str, str]:
    body = (
        f"Your Request for Deletion {ref} was stopped during the waiting period, "
        "by the person the information is about (or by us on their word). "
        "Nothing was deleted.\n"
    )
    return f"Decision on your Request for Deletion [{ref}]", body


__all__ = [
    "STOPPED",
    "STOP_PATH",
    "check_due",
    "mark_replies_read",
    "replies_waiting",
    "replies_waiting_on",
    "notice_addresses",
    "notice_message",
    "schedule",
    "stop_erasure",
    "stopped_message",
]
