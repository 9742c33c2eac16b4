"""A subject's messages (redacted), payment method and port requests, secrets never read.

Clauses: rights.access, collect.volunteered.channels, collect.requested.
"""

from __future__ import annotations

from sqlalchemy import and_

from tutela.access import Access
from tutela.access.reads.communications import account_people, account_region
from tutela.collect.communications.mentions import people_from_records, redacted_for
from tutela.collect.detect import KnownPeople, fold, redact
from tutela.collect.detect.names import find_names
from tutela.rights.export._masking import scrub_secrets
from tutela.rights.export.sections import (
    Section,
    SubjectData,
    _chunks,
    _iso,
    _paged,
    _Subject,
)
from tutela.store.models import (
    Communication,
    CommunicationMention,
    PaymentMethod,
    PortingNumber,
    PortingRequest,
)


def _mentioning(
    use: Access, subject: _Subject
) -> dict[int, list[CommunicationMention]]:
    """Mentions of the subject, by communication: their name in their own account,
    their numbers and addresses wherever their claims reach."""
    ids = [p.id for p in subject.people]
    own = {p.account_id for p in subject.people}
    found: dict[int, list[CommunicationMention]] = {}
    key = CommunicationMention.id
    if ids:
        named = and_(
            CommunicationMention.kind == "person",
            CommunicationMention.person_id.in_(ids),
            CommunicationMention.account_id.in_(sorted(own)),
        )
        for row in _paged(use, CommunicationMention, key, named):
            found.setdefault(row.communication_id, []).append(row)
    for kind, mention in (("number", "phone"), ("email", "email")):
        for chunk in _chunks(subject.values(kind)):
            held = and_(
                CommunicationMention.kind == mention,
                CommunicationMention.value.in_(chunk),
            )
            for row in _paged(use, CommunicationMention, key, held):
                found.setdefault(row.communication_id, []).append(row)
    return found


def _people_of(
    use: Access, account_id: int, known: dict[int, KnownPeople]
) -> KnownPeople:
    """An account's known people, read through the gate once per export."""
    if account_id not in known:
        region = account_region(use, account_id)
        known[account_id] = people_from_records(account_people(use, account_id), region)
    return known[account_id]


def _reaches(
    subject: _Subject, mentions: list[CommunicationMention], message: Communication
) -> bool:
    """Whether one of the mentions is the subject's there and then."""
    for m in mentions:
        if m.kind == "person":
            return True
        kind = "number" if m.kind == "phone" else "email"
        for claim in subject.of(kind):
            if claim.value == m.value and claim.covers(
                message.account_id, message.occurred_at
            ):
                return True
    return False


def _keep_values(subject: _Subject, message: Communication) -> set[str]:
    """The subject's numbers and addresses as they stood when the message was written."""
    return {
        c.value
        for c in subject.claims
        if c.kind in ("number", "email")
        and c.covers(message.account_id, message.occurred_at)
    }


def _strangers(text: str, keep: set[str]) -> tuple[str, int]:
    """`text` with the names of people the store does not know masked."""
    found = find_names(text)
    if not found:
        return text, 0
    red = redact(text, found, keep=keep)
    return red.text, len(red.redacted)


def _communications_section(
    use: Access, subject: _Subject, data: SubjectData
) -> Section:
    ids = [p.id for p in subject.people]
    own = (
        _paged(use, Communication, Communication.id, Communication.person_id.in_(ids))
        if ids
        else []
    )
    relation = {c.id: "yours" for c in own}
    keeper: dict[int, int | None] = {c.id: c.person_id for c in own}
    rows = {c.id: c for c in own}
    mentions = _mentioning(use, subject)
    data.reach("communication_mentions", sum(len(m) for m in mentions.values()))
    missing = [i for i in mentions if i not in rows]
    for chunk in _chunks(missing):
        for c in use.select(Communication, Communication.id.in_(chunk)):
            if _reaches(subject, mentions[c.id], c):
                rows[c.id] = c
                relation[c.id] = "mentions_you"
                named = [m.person_id for m in mentions[c.id] if m.person_id in ids]
                keeper[c.id] = named[0] if named else (ids[0] if ids else None)
    data.reach("communications", len(rows))
    names = {fold(p.name) for p in subject.people}
    known: dict[int, KnownPeople] = {}
    cols: tuple[str, ...] = (
        "communication_id",
        "relation",
        "channel",
        "direction",
        "ticket_ref",
    )
    cols += ("occurred_at", "subject", "body", "redacted_items")
    section = Section("communications", "communications", "Messages and tickets", cols)
    for cid in sorted(rows, key=lambda i: (rows[i].occurred_at, i)):
        c = rows[cid]
        red = redacted_for(
            use,
            c,
            keeper[cid],
            keep_values=_keep_values(subject, c),
            people=_people_of(use, c.account_id, known),
        )
        body, body_names = _strangers(red.body.text, names)
        body, body_secrets = scrub_secrets(body)
        heading: str | None = None
        head_names = head_secrets = 0
        if red.subject is not None:
            heading, head_names = _strangers(red.subject.text, names)
            heading, head_secrets = scrub_secrets(heading)
        masked = len(red.body.redacted) + body_names + head_names
        if red.subject is not None:
            masked += len(red.subject.redacted)
        data.redactions += masked
        data.secrets_removed += body_secrets + head_secrets
        section.rows.append(
            {
                "communication_id": c.id,
                "relation": relation[cid],
                "channel": c.channel,
                "direction": c.direction,
                "ticket_ref": c.ticket_ref,
                "occurred_at": _iso(c.occurred_at),
                "subject": heading,
                "body": body,
                "redacted_items": masked + body_secrets + head_secrets,
            }
        )
    return section


