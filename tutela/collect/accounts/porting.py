"""Number porting requests: numbers moving to us, with the losing carrier's data.

Policy clause ``collect.requested``: "Jive may request ... phone number
information (... phone numbers to be ported to Jive, and account verification
information from a previous phone service provider)."

The carrier account number and PIN are the verification secrets of another
provider's account: the policy encoding marks them ``secret``, and the
`Encrypted` column type seals them with the key ring before they reach the
database. Numbers are stored in E.164, read with the account's region.
Messages name fields, never their values. Whether a number is in service
with another account is a gate read inside the request's write.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy.orm import Session

from tutela.access.reads import numbers_held_elsewhere
from tutela.collect._gate import reading
from tutela.collect.accounts.contacts import (
    normalize_phone,
    optional_text,
    required_text,
)
from tutela.collect.accounts.payment import Sensitive
from tutela.errors import Conflict, InvalidInput
from tutela.store.models import Account, PortingNumber, PortingRequest

log = logging.getLogger(__name__)

MAX_NUMBERS = 500


def _numbers(numbers: Iterable[str], *, region: str) -> list[str]:
    """E.164 numbers in the order given, duplicates dropped."""
    if isinstance(numbers, str | bytes):
        raise InvalidInput("must be a list of phone numbers", field="numbers")
    seen: dict[str, None] = {}
    for index, raw in enumerate(numbers):
        if index >= MAX_NUMBERS:
            raise InvalidInput(
                f"holds more than {MAX_NUMBERS} numbers; split the request",
                field="numbers",
            )
        seen[normalize_phone(raw, region=region, field=f"numbers[{index}]")] = None
    if not seen:
        raise InvalidInput("must name at least one number to port", field="numbers")
    return list(seen)


def _secret(value: str | Sensitive | None, *, field: str, required: bool) -> str | None:
    raw = None if value is None else Sensitive.wrap(value).reveal()
    text = optional_text(raw, field=field, max_len=64)
    if text is None and required:
        raise InvalidInput("is required and may not be empty", field=field)
    return text


def submit_port_request(
    session: Session,
    *,
    account: Account,
    numbers: Iterable[str],
    previous_carrier: str,
    carrier_account_number: str | Sensitive,
    carrier_pin: str | Sensitive | None,
    billing_telephone_number: str,
    authorized_name: str,
    service_address: str,
    requested_port_date: dt.date | None = None,
) -> PortingRequest:
    """Record a request to port `numbers` from `previous_carrier` to `account`.

    Numbers already in service with another of our accounts raise Conflict.
    The account number and PIN are encrypted at rest by the column type.
    """
    e164s = _numbers(numbers, region=account.region)
    if requested_port_date is not None and (
        isinstance(requested_port_date, dt.datetime)
        or not isinstance(requested_port_date, dt.date)
    ):
        raise InvalidInput("must be a date", field="requested_port_date")
    with reading(session) as use:
        taken = numbers_held_elsewhere(use, e164s, account_id=account.id)
    if taken:
        raise Conflict("a number to port is in service with another account")
    request = PortingRequest(
        account_id=account.id,
        previous_carrier=required_text(
            previous_carrier, field="previous_carrier", max_len=100
        ),
        carrier_account_number=_secret(
            carrier_account_number, field="carrier_account_number", required=True
        ),
        carrier_pin=_secret(carrier_pin, field="carrier_pin", required=False),
        billing_telephone_number=normalize_phone(
            billing_telephone_number,
            region=account.region,
            field="billing_telephone_number",
        ),
        authorized_name=required_text(
            authorized_name, field="authorized_name", max_len=200
        ),
        service_address=required_text(
            service_address, field="service_address", max_len=400
        ),
        requested_port_date=requested_port_date,
    )
    session.add(request)
    session.flush()
    session.add_all(
        PortingNumber(account_id=account.id, porting_request_id=request.id, e164=e164)
        for e164 in e164s
    )
    session.flush()
    log.info(
        "porting.submitted account_id=%s porting_request_id=%s numbers=%d",
        account.id,
        request.id,
        len(e164s),
    )
    return request
