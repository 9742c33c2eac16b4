"""Cards on file: tokenized by the payment processor, never stored in full.

Policy clauses enforced here:

- ``collect.requested``: "Jive may request ... payment information (billing
  address, payment account number, and security code and expiration date for
  credit cards)".
- ``disclose.processors.payment``: "Jive discloses customer payment information
  to third party payment vendors to process customer payments."

The card number and the security code go to the `PaymentProcessor` and
nowhere else: they travel wrapped in `Sensitive` (whose ``repr`` and ``str``
are redacted), are never logged or quoted in an error, and the store keeps
only the processor's token, the brand, the last four digits and the expiry.
PCI DSS forbids storing the security code after authorization, even
encrypted; the schema has no column for it. Brands and the Luhn check are
those of `tutela.collect.accounts.card_numbers`, the table card detection uses.
Whom a card is about and whether its token is new are read through the gate
inside the write that stores the card, as the billing run (`collect_payment`),
whoever asked: the disclosure itself is checked against the asking actor.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final, Protocol

from sqlalchemy.orm import Session

from tutela.access.actors import Actor
from tutela.access.reads import people_of_account, token_on_file
from tutela.collect._gate import reading
from tutela.collect.accounts.card_numbers import brand_of, luhn_valid
from tutela.collect.accounts.contacts import normalize_country, optional_text
from tutela.disclose.processors import record_in_session
from tutela.errors import Conflict, InvalidInput, TutelaError
from tutela.policy import Policy
from tutela.store import utcnow
from tutela.store.models import Account, PaymentMethod

log = logging.getLogger(__name__)

REDACTED: Final = "<redacted>"
PAYMENT_RECIPIENT: Final = "payment_processor"  # the policy's recipient id
PAYMENT_PURPOSE: Final = "collect_payment"
PAYER_ROLES: Final = ("admin", "contact")
BILLING_RUN: Final = Actor.system("billing_run")
_SEPARATORS = re.compile(r"[ \-]")
_DIGITS = re.compile(r"[0-9]+")


class Sensitive:
    """A secret string (card number, security code) that will not print itself.

    ``repr``, ``str`` and ``format`` give ``<redacted>``; `reveal` is the only
    way to the value, so every use of it is deliberate and easy to find.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise InvalidInput("must be text", field="sensitive value")
        self._value = value

    @classmethod
    def wrap(cls, value: str | Sensitive) -> Sensitive:
        return value if isinstance(value, Sensitive) else cls(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Sensitive({REDACTED})"

    def __str__(self) -> str:
        return REDACTED

    def __format__(self, spec: str) -> str:
        return REDACTED

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Sensitive value cannot be pickled")


@dataclass(frozen=True, slots=True)
class CardToken:
    """What a processor hands back: all the store ever keeps of a card."""

    token: str = field(repr=False)
    brand: str
    last4: str
    exp_month: int
    exp_year: int


class PaymentProcessor(Protocol):
    """A payment vendor that turns a card into a reusable token.

    ``country`` is where the vendor is (ISO code): the disclosure ledger
    records it with every card sent (disclose.jurisdictions).
    """

    country: str

    def tokenize(
        self,
        card_number: Sensitive,
        exp_month: int,
        exp_year: int,
        security_code: Sensitive,
    ) -> CardToken: ...


def card_digits(card_number: Sensitive) -> str:
    """The card number as bare digits; InvalidInput (no value quoted) if malformed."""
    digits = _SEPARATORS.sub("", card_number.reveal())
    if not _DIGITS.fullmatch(digits) or not 12 <= len(digits) <= 19:
        raise InvalidInput("must be 12 to 19 digits", field="card_number")
    return digits


def check_expiry(exp_month: int, exp_year: int, *, today: dt.date) -> tuple[int, int]:
    """(month, four-digit year); InvalidInput when malformed or already expired."""
    if isinstance(exp_month, bool) or not isinstance(exp_month, int):
        raise InvalidInput("must be a whole number", field="exp_month")
    if isinstance(exp_year, bool) or not isinstance(exp_year, int):
        raise InvalidInput("must be a whole number", field="exp_year")
    if not 1 <= exp_month <= 12:
        raise InvalidInput("must be 1 to 12", field="exp_month")
    year = exp_year + 2000 if 0 <= exp_year < 100 else exp_year
    if not 2000 <= year <= 2200:
        raise InvalidInput("must be a year such as 2030 or 30", field="exp_year")
    # A card is good through the last day of its expiry month.
    if (year, exp_month) < (today.year, today.month):
        raise InvalidInput("the card has expired", field="exp_year")
    return exp_month, year


class LocalTestProcessor:
    """An offline processor for tests and the demo; it keeps nothing it is given.

    It checks what a real processor checks before authorizing (Luhn, a known
    issuer range, an expiry not in the past, a 3-digit security code, 4 for
    American Express) and answers with ``tok_`` and a random suffix.
    """

    def __init__(
        self,
        *,
        today: Callable[[], dt.date] | None = None,
        token_suffix: Callable[[], str] | None = None,
        country: str = "US",
    ) -> None:
        self.country = country
        self._today = today or (lambda: utcnow().date())
        self._token_suffix = token_suffix or (lambda: secrets.token_hex(12))

    def tokenize(
        self,
        card_number: Sensitive,
        exp_month: int,
        exp_year: int,
        security_code: Sensitive,
    ) -> CardToken:
        digits = card_digits(card_number)
        if not luhn_valid(digits):
            raise InvalidInput("fails the Luhn check", field="card_number")
        brand = brand_of(digits)
        if brand is None:
            raise InvalidInput(
                "is not from an issuer range we accept", field="card_number"
            )
        month, year = check_expiry(exp_month, exp_year, today=self._today())
        code = security_code.reveal().strip()
        wanted = brand.security_code_digits
        if not _DIGITS.fullmatch(code) or len(code) != wanted:
            raise InvalidInput(
                f"must be {wanted} digits for this card", field="security_code"
            )
        return CardToken(
            token="tok_" + self._token_suffix(),
            brand=brand.id,
            last4=digits[-4:],
            exp_month=month,
            exp_year=year,
        )


def _checked_token(result: object, digits: str) -> CardToken:
    """Refuse a processor answer the store must not keep."""
    if not isinstance(result, CardToken):
        raise TutelaError("the payment processor returned no card token")
    if not result.token or len(result.token) > 100:
        raise TutelaError("the payment processor returned an unusable token")
    if digits in result.token:
        raise TutelaError(
            "the payment processor returned a token holding the card number"
        )
    if result.last4 != digits[-4:]:
        raise TutelaError("the payment processor returned last digits of another card")
    return result


def _payers(
    session: Session, account: Account, payer_ids: Sequence[int] | None
) -> list[int]:
    """Whom the card's disclosure is about: given, else admins and contacts."""
    if payer_ids is not None:
        wanted = sorted(set(payer_ids))
        with reading(session, actor=BILLING_RUN, purpose=PAYMENT_PURPOSE) as use:
            found = people_of_account(use, account.id, among=wanted)
        if found != wanted:
            raise InvalidInput("names someone outside the account", field="payer_ids")
        return wanted
    with reading(session, actor=BILLING_RUN, purpose=PAYMENT_PURPOSE) as use:
        payers = people_of_account(use, account.id, roles=PAYER_ROLES)
    if not payers:
        raise InvalidInput(
            "the account has no admin or contact to put a card on file for",
            field="account",
        )
    return payers


def add_payment_method(
    session: Session,
    *,
    account: Account,
    processor: PaymentProcessor,
    card_number: str | Sensitive,
    exp_month: int,
    exp_year: int,
    security_code: str | Sensitive,
    billing_street: str | None = None,
    billing_city: str | None = None,
    billing_region: str | None = None,
    billing_postal_code: str | None = None,
    billing_country: str | None = None,
    actor: Actor,
    policy: Policy,
    payer_ids: Sequence[int] | None = None,
) -> PaymentMethod:
    """Tokenize a card with `processor` and keep the token, never the card.

    Only the token, brand, last four digits, expiry and billing address are
    stored. The security code is passed to the processor and then dropped.

    Sending the card is a disclosure to the policy's ``payment_processor``
    for ``collect_payment``: it is checked and written to the disclosure
    ledger (in this transaction, with the processor's country) before the
    card goes out, about ``payer_ids`` (default: the account's admins and
    contacts). `DisclosureRefused` if ``actor`` may not make it.
    """
    card = Sensitive.wrap(card_number)
    code = Sensitive.wrap(security_code)
    # Drop the plain strings from this frame so that a traceback printed with
    # local variables cannot show them.
    del card_number, security_code
    address = {
        "billing_street": optional_text(
            billing_street, field="billing_street", max_len=200
        ),
        "billing_city": optional_text(billing_city, field="billing_city", max_len=100),
        "billing_region": optional_text(
            billing_region, field="billing_region", max_len=100
        ),
        "billing_postal_code": optional_text(
            billing_postal_code, field="billing_postal_code", max_len=20
        ),
        "billing_country": normalize_country(billing_country, field="billing_country"),
    }
    digits = card_digits(card)
    record_in_session(
        session,
        policy=policy,
        actor=actor,
        recipient=PAYMENT_RECIPIENT,
        subjects=_payers(session, account, payer_ids),
        categories=["payment"],
        purpose=PAYMENT_PURPOSE,
        country=processor.country,
    )
    try:
        result = processor.tokenize(card, exp_month, exp_year, code)
    except TutelaError:
        raise
    except Exception as exc:
        # A vendor's exception may quote what it was given: report its type only.
        raise TutelaError(
            f"the payment processor failed ({type(exc).__name__})"
        ) from None
    token = _checked_token(result, digits)
    del digits
    with reading(session, actor=BILLING_RUN, purpose=PAYMENT_PURPOSE) as use:
        taken = token_on_file(use, token.token)
    if taken:
        raise Conflict("the payment processor returned a token already on file")
    method = PaymentMethod(
        account_id=account.id,
        processor_token=token.token,
        card_brand=token.brand,
        card_last4=token.last4,
        card_exp_month=token.exp_month,
        card_exp_year=token.exp_year,
        **address,
    )
    session.add(method)
    session.flush()
    log.info(
        "payment_method.added account_id=%s payment_method_id=%s", account.id, method.id
    )
    return method
