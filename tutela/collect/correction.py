"""Correct a contact's field at their request: the wrong value is overwritten.

Policy: collect.requested (business contact information: name, phone,
e-mail, postal address) and the right to correction that answers a rights
request (GDPR Art. 16, CCPA correction; `tutela.rights.correction` decides,
this module writes). The new value is checked exactly as when the contact
was added (`tutela.collect.accounts.contacts`: E.164 phone in the account's region,
a real e-mail address, an ISO country). The old value is not kept in the
contact: it is overwritten. A contact point (e-mail, phone) is different:
the old value's holding ENDS now and the new value gets a holding of its
own FROM now, marked as set by a correction (`origin = correction`), so the
new value never counts as on file since the old one was, and proves nothing
until a code sent to it comes back (`tutela.rights.correction`). Nothing
here logs a value. The contact and its account
are read through the purpose gate inside the correcting write, as the
`subject_rights` job for `subject_access`, audited with the write.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Final

from sqlalchemy.orm import Session

from tutela.access import SUBJECT_ACCESS
from tutela.access.reads import account as read_account
from tutela.access.reads import people_rows
from tutela.collect._gate import reading
from tutela.collect.accounts.contacts import (
    flag_shared_address,
    normalize_country,
    normalize_phone,
    optional_email,
    optional_text,
    required_text,
)
from tutela.collect.accounts.holdings import close_holdings, retype
from tutela.collect.erasure import SUBJECT_RIGHTS, secure_delete
from tutela.errors import InvalidInput, NotFound
from tutela.store import utcnow
from tutela.store.models import Account

log = logging.getLogger(__name__)

# field -> longest value (the column's length)
FIELDS: Final = {
    "name": 200,
    "email": 254,
    "phone": 20,
    "street": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "country": 2,
}


def _normalized(field: str, value: str, account: Account) -> str | None:
    if field == "name":
        return required_text(value, field=field, max_len=FIELDS[field])
    if field == "email":
        found = optional_email(value, field=field)
        if found is None:
            raise InvalidInput("give the corrected address", field=field)
        return found
    if field == "phone":
        return normalize_phone(value, region=account.region, field=field)
    if field == "country":
        return normalize_country(value, field=field)
    return optional_text(value, field=field, max_len=FIELDS[field])


@dataclass(frozen=True)
class Corrected:
    """Whether a field changed, and the new contact point's holding (if one opened)."""

    changed: bool
    holding_id: int | None = None


def correct_person(
    session: Session, person_id: int, field: str, value: str
) -> Corrected:
    """Set one field of a contact; `changed` is False when it already held the value."""
    if field not in FIELDS:
        raise InvalidInput(f"use one of {sorted(FIELDS)}", field="field")
    with reading(session, actor=SUBJECT_RIGHTS, purpose=SUBJECT_ACCESS) as use:
        found = people_rows(use, [person_id])
        if not found:
            raise NotFound(f"person {person_id} does not exist")
        person = found[0]
        account = read_account(use, person.account_id)
    new = _normalized(field, value, account)
    old = getattr(person, field)
    if old == new:
        return Corrected(False)
    secure_delete(session)
    setattr(person, field, new)
    holding = None
    kind = {"email": "email", "phone": "number"}.get(field)
    if kind is not None:
        holding = retype(
            session,
            account_id=person.account_id,
            person_id=person.id,
            kind=kind,
            old=old,
            new=new,
            origin="correction",
        )
        if kind == "number" and old is not None:
            # A line they once proved is theirs no more: it would still verify
            # them once the carrier hands the number to someone else.
            close_holdings(
                session,
                kind="number",
                value=old,
                at=utcnow(),
                person_id=person.id,
                evidence=("verified",),
            )
        if kind == "email":
            flag_shared_address(session, person)
    session.flush()
    log.info("person.corrected person_id=%d field=%s", person.id, field)
    return Corrected(True, None if holding is None else holding.id)


__all__ = ["FIELDS", "Corrected", "correct_person"]
