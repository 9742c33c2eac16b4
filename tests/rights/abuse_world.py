"""Builders for the abuse suite (`test_abuse_*.py`): people, numbers and calls.

Everything goes through the real write path (`tutela.collect`), so the
ownership records the checks rely on are the ones production writes.
Numbers are fictional (NANP 555-01XX), addresses end in `.example`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    open_account,
)
from tutela.config import Settings
from tutela.rights.cases import list_cases
from tutela.rights.intake import open_request
from tutela.store.db import Store
from tutela.store.models import Account, CallRecord, SarCase

JENNIFER_EMAIL = "jennifer.kelly@kelly-plumbing.example"
JENNIFER_DID = "+12015550109"
ATTACKER_PHONE = "+13125550142"
OTHER_PARTY = "+12025550188"
SECOND_PARTY = "+12025550177"


@dataclass(frozen=True)
class Someone:
    person_id: int
    account_id: int
    email: str
    number: str | None


def customer(
    store: Store,
    *,
    name: str = "Jennifer Kelly",
    email: str = JENNIFER_EMAIL,
    did: str | None = JENNIFER_DID,
    typed_phone: str | None = "",
    extension: str | None = None,
    account_id: int | None = None,
    postal_code: str = "82407",
    role: str = "admin",
) -> Someone:
    """A customer person; `did` is a number the provider assigns to them.

    As in the demo, the contact phone typed on the person is their line
    unless `typed_phone` says otherwise (None: no contact phone).
    """
    if typed_phone == "":
        typed_phone = did
    with store.session() as s:
        if account_id is None:
            account = open_account(
                s, organization=f"{name} Ltd", region="US", jurisdiction="US-NJ"
            )
        else:
            found = s.get(Account, account_id)
            assert found is not None
            account = found
        person = add_person(
            s,
            account=account,
            role=role,
            name=name,
            email=email,
            phone=typed_phone,
            postal_code=postal_code,
        )
        if did is not None:
            assign_number(s, account=account, number=did, assignee=person)
        if extension is not None:
            assign_extension(s, account=account, extension=extension, person=person)
        return Someone(person.id, account.id, email, did)


def call(
    store: Store,
    account_id: int,
    src: str,
    dst: str,
    started: dt.datetime,
    key: str,
    *,
    extensions: bool = False,
) -> int:
    """One answered call record (E.164 numbers, or extensions inside the account)."""
    with store.session() as s:
        row = CallRecord(
            account_id=account_id,
            dedupe_key=key,
            source_format="test",
            src_raw=src,
            src_e164=None if extensions else src,
            src_extension=src if extensions else None,
            dst_raw=dst,
            dst_e164=None if extensions else dst,
            dst_extension=dst if extensions else None,
            started_at=started,
            ended_at=started + dt.timedelta(minutes=3),
            duration_s=180,
            billsec_s=170,
            disposition="ANSWERED",
            call_key=key,
        )
        s.add(row)
        s.flush()
        return int(row.id)


def request(store: Store, settings: Settings, email: str) -> int:
    """A web-form request from `email`; the case id."""
    ref = open_request(store, email=email, settings=settings)
    return next(v.id for v in list_cases(store) if v.ref == ref)


def force_verified(store: Store, case_id: int, method: str = "email_code") -> None:
    """Mark a case verified without going through a method (export tests only)."""
    with store.session() as s:
        case = s.get(SarCase, case_id)
        assert case is not None
        case.state = "verified"
        case.verification_method = method
        case.verification_level = "reasonable"


def case_people(store: Store, case_id: int) -> str:
    with store.session() as s:
        return str(s.scalar(select(SarCase.person_ids).where(SarCase.id == case_id)))
