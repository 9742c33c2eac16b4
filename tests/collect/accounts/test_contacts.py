"""Business accounts, contacts, numbers and extensions (collect.requested, scope)."""

from __future__ import annotations

import inspect
import logging

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    normalize_phone,
    open_account,
)
from tutela.errors import Conflict, InvalidInput
from tutela.store.addresses import normalize_email
from tutela.store.models import Account, Person


@pytest.fixture
def account(session: Session) -> Account:
    return open_account(session, organization="Acme Plumbing LLC", ref="ACC-1")


@pytest.mark.clause("scope.business_only")
def test_open_account_opens_a_business_account(session: Session) -> None:
    account = open_account(
        session, organization="Érable Conseil", region="ca", jurisdiction="ca-qc"
    )
    assert account.kind == "business"
    assert (account.region, account.jurisdiction) == ("CA", "CA-QC")
    assert account.ref.startswith("AC-")


@pytest.mark.clause("scope.business_only")
def test_there_is_no_consumer_sign_up_path() -> None:
    params = inspect.signature(open_account).parameters
    assert "kind" not in params
    assert params["organization"].default is inspect.Parameter.empty


@pytest.mark.postgresql
@pytest.mark.clause("scope.business_only")
def test_database_refuses_an_account_that_is_not_a_business(session: Session) -> None:
    with pytest.raises(IntegrityError), session.begin_nested():
        session.add(Account(ref="C-1", kind="consumer", organization="Jo Bloggs"))
    account = open_account(session, organization="Acme", ref="B-1")
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            update(Account).where(Account.id == account.id).values(kind="individual")
        )


def test_open_account_refuses_a_ref_in_use(session: Session, account: Account) -> None:
    with pytest.raises(Conflict):
        open_account(session, organization="Other Co", ref=account.ref)


@pytest.mark.parametrize(
    ("field", "kwargs"),
    [
        ("organization", {"organization": "   "}),
        ("region", {"organization": "X", "region": "ZZ"}),
        ("jurisdiction", {"organization": "X", "jurisdiction": "United States"}),
        ("ref", {"organization": "X", "ref": "has space"}),
    ],
)
def test_open_account_rejects_bad_input(
    session: Session, field: str, kwargs: dict[str, str]
) -> None:
    with pytest.raises(InvalidInput) as caught:
        open_account(session, **kwargs)
    assert caught.value.location.field == field


@pytest.mark.clause("collect.requested")
def test_add_person_keeps_business_contact_information(
    session: Session, account: Account
) -> None:
    person = add_person(
        session,
        account=account,
        role="admin",
        name="  Dana Scully ",
        email="Dana.Scully@ACME.Example",
        phone="(201) 555-0123",
        street="1 Main St\nSuite 200",
        city="Springfield",
        region="NJ",
        postal_code="07081",
        country="us",
    )
    stored = session.scalars(select(Person).where(Person.id == person.id)).one()
    assert stored.name == "Dana Scully"
    # One case rule for every address (tutela.collect.accounts.contacts.normalize_email).
    assert stored.email == "dana.scully@acme.example"
    assert stored.phone == "+12015550123"
    assert stored.street == "1 Main St, Suite 200"
    assert (stored.city, stored.region, stored.postal_code, stored.country) == (
        "Springfield",
        "NJ",
        "07081",
        "US",
    )


@pytest.mark.clause("collect.requested")
def test_phone_is_read_with_the_account_region(session: Session) -> None:
    london = open_account(session, organization="Fog Ltd", region="GB")
    person = add_person(
        session, account=london, role="contact", name="Ann", phone="020 7946 0123"
    )
    assert person.phone == "+442079460123"


