"""Cards are tokenized; the card number and security code are never kept.

Policy: "payment information (billing address, payment account number, and
security code and expiration date for credit cards)" (collect.requested);
PCI DSS: the security code is never stored, not even encrypted.
"""

from __future__ import annotations

import datetime as dt
import logging
import pickle
import re
import shutil
import subprocess

import pytest
from sqlalchemy import String, Text, inspect, select
from sqlalchemy.orm import Session

from tutela.access.actors import Actor
from tutela.access.roles import Role
from tutela.collect.accounts.card_numbers import card_brand, luhn_valid
from tutela.collect.accounts.contacts import add_person, open_account
from tutela.collect.accounts.payment import (
    CardToken,
    LocalTestProcessor,
    Sensitive,
    add_payment_method,
)
from tutela.config import Settings
from tutela.errors import DisclosureRefused, InvalidInput, TutelaError
from tutela.policy.loader import DEFAULT_POLICY, load_policy
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    Base,
    Disclosure,
    DisclosureSubject,
    PaymentMethod,
)

AMEX = "378282246310005"
AMEX_CODE = "8642"
VISA = "4242 4242 4242 4242"
TODAY = dt.date(2030, 6, 15)
POLICY = load_policy(DEFAULT_POLICY)
BILLING = Actor.system("billing_run")


# Processing timestamps hold random digits (microseconds) that could spell a
# short secret by chance; a secret is never stored inside one, so drop them.
TIMESTAMP = re.compile(
    rb"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:[+-]\d\d(?::?\d\d)?)?"
)


def store_bytes(store: Store, settings: Settings) -> bytes:
    """What the database holds on disk (SQLite, with -wal) or in a dump (PostgreSQL).

    The store is closed first, so SQLite has written all it will write.
    """
    store.close()
    if store.engine.dialect.name == "sqlite":
        db = settings.sqlite_path
        files = [p for p in db.parent.glob(db.name + "*") if p.is_file()]
        blob = b"".join(p.read_bytes() for p in files)
    else:
        url = settings.resolved_database_url()
        url = url.replace("postgresql+psycopg://", "postgresql://")
        pg_dump = shutil.which("pg_dump")
        assert pg_dump, "pg_dump is installed by `make test`"
        blob = subprocess.run([pg_dump, url], check=True, capture_output=True).stdout
    return TIMESTAMP.sub(b"", blob)


DIGESTS = {"hash", "prev_hash", "signature"}


def text_values(session: Session) -> list[str]:
    """Every text value in every table, as the database returns it.

    Not the audit chain's digests and signatures: 64 random hex digits hold
    any four-digit code now and then (the gate's reads inside the card's
    write add entries to the chain), and they are computed, not stored data.
    """
    values: list[str] = []
    for table in Base.metadata.sorted_tables:
        columns = [
            c
            for c in table.columns
            if isinstance(c.type, String | Text)
            and not (table.name.startswith("audit_") and c.name in DIGESTS)
        ]
        if columns and inspect(session.bind).has_table(table.name):
            for row in session.execute(select(*columns)):
                values.extend(str(v) for v in row if v is not None)
    return values


def processor() -> LocalTestProcessor:
    # A token without digits, so no digit string in the store comes from it.
    return LocalTestProcessor(
        today=lambda: TODAY, token_suffix=lambda: "test_token_abc"
    )


def with_payer(session: Session, account: Account) -> Account:
    """The account's admin, whom its card's disclosure is about."""
    add_person(session, account=account, role="admin", name="Pat Payer")
    return account


@pytest.fixture
def account(session: Session) -> Account:
    return with_payer(session, open_account(session, organization="Acme Plumbing LLC"))


@pytest.mark.parametrize(
    ("number", "brand"),
    [
        ("4242424242424242", "visa"),
        ("5555555555554444", "mastercard"),
        ("2223003122003222", "mastercard"),
        (AMEX, "amex"),
        ("6011111111111117", "discover"),
        ("3566002020360505", "jcb"),
        ("36227206271667", "diners"),
        ("6759649826438453", "maestro"),
        ("1234567812345670", None),
    ],
)
def test_card_brand_comes_from_the_issuer_range(number: str, brand: str | None) -> None:
    assert luhn_valid(number)
    assert card_brand(number) == brand


