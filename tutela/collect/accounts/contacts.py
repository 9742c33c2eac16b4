"""Business accounts, their people, numbers and extensions.

Policy clauses enforced here:

- ``scope.business_only``: "Jive does not sell its services to individual
  consumers; Jive only sells to businesses." `open_account` opens business
  accounts only; there is no consumer sign-up path, and the database refuses
  any other ``kind`` (check constraint ``ck_accounts_business_only``).
- ``collect.requested``: "Jive may request business contact information (name,
  phone number, email address, and physical address) ... and phone number
  information (phone number and extension assignments ...)". `add_person`,
  `assign_number` and `assign_extension` take exactly those fields; phone
  numbers are stored in E.164, read with the account's region.

Error messages name the field and the reason, never the value given. The
checks before a write (is this ref, number or extension taken) are gate reads
inside the write (`tutela.collect._gate`), audited with it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets

import phonenumbers
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tutela.access.reads import extension_row, number_row, open_holdings, ref_taken
from tutela.audit import audit_log
from tutela.collect._gate import COLLECT, DELIVER, reading
from tutela.collect.accounts.holdings import (
    close_holdings,
    end_all,
    open_holding,
    retype,
)
from tutela.errors import Conflict, InvalidInput
from tutela.store import Store, normalize_email, utcnow
from tutela.store.models import Account, Extension, Person, PhoneNumber

log = logging.getLogger(__name__)

ROLES = frozenset({"contact", "admin", "end_user"})
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_REF = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")
_JURISDICTION = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")
_COUNTRY = re.compile(r"[A-Z]{2}")
_EXTENSION = re.compile(r"[0-9]{2,8}")
_MAX_PHONE_CHARS = 40


def required_text(value: str, *, field: str, max_len: int) -> str:
    """`value` stripped; InvalidInput if empty, too long or with control characters."""
    text = optional_text(value, field=field, max_len=max_len)
    if text is None:
        raise InvalidInput("is required and may not be empty", field=field)
    return text


def optional_text(value: str | None, *, field: str, max_len: int) -> str | None:
    """`value` stripped and on one line, or None when absent or blank."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidInput("must be text", field=field)
    # A field may arrive split over lines (a street in two lines): one line.
    lines = (line.strip() for line in value.replace("\t", " ").splitlines())
    text = ", ".join(line for line in lines if line)
    if not text:
        return None
    if len(text) > max_len:
        raise InvalidInput(f"is longer than {max_len} characters", field=field)
    if _CONTROL.search(text):
        raise InvalidInput("contains control characters", field=field)
    return text


