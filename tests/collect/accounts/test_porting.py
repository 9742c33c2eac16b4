"""Porting requests: numbers in E.164; carrier account number and PIN sealed.

Policy: "phone numbers to be ported to Jive, and account verification
information from a previous phone service provider" (collect.requested).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session

from tests.collect.accounts.test_payment import store_bytes
from tutela.collect.accounts.contacts import assign_number, open_account
from tutela.collect.accounts.porting import submit_port_request
from tutela.config import Settings
from tutela.errors import Conflict, InvalidInput
from tutela.store.db import Store
from tutela.store.models import Account, PortingNumber, PortingRequest

PIN = "739182"
ACCOUNT_NUMBER = "8842-13370-5501"


@pytest.fixture
def account(session: Session) -> Account:
    return open_account(session, organization="Acme Plumbing LLC")


def _submit(session: Session, account: Account, **changes: object) -> PortingRequest:
    fields: dict[str, object] = {
        "numbers": ["(201) 555-0101", "+1 201 555 0102"],
        "previous_carrier": "Old Telco",
        "carrier_account_number": ACCOUNT_NUMBER,
        "carrier_pin": PIN,
        "billing_telephone_number": "201-555-0101",
        "authorized_name": "Pat Example",
        "service_address": "1 Main St\nSpringfield, NJ 07081",
    }
    fields.update(changes)
    return submit_port_request(session, account=account, **fields)  # type: ignore[arg-type]


@pytest.mark.clause("collect.requested")
def test_port_request_keeps_numbers_in_e164(session: Session, account: Account) -> None:
    request = _submit(session, account, requested_port_date=dt.date(2030, 1, 15))
    numbers = session.scalars(
        select(PortingNumber.e164)
        .where(PortingNumber.porting_request_id == request.id)
        .order_by(PortingNumber.id)
    ).all()
    assert numbers == ["+12015550101", "+12015550102"]
    assert request.billing_telephone_number == "+12015550101"
    assert request.service_address == "1 Main St, Springfield, NJ 07081"
    assert request.requested_port_date == dt.date(2030, 1, 15)
    assert request.status == "submitted"


@pytest.mark.clause("collect.requested")
def test_pin_and_account_number_are_sealed_in_their_columns(
    session: Session, account: Account
) -> None:
    request = _submit(session, account)
    raw = session.execute(
        select(
            type_coerce(PortingRequest.carrier_account_number, Text),
            type_coerce(PortingRequest.carrier_pin, Text),
        ).where(PortingRequest.id == request.id)
    ).one()
    for value in raw:
        assert value.startswith("v1:")
        assert PIN not in value and ACCOUNT_NUMBER not in value


@pytest.mark.postgresql
@pytest.mark.clause("collect.requested")
def test_pin_and_account_number_never_reach_disk_but_read_back(
    store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tutela")
    with store.session() as s:
        request_id = _submit(s, open_account(s, organization="Disk Check Inc")).id
    with store.session() as s:
        request = s.get(PortingRequest, request_id)
        assert request is not None
        assert request.carrier_pin == PIN
        assert request.carrier_account_number == ACCOUNT_NUMBER
    blob = store_bytes(store, settings)
    assert b"Old Telco" in blob  # the file or dump really holds the row
    assert PIN.encode() not in blob
    assert ACCOUNT_NUMBER.encode() not in blob
    assert PIN not in caplog.text and ACCOUNT_NUMBER not in caplog.text


def test_pin_is_optional(session: Session, account: Account) -> None:
    assert _submit(session, account, carrier_pin=None).carrier_pin is None


def test_duplicate_numbers_are_ported_once(session: Session, account: Account) -> None:
    request = _submit(session, account, numbers=["2015550101", "+12015550101"])
    count = session.scalars(
        select(PortingNumber.id).where(PortingNumber.porting_request_id == request.id)
    ).all()
    assert len(count) == 1


def test_an_invalid_number_is_named_by_position_not_value(
    session: Session, account: Account
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _submit(session, account, numbers=["2015550101", "+1 123 456 7890"])
    assert caught.value.location.field == "numbers[1]"
    assert "456" not in str(caught.value)


@pytest.mark.parametrize("numbers", [[], "2015550101"])
def test_numbers_must_be_a_non_empty_list(
    session: Session, account: Account, numbers: object
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _submit(session, account, numbers=numbers)
    assert caught.value.location.field == "numbers"


@pytest.mark.parametrize(
    "field",
    [
        "carrier_account_number",
        "previous_carrier",
        "authorized_name",
        "service_address",
    ],
)
def test_required_fields_may_not_be_blank(
    session: Session, account: Account, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        _submit(session, account, **{field: "  "})
    assert caught.value.location.field == field


def test_a_number_in_service_with_another_account_conflicts(
    session: Session, account: Account
) -> None:
    other = open_account(session, organization="Rival Inc")
    assign_number(session, account=other, number="2015550102")
    with pytest.raises(Conflict) as caught:
        _submit(session, account)
    assert "0102" not in str(caught.value)