# ------------------------------------------------------------ account records


def _payment_section(
    use: Access, account_ids: list[int], refs: dict[int, str], data: SubjectData
) -> Section:
    cols: tuple[str, ...] = (
        "account",
        "card_brand",
        "card_last4",
        "card_expiry",
        "billing_street",
    )
    cols += ("billing_city", "billing_region", "billing_postal_code", "billing_country")
    section = Section("payment", "payment", "Payment cards on file (last 4 only)", cols)
    if not account_ids:
        return section
    pm = PaymentMethod
    found = use.rows(
        pm.account_id,
        pm.card_brand,
        pm.card_last4,
        pm.card_exp_month,
        pm.card_exp_year,
        pm.billing_street,
        pm.billing_city,
        pm.billing_region,
        pm.billing_postal_code,
        pm.billing_country,
        where=[pm.account_id.in_(sorted(set(account_ids)))],
        order_by=[pm.id],
    )
    data.reach("payment_methods", len(found))
    for acct, brand, last4, month, year, street, city, region, postal, country in found:
        section.rows.append(
            {
                "account": refs.get(acct),
                "card_brand": brand,
                "card_last4": last4,
                "card_expiry": f"{year:04d}-{month:02d}",
                "billing_street": street,
                "billing_city": city,
                "billing_region": region,
                "billing_postal_code": postal,
                "billing_country": country,
            }
        )
    return section


def _porting_section(
    use: Access,
    account_ids: list[int],
    refs: dict[int, str],
    subject: _Subject,
    data: SubjectData,
) -> Section:
    cols: tuple[str, ...] = (
        "port_request_id",
        "account",
        "numbers",
        "previous_carrier",
    )
    cols += ("billing_telephone_number", "authorized_name", "service_address")
    cols += ("status", "requested_port_date", "created_at")
    section = Section("porting", "porting", "Number porting requests", cols)
    if not account_ids:
        return section
    pr = PortingRequest
    # carrier_account_number and carrier_pin are never selected: never decrypted.
    found = use.rows(
        pr.id,
        pr.account_id,
        pr.previous_carrier,
        pr.billing_telephone_number,
        pr.authorized_name,
        pr.service_address,
        pr.status,
        pr.requested_port_date,
        pr.created_at,
        where=[pr.account_id.in_(sorted(set(account_ids)))],
        order_by=[pr.id],
    )
    numbers: dict[int, list[str]] = {}
    for chunk in _chunks(r[0] for r in found):
        for req_id, e164 in use.rows(
            PortingNumber.porting_request_id,
            PortingNumber.e164,
            where=[PortingNumber.porting_request_id.in_(chunk)],
            order_by=[PortingNumber.id],
        ):
            numbers.setdefault(req_id, []).append(e164)
            data.reach("porting_numbers", 1)
    data.reach("porting_requests", len(found))
    names = {p.name.casefold() for p in subject.people}
    for req_id, acct, carrier, btn, authorized, address, status, date, created in found:
        if authorized.casefold() not in names:
            authorized = "[another person: redacted]"
            data.redactions += 1
        section.rows.append(
            {
                "port_request_id": req_id,
                "account": refs.get(acct),
                "numbers": " ".join(numbers.get(req_id, [])),
                "previous_carrier": carrier,
                "billing_telephone_number": btn,
                "authorized_name": authorized,
                "service_address": address,
                "status": status,
                "requested_port_date": _iso(date),
                "created_at": _iso(created),
            }
        )
    return section