def normalize_phone(raw: str, *, region: str, field: str) -> str:
    """`raw` as an E.164 number, read as dialled in `region`.

    Raises InvalidInput naming `field` (never the number) when the text is not
    a valid, assignable phone number.
    """
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("is required and may not be empty", field=field)
    if len(raw) > _MAX_PHONE_CHARS:
        raise InvalidInput(f"is longer than {_MAX_PHONE_CHARS} characters", field=field)
    try:
        parsed = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        # `from None`: the parser's exception is not ours to show.
        raise InvalidInput(
            f"is not a phone number (read as dialled in {region})", field=field
        ) from None
    if parsed.extension:
        raise InvalidInput(
            "carries an extension; give the extension apart", field=field
        )
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidInput(
            f"is not a valid phone number (read as dialled in {region})", field=field
        )
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def optional_email(raw: str | None, *, field: str = "email") -> str | None:
    """`normalize_email`, or None when `raw` is absent or blank."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    return normalize_email(raw, field=field)


def normalize_country(raw: str | None, *, field: str) -> str | None:
    """An ISO 3166-1 alpha-2 code in upper case, or None."""
    text = optional_text(raw, field=field, max_len=2)
    if text is None:
        return None
    code = text.upper()
    if not _COUNTRY.fullmatch(code):
        raise InvalidInput("is not a two-letter country code", field=field)
    return code


def require_same_account(account: Account, row_account_id: int, *, field: str) -> None:
    """Refuse to link a row of another account (tenant isolation)."""
    if row_account_id != account.id:
        raise InvalidInput("belongs to another account", field=field)


def open_account(
    session: Session,
    *,
    organization: str,
    region: str = "US",
    jurisdiction: str = "US",
    ref: str | None = None,
) -> Account:
    """Open a business account (the only kind there is).

    `region` is the ISO country used to read the account's phone numbers;
    `jurisdiction` the customer's legal jurisdiction (``US``, ``US-CA``, ``CA-QC``).
    A `ref` already in use raises Conflict; without one, a fresh ref is drawn.
    """
    org = required_text(organization, field="organization", max_len=200)
    region_code = region.strip().upper() if isinstance(region, str) else ""
    if region_code not in phonenumbers.SUPPORTED_REGIONS:
        raise InvalidInput("is not a supported ISO country code", field="region")
    where = jurisdiction.strip().upper() if isinstance(jurisdiction, str) else ""
    if not _JURISDICTION.fullmatch(where):
        raise InvalidInput(
            "is not an ISO 3166 code such as US or US-CA", field="jurisdiction"
        )
    if ref is None:
        ref = f"AC-{secrets.randbelow(10**10):010d}"
    elif not isinstance(ref, str) or not _REF.fullmatch(ref):
        raise InvalidInput("must be 1-32 letters, digits, '.', '_' or '-'", field="ref")
    with reading(session) as use:
        taken = ref_taken(use, ref)
    if taken:
        raise Conflict(f"account {ref} already exists")
    account = Account(
        ref=ref,
        kind="business",
        organization=org,
        region=region_code,
        jurisdiction=where,
    )
    session.add(account)
    session.flush()
    log.info("account.opened account_id=%s", account.id)
    return account


def add_person(
    session: Session,
    *,
    account: Account,
    role: str,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    street: str | None = None,
    city: str | None = None,
    region: str | None = None,
    postal_code: str | None = None,
    country: str | None = None,
    since: dt.datetime | None = None,
) -> Person:
    """Add a business contact, admin or end user to `account`.

    `phone` is read as dialled in the account's region and stored in E.164;
    `region` here is the person's state or province, not the phone region.
    The e-mail address and phone are recorded as `typed` holdings from
    `since` (default now): typed, they prove nothing about who holds them.
    """
    if role not in ROLES:
        raise InvalidInput(f"must be one of {', '.join(sorted(ROLES))}", field="role")
    person = Person(
        account_id=account.id,
        role=role,
        name=required_text(name, field="name", max_len=200),
        email=optional_email(email),
        phone=(
            None
            if phone is None or not phone.strip()
            else normalize_phone(phone, region=account.region, field="phone")
        ),
        street=optional_text(street, field="street", max_len=200),
        city=optional_text(city, field="city", max_len=100),
        region=optional_text(region, field="region", max_len=100),
        postal_code=optional_text(postal_code, field="postal_code", max_len=20),
        country=normalize_country(country, field="country"),
    )
    session.add(person)
    session.flush()
    for kind, value in (("email", person.email), ("number", person.phone)):
        if value is not None:
            retype(
                session,
                account_id=account.id,
                person_id=person.id,
                kind=kind,
                old=None,
                new=value,
                at=since,
            )
    if person.email is not None:
        flag_shared_address(session, person)
    log.info("person.added account_id=%s person_id=%s", account.id, person.id)
    return person


def flag_shared_address(session: Session, person: Person) -> None:
    """Flag an address another current person holds already (audited, with the add).

    Two current holders make the address useless as proof of identity: a
    code to it cannot tell them apart (`tutela.rights._settle`). The add is
    not refused (colleagues do share role addresses), but it is on record
    for the officers, by surrogate ids only.
    """
    assert person.email is not None
    with reading(session) as use:
        others = open_holdings(
            use,
            kind="email",
            value=person.email,
            evidence=("typed", "verified", "assigned"),
            other_than_person=person.id,
        )
    holders = sorted({h.person_id for h in others if h.person_id is not None})
    if not holders:
        return
    audit_log(Store.of(session)).append(
        actor=COLLECT.id,
        action="contact.shared_address",
        purpose=DELIVER,
        subjects=[person.id, *holders],
        details={"person_id": person.id, "other_holders": len(holders)},
        conn=session.connection(),
    )
    log.warning(
        "contact.shared_address person_id=%s other_holders=%d", person.id, len(holders)
    )


def assign_number(
    session: Session,
    *,
    account: Account,
    number: str,
    assignee: Person | None = None,
    since: dt.datetime | None = None,
) -> PhoneNumber:
    """Assign a phone number to `account` (and optionally to one of its people).

    Idempotent: assigning a number the account already holds returns that row
    (re-pointed at `assignee` when one is given). A number held by another
    account raises Conflict. The assignment is recorded as an `assigned`
    holding from `since` (default now), ending the previous holder's.
    """
    e164 = normalize_phone(number, region=account.region, field="number")
    if assignee is not None:
        require_same_account(account, assignee.account_id, field="assignee")
    with reading(session) as use:
        existing = number_row(use, e164)
    if existing is not None:
        if existing.account_id != account.id:
            raise Conflict("this phone number is assigned to another account")
        if assignee is not None and existing.assignee_id != assignee.id:
            existing.assignee_id = assignee.id
            _hold(session, account, assignee, "number", e164, since)
            log.info("number.reassigned phone_number_id=%s", existing.id)
        return existing
    row = PhoneNumber(
        account_id=account.id,
        e164=e164,
        assignee_id=None if assignee is None else assignee.id,
    )
    try:
        # A savepoint, so a concurrent assignment of the same number becomes a
        # Conflict and leaves the caller's transaction usable.
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        raise Conflict("this phone number was assigned concurrently") from None
    _hold(session, account, assignee, "number", e164, since)
    log.info("number.assigned account_id=%s phone_number_id=%s", account.id, row.id)
    return row


def assign_extension(
    session: Session,
    *,
    account: Account,
    extension: str,
    person: Person | None = None,
    phone_number: PhoneNumber | None = None,
    since: dt.datetime | None = None,
) -> Extension:
    """Assign an internal extension (2-8 digits) within `account`.

    Idempotent per (account, extension): an existing extension is returned,
    re-pointed at `person` / `phone_number` when they are given. A new
    holder's `assigned` holding starts at `since` (default now) and ends the
    previous holder's: their voicemail and calls stay theirs.
    """
    ext = extension.strip() if isinstance(extension, str) else ""
    if not _EXTENSION.fullmatch(ext):
        raise InvalidInput("must be 2 to 8 digits", field="extension")
    if person is not None:
        require_same_account(account, person.account_id, field="person")
    if phone_number is not None:
        require_same_account(account, phone_number.account_id, field="phone_number")
    with reading(session) as use:
        row = extension_row(use, account_id=account.id, extension=ext)
    created = row is None
    if row is None:
        row = Extension(account_id=account.id, extension=ext)
        session.add(row)
    if person is not None and (created or row.person_id != person.id):
        _hold(session, account, person, "extension", ext, since)
    elif created:
        _hold(session, account, None, "extension", ext, since)
    if person is not None:
        row.person_id = person.id
    if phone_number is not None:
        row.phone_number_id = phone_number.id
    session.flush()
    log.info("extension.assigned account_id=%s extension_id=%s", account.id, row.id)
    return row


def _hold(
    session: Session,
    account: Account,
    person: Person | None,
    kind: str,
    value: str,
    since: dt.datetime | None,
) -> None:
    open_holding(
        session,
        account_id=account.id,
        person_id=None if person is None else person.id,
        kind=kind,
        value=value,
        evidence="assigned",
        since=since,
    )


def release_number(
    session: Session, *, account: Account, number: str, at: dt.datetime | None = None
) -> None:
    """Take a number back from `account` (it may later go to another customer).

    The holding ends at `at` (default now); the calls and voicemail of the
    period stay with the holder of that period.
    """
    e164 = normalize_phone(number, region=account.region, field="number")
    with reading(session) as use:
        row = number_row(use, e164, account_id=account.id)
    if row is None:
        raise InvalidInput("is not a number of this account", field="number")
    moment = at or utcnow()
    close_holdings(session, kind="number", value=e164, at=moment, account_id=account.id)
    session.delete(row)
    session.flush()
    log.info("number.released account_id=%s", account.id)


def close_account(
    session: Session, account: Account, *, at: dt.datetime | None = None
) -> None:
    """The business left: its account closes and every holding of it ends.

    `closed_at` is when the former-customer rules start counting
    (`tutela.collect.former_customers`).
    """
    account.status = "closed"
    account.closed_at = at or utcnow()
    end_all(session, account_id=account.id, at=at)
    log.info("account.closed account_id=%s", account.id)


def confirm_phone(
    session: Session, *, person: Person, since: dt.datetime | None = None
) -> None:
    """The person proved they control the contact phone on their record.

    From `since` (default now) it is a `verified` holding: it verifies their
    identity and reaches records of any account, where a merely typed phone
    reaches only their own account's.
    """
    if person.phone is None:
        raise InvalidInput("the person has no contact phone to confirm", field="phone")
    open_holding(
        session,
        account_id=person.account_id,
        person_id=person.id,
        kind="number",
        value=person.phone,
        evidence="verified",
        since=since,
    )
    log.info("phone.confirmed person_id=%s", person.id)
