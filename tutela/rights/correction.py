"""Fulfil a correction request: the subject's own contact fields, set right.

Clauses: rights.access (the export told the subject "you may ask us to
correct or delete data"), rights.access.request and
rights.access.verification (a correction comes through the same intake,
verification and deadlines as access; only a verified case corrects, and
only a person the verification made its subject). The corrected values
come from the subject's request (staff read them out of it); each is
checked as on entry (`tutela.collect.correction`). The case's outcome
records which fields were corrected and the old value's fate (overwritten,
not kept), never a value; the audit log gets the same, by surrogate id.

Correcting a contact point (e-mail, phone) redirects every later code,
notice and export link, so it needs the proof of a redirect
(`tutela.rights.proof`: possession of a channel on file before the
request), and then:

- the new value is held from now on, never back-dated, and proves nothing
  until the single-use link sent to a new address is opened
  (`confirm_contact`); it verifies no access or erasure request until
  `Settings.corrected_contact_days` have passed;
- every address on file before the change is told, with the decision.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping

from sqlalchemy import select

from tutela.audit import record
from tutela.collect.accounts.holdings import confirm_corrected
from tutela.collect.correction import FIELDS, correct_person
from tutela.config import Settings
from tutela.errors import Conflict, Forbidden, InvalidInput, NotFound
from tutela.mail.outbox import enqueue
from tutela.rights import _people
from tutela.rights.cases import (
    PURPOSE,
    CaseView,
    Change,
    State,
    a_kind,
    changing,
    person_ids_of,
    show_case,
)
from tutela.rights.decisions import _notify, reply_channel
from tutela.rights.proof import (
    CONTACT_FIELDS,
    Action,
    correction_action,
    level_of,
    require,
)
from tutela.store import (
    Store,
    new_token,
    normalize_email,
    token_digest,
    utc_aware,
    utcnow,
)
from tutela.store.models import ContactConfirmation, SarCase

OLD_VALUE_FATE = "overwritten, not kept"
# An old address or number stays as the record of when it was the subject's
# (who held it at that time), ended now; the contact holds the new one.
OLD_CONTACT_FATE = "ended now; kept only as the record of when it was held"
CONFIRM_PATH = "/rights/contact/confirm"
CONFIRM_TTL = dt.timedelta(hours=48)
LINK_ACTOR = "public:contact_link"


def correct_case(
    store: Store,
    case_id: int,
    *,
    changes: Mapping[str, str],
    actor: str,
    settings: Settings,
    person_id: int | None = None,
    now: dt.datetime | None = None,
) -> CaseView:
    """verified correction case -> fulfilled, with the fields set as asked.

    The case must be verified at the level the fields need
    (`tutela.rights.proof.correction_action`).
    """
    if not changes:
        raise InvalidInput("name at least one field to correct", field="set")
    unknown = sorted(set(changes) - set(FIELDS))
    if unknown:
        raise InvalidInput(f"use fields from {sorted(FIELDS)}", field="set")
    with store.session() as session:
        case = session.get(SarCase, case_id)
        if case is None:
            raise NotFound(f"case {case_id} does not exist; see `tutela sar list`")
        _check_ready(case)
        subjects = person_ids_of(case)
        level = level_of(case.verification_level)
    if person_id is None:
        if len(subjects) != 1:
            raise InvalidInput(
                f"the case names {len(subjects)} people; say which (--person)",
                field="person",
            )
        person_id = subjects[0]
    if person_id not in subjects:
        raise Forbidden(
            f"person {person_id} is not a verified subject of case {case_id}"
        )
    action = correction_action(set(changes))
    require(action, level, case_id=case_id)
    moment = now or utcnow()
    to = reply_channel(store, case_id)
    if action is Action.correct_contact:
        # The addresses on file before the change hear of it.
        to = sorted(set(to) | set(_people.addresses_of(store, [person_id])))
    with changing(store, case_id) as change:
        _check_ready(change.case)
        done = []
        for field, value in sorted(changes.items()):
            result = correct_person(change.session, person_id, field, value)
            done.append(
                {
                    "person_id": person_id,
                    "field": field,
                    "changed": result.changed,
                    "old_value": OLD_CONTACT_FATE
                    if field in CONTACT_FIELDS
                    else OLD_VALUE_FATE,
                }
            )
            if field == "email" and result.holding_id is not None:
                _send_confirmation(
                    change, result.holding_id, value, settings=settings, now=moment
                )
        change.case.outcome = json.dumps({"corrections": done})
        change.move(State.fulfilled, actor=actor, details={"corrections": done})
        _notify(
            store,
            settings,
            change,
            "sar_correction",
            correction_message(change.case.ref, done),
            to,
        )
    return show_case(store, case_id)


def _send_confirmation(
    change: Change,
    holding_id: int,
    address: str,
    *,
    settings: Settings,
    now: dt.datetime,
) -> None:
    """A single-use link to the corrected address: it proves nothing until opened."""
    token = new_token()
    change.session.add(
        ContactConfirmation(
            holding_id=holding_id,
            case_id=change.case.id,
            token_hash=token_digest(token),
            expires_at=now + CONFIRM_TTL,
        )
    )
    link = settings.public_link(f"{CONFIRM_PATH}/{token}")
    subject, body = confirmation_message(change.case.ref, link, settings)
    enqueue(
        change.session,
        kind="sar_contact_confirm",
        to=normalize_email(address),
        subject=subject,
        body=body,
        sender=settings.mail_from,
        case_id=change.case.id,
    )


def confirm_contact(store: Store, token: str, *, now: dt.datetime | None = None) -> int:
    """Open a confirmation link: the corrected address may verify from now on.

    Returns the holding's id; `NotFound` for an unknown, used or expired link.
    """
    moment = now or utcnow()
    with store.writing() as session:
        row = session.scalars(
            select(ContactConfirmation)
            .where(ContactConfirmation.token_hash == token_digest(token))
            .with_for_update()
        ).one_or_none()
        if row is None or row.used_at is not None:
            raise NotFound("this link confirms nothing: it is unknown or was used")
        if moment > utc_aware(row.expires_at):
            raise NotFound("this link has expired; ask us for a new one")
        row.used_at = moment
        if not confirm_corrected(session, row.holding_id, at=moment):
            raise NotFound("the address this link confirms is no longer on file")
        holding_id, case_id = row.holding_id, row.case_id
    record(
        store,
        actor=LINK_ACTOR,
        action="contact.confirmed",
        purpose=PURPOSE,
        details={"holding_id": holding_id, "case_id": case_id},
    )
    return int(holding_id)


def _check_ready(case: SarCase) -> None:
    if case.kind != "correction":
        raise Conflict(
            f"case {case.id} is {a_kind(case.kind)} request, not a correction"
        )
    state = State(case.state)
    if state is State.fee_requested and case.fee_paid_at is None:
        raise Conflict(f"case {case.id} awaits its fee; record payment first")
    if state not in (State.verified, State.fee_requested):
        raise Conflict(
            f"case {case.id} is {state}; only a verified request can correct anything"
        )


def correction_message(ref: str, done: list[dict[str, object]]) -> tuple[str, str]:
    """The response: which fields were corrected (no values)."""
    changed = [str(d["field"]).replace("_", " ") for d in done if d["changed"]]
    same = [str(d["field"]).replace("_", " ") for d in done if not d["changed"]]
    lines = [f"We have acted on your correction request {ref}.", ""]
    lines.append("Corrected: " + (", ".join(changed) or "-"))
    if same:
        lines.append("Already as you asked: " + ", ".join(same))
    lines.append("The old values were overwritten; we do not keep them.")
    if CONTACT_FIELDS & {str(d["field"]) for d in done if d["changed"]}:
        lines += [
            "",
            "Your e-mail address or phone number on file was changed. The old "
            "one is kept only as the record of when it was yours. If you did "
            f"not ask for this, reply to this message quoting {ref} at once.",
        ]
    return f"Decision on your correction request [{ref}]", "\n".join(lines) + "\n"


def confirmation_message(ref: str, link: str, settings: Settings) -> tuple[str, str]:
    """The link that confirms a corrected address (no value in it)."""
    body = (
        f"A correction request ({ref}) set this address as the one we hold for "
        "you. Confirm that it is yours by opening this link within 48 hours:\n"
        f"{link}\n\nUntil then, and for {settings.corrected_contact_days} days "
        "after the change, this address cannot be used to verify a request.\n"
    )
    return f"Confirm your e-mail address [{ref}]", body


__all__ = [
    "CONFIRM_PATH",
    "OLD_CONTACT_FATE",
    "OLD_VALUE_FATE",
    "confirm_contact",
    "confirmation_message",
    "correct_case",
    "correction_message",
]