@pytest.mark.clause("collect.requested")
@pytest.mark.parametrize(
    "raw", ["555-0000-12", "12345", "call me maybe", "+1 999 555 0123", "(201) 555"]
)
def test_invalid_phone_is_rejected_without_quoting_it(
    session: Session, account: Account, raw: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tutela")
    with pytest.raises(InvalidInput) as caught:
        add_person(session, account=account, role="contact", name="Al", phone=raw)
    error = caught.value
    assert error.location.field == "phone"
    digits = "".join(c for c in raw if c.isdigit())
    for text in (str(error), repr(error), caplog.text):
        assert raw not in text
        assert not digits or digits not in text.replace(" ", "")
    # No chained parser exception that could carry the text along.
    assert error.__cause__ is None
    assert error.__context__ is None or error.__suppress_context__


def test_phone_with_an_extension_is_refused(session: Session, account: Account) -> None:
    with pytest.raises(InvalidInput, match="extension"):
        normalize_phone("201-555-0123 ext. 45", region="US", field="phone")


@pytest.mark.parametrize(
    "email", ["not-an-email", "a@b", "two@@example.com", "x y@z.io"]
)
def test_bad_email_is_rejected_without_quoting_it(
    session: Session, account: Account, email: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        add_person(session, account=account, role="contact", name="Al", email=email)
    assert caught.value.location.field == "email"
    assert email not in str(caught.value)


def test_one_email_rule_serves_people_sign_in_and_access_requests() -> None:
    from tutela.auth import signin as auth

    assert auth.normalize_email is normalize_email
    assert normalize_email(" Dana.Scully@ACME.Example ") == "dana.scully@acme.example"
    for bad in ("a@b", "x" * 65 + "@example.com", "a\x01b@example.com", "a@.example"):
        with pytest.raises(InvalidInput) as caught:
            normalize_email(bad, field="requester")
        assert caught.value.location.field == "requester"
        assert bad not in str(caught.value)


def test_unknown_role_is_rejected(session: Session, account: Account) -> None:
    with pytest.raises(InvalidInput) as caught:
        add_person(session, account=account, role="customer", name="Al")
    assert caught.value.location.field == "role"


@pytest.mark.clause("collect.requested")
def test_assign_number_stores_e164_and_is_idempotent(
    session: Session, account: Account
) -> None:
    person = add_person(session, account=account, role="end_user", name="Bo")
    first = assign_number(session, account=account, number="201.555.0142")
    again = assign_number(
        session, account=account, number="+1 201 555 0142", assignee=person
    )
    assert first.id == again.id
    assert again.e164 == "+12015550142"
    assert again.assignee_id == person.id


def test_a_number_of_another_account_conflicts(
    session: Session, account: Account
) -> None:
    assign_number(session, account=account, number="2015550142")
    other = open_account(session, organization="Rival Inc")
    with pytest.raises(Conflict) as caught:
        assign_number(session, account=other, number="(201) 555-0142")
    assert "555" not in str(caught.value)


def test_assign_number_rejects_an_invalid_number(
    session: Session, account: Account
) -> None:
    with pytest.raises(InvalidInput) as caught:
        assign_number(session, account=account, number="+1 123 555 0142")
    assert caught.value.location.field == "number"
    assert "0142" not in str(caught.value)


def test_numbers_and_extensions_stay_inside_their_account(
    session: Session, account: Account
) -> None:
    other = open_account(session, organization="Rival Inc")
    stranger = add_person(session, account=other, role="admin", name="Eve")
    with pytest.raises(InvalidInput):
        assign_number(session, account=account, number="2015550142", assignee=stranger)
    with pytest.raises(InvalidInput):
        assign_extension(session, account=account, extension="101", person=stranger)


@pytest.mark.clause("collect.requested")
def test_assign_extension_links_person_and_number_idempotently(
    session: Session, account: Account
) -> None:
    person = add_person(session, account=account, role="end_user", name="Cy")
    number = assign_number(session, account=account, number="2015550150")
    first = assign_extension(session, account=account, extension="101", person=person)
    again = assign_extension(
        session, account=account, extension=" 101 ", phone_number=number
    )
    assert first.id == again.id
    assert (again.person_id, again.phone_number_id) == (person.id, number.id)


@pytest.mark.parametrize("extension", ["1", "12a", "123456789", ""])
def test_assign_extension_rejects_non_extensions(
    session: Session, account: Account, extension: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        assign_extension(session, account=account, extension=extension)
    assert caught.value.location.field == "extension"