def test_luhn_catches_a_mistyped_digit() -> None:
    assert not luhn_valid("4242424242424241")


def test_sensitive_values_do_not_print_themselves() -> None:
    secret = Sensitive(AMEX_CODE)
    for shown in (repr(secret), str(secret), f"{secret}", f"{secret!r}", f"{[secret]}"):
        assert AMEX_CODE not in shown
    assert secret.reveal() == AMEX_CODE
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_card_token_repr_hides_the_token() -> None:
    token = CardToken("tok_secret", "visa", "4242", 1, 2031)
    assert "tok_secret" not in repr(token)


@pytest.mark.parametrize(
    ("card", "month", "year", "code", "field"),
    [
        ("4242424242424241", 1, 2031, "123", "card_number"),
        ("4242-4242", 1, 2031, "123", "card_number"),
        ("1234567812345670", 1, 2031, "123", "card_number"),
        (VISA, 5, 2030, "123", "exp_year"),
        (VISA, 13, 2031, "123", "exp_month"),
        (VISA, 1, 2031, "12", "security_code"),
        (VISA, 1, 2031, "1234", "security_code"),
        (AMEX, 1, 2031, "123", "security_code"),
    ],
)
def test_local_processor_refuses_what_a_processor_would(
    card: str, month: int, year: int, code: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        processor().tokenize(Sensitive(card), month, year, Sensitive(code))
    assert caught.value.location.field == field
    digits = card.replace(" ", "").replace("-", "")
    assert digits not in str(caught.value) and card[-4:] not in str(caught.value)


def test_local_processor_accepts_this_month_and_two_digit_years() -> None:
    token = processor().tokenize(Sensitive(VISA), 6, 30, Sensitive("123"))
    assert (token.brand, token.last4, token.exp_month, token.exp_year) == (
        "visa",
        "4242",
        6,
        2030,
    )
    assert token.token.startswith("tok_")


@pytest.mark.clause("collect.requested")
def test_add_payment_method_keeps_token_brand_last4_expiry_and_address(
    session: Session, account: Account
) -> None:
    method = add_payment_method(
        session,
        account=account,
        processor=processor(),
        card_number=AMEX,
        exp_month=12,
        exp_year=2032,
        security_code=AMEX_CODE,
        actor=BILLING,
        policy=POLICY,
        billing_street="1 Main St",
        billing_city="Springfield",
        billing_region="IL",
        billing_postal_code="62701",
        billing_country="us",
    )
    stored = session.get(PaymentMethod, method.id)
    assert stored is not None
    assert stored.processor_token.startswith("tok_")
    assert (stored.card_brand, stored.card_last4, stored.card_exp_month) == (
        "amex",
        "0005",
        12,
    )
    assert (stored.billing_city, stored.billing_country) == ("Springfield", "US")
    values = text_values(session)
    assert not any(AMEX in v or AMEX_CODE in v for v in values)


@pytest.mark.postgresql
@pytest.mark.clause("collect.requested")
def test_card_number_and_security_code_never_reach_disk(
    store: Store, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tutela")
    with store.session() as s:
        account = with_payer(s, open_account(s, organization="Disk Check Inc"))
        add_payment_method(
            s,
            account=account,
            processor=processor(),
            card_number=AMEX,
            exp_month=7,
            exp_year=2031,
            security_code=AMEX_CODE,
            actor=BILLING,
            policy=POLICY,
            billing_street="Quay Street",
        )
    blob = store_bytes(store, settings)
    assert b"Quay Street" in blob  # the file or dump really holds the row
    assert AMEX.encode() not in blob
    assert AMEX_CODE.encode() not in blob
    assert AMEX not in caplog.text and AMEX_CODE not in caplog.text


def test_processor_receives_the_card_wrapped(
    session: Session, account: Account
) -> None:
    seen: list[tuple[str, str]] = []

    class Spy:
        country = "US"

        def tokenize(
            self,
            card_number: Sensitive,
            exp_month: int,
            exp_year: int,
            security_code: Sensitive,
        ) -> CardToken:
            seen.append((card_number.reveal(), security_code.reveal()))
            return CardToken("tok_spy", "amex", "0005", exp_month, exp_year)

    add_payment_method(
        session,
        account=account,
        processor=Spy(),
        card_number=Sensitive(AMEX),
        exp_month=1,
        exp_year=2031,
        security_code=AMEX_CODE,
        actor=BILLING,
        policy=POLICY,
    )
    assert seen == [(AMEX, AMEX_CODE)]


def test_a_failing_processor_cannot_leak_the_card(
    session: Session, account: Account
) -> None:
    class Leaky:
        country = "US"

        def tokenize(
            self,
            card_number: Sensitive,
            exp_month: int,
            exp_year: int,
            security_code: Sensitive,
        ) -> CardToken:
            raise ValueError(
                f"declined {card_number.reveal()} {security_code.reveal()}"
            )

    with pytest.raises(TutelaError) as caught:
        add_payment_method(
            session,
            account=account,
            processor=Leaky(),
            card_number=AMEX,
            exp_month=1,
            exp_year=2031,
            security_code=AMEX_CODE,
            actor=BILLING,
            policy=POLICY,
        )
    assert "ValueError" in str(caught.value)
    assert AMEX not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


@pytest.mark.parametrize(
    "answer",
    [
        CardToken(f"tok_{AMEX}", "amex", "0005", 1, 2031),
        CardToken("tok_ok", "amex", "9999", 1, 2031),
        CardToken("", "amex", "0005", 1, 2031),
    ],
)
def test_an_unsafe_processor_answer_is_refused(
    session: Session, account: Account, answer: CardToken
) -> None:
    class Bad:
        country = "US"

        def tokenize(
            self,
            card_number: Sensitive,
            exp_month: int,
            exp_year: int,
            security_code: Sensitive,
        ) -> CardToken:
            return answer

    with pytest.raises(TutelaError):
        add_payment_method(
            session,
            account=account,
            processor=Bad(),
            card_number=AMEX,
            exp_month=1,
            exp_year=2031,
            security_code=AMEX_CODE,
            actor=BILLING,
            policy=POLICY,
        )
    assert session.scalar(select(PaymentMethod.id)) is None


@pytest.mark.clause("disclose.processors.payment")
@pytest.mark.clause("disclose.jurisdictions")
def test_a_card_sent_to_the_processor_is_on_the_disclosure_ledger(
    session: Session, account: Account
) -> None:
    add_payment_method(
        session,
        account=account,
        processor=LocalTestProcessor(
            today=lambda: TODAY, token_suffix=lambda: "x", country="IE"
        ),
        card_number=AMEX,
        exp_month=1,
        exp_year=2031,
        security_code=AMEX_CODE,
        actor=BILLING,
        policy=POLICY,
    )
    row = session.scalars(select(Disclosure)).one()
    assert (row.recipient, row.recipient_kind, row.purpose) == (
        "payment_processor",
        "processor",
        "collect_payment",
    )
    assert (row.recipient_country, row.recipient_jurisdiction) == ("IE", "OTHER")
    assert (row.allowed, row.actor, row.categories) == (
        True,
        "system:billing_run",
        '["payment"]',
    )
    (subject,) = session.scalars(select(DisclosureSubject)).all()
    assert subject.disclosure_id == row.id and subject.crossed_border is True


@pytest.mark.clause("disclose.processors.payment")
def test_an_actor_who_may_not_disclose_sends_no_card(
    session: Session, account: Account
) -> None:
    sent: list[str] = []

    class Spy:
        country = "US"

        def tokenize(
            self,
            card_number: Sensitive,
            exp_month: int,
            exp_year: int,
            security_code: Sensitive,
        ) -> CardToken:
            sent.append("card")
            return CardToken("tok_spy", "amex", "0005", exp_month, exp_year)

    with pytest.raises(DisclosureRefused):
        add_payment_method(
            session,
            account=account,
            processor=Spy(),
            card_number=AMEX,
            exp_month=1,
            exp_year=2031,
            security_code=AMEX_CODE,
            actor=Actor.staff(7, Role.support_agent),
            policy=POLICY,
        )
    assert sent == []
    assert session.scalar(select(Disclosure.id)) is None
