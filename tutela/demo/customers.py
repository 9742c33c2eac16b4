"""A realistic demo data set, built through the real ingest paths.

Policy clauses exercised: ``scope.business_only`` (business accounts only),
``collect.requested`` (contacts, numbers, extensions, cards, porting) and
``collect.volunteered.channels`` (tickets, chats, emails and call notes whose
text holds personal data, sometimes of people who are not customers, and now
and then a card number typed into a chat).

Everything goes through `tutela.collect` functions, never straight into
tables, so the demo obeys every rule real input does. Values are fictional:
phone numbers come from ranges reserved for drama (NANP 555-01XX, Ofcom's
drama ranges), email domains end in ``.example``, cards are processor test
cards. Account ``i`` is always built from the same seed, so a re-run skips the
refs it finds and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import random
import re
import unicodedata
from dataclasses import asdict, dataclass
from typing import Any

import phonenumbers
from faker import Faker
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tutela.access import Actor, access
from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    open_account,
)
from tutela.collect.accounts.payment import LocalTestProcessor, add_payment_method
from tutela.collect.accounts.porting import submit_port_request
from tutela.collect.communications.record import record_communication
from tutela.demo._data import (
    _ADDRESS,
    _CARD_CHAT,
    _CARRIERS,
    _CHAT_CARDS,
    _GB_DRAMA,
    _INTERNATIONAL,
    _MESSAGES,
    _NATIONAL,
    _REGION,
    _SLOTS,
    _TABLES,
    _TEST_CARDS,
    _WEIGHTS,
    LOCALES,
    REASSIGNED_AT,
    REF_PREFIX,
    SERVICE_START,
)
from tutela.errors import Conflict, InvalidInput
from tutela.policy import Policy
from tutela.store import Store, utcnow
from tutela.store.models import (
    Account,
    Person,
    PhoneNumber,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoSummary:
    """Rows of demo accounts per table, and how many accounts this run opened."""

    accounts: int
    people: int
    phone_numbers: int
    extensions: int
    payment_methods: int
    porting_requests: int
    porting_numbers: int
    communications: int
    call_records: int
    voicemails: int
    call_recordings: int
    created_accounts: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@functools.cache
def _area_codes(region: str) -> tuple[int, ...]:
    """NANP area codes of `region` in which 555-01XX (reserved for fiction) is valid."""
    codes = []
    for npa in range(200, 1000):
        number = phonenumbers.parse(f"+1{npa}5550100")
        if phonenumbers.is_valid_number_for_region(number, region):
            codes.append(npa)
    return tuple(codes)


def pool_number(region: str, slot: int) -> str:
    """The `slot`-th fictional number of `region` (US, CA or GB), in E.164.

    Consecutive slots share an area code, like a block of direct-dial numbers.
    """
    if region == "GB":
        prefix = _GB_DRAMA[slot // 1000 % len(_GB_DRAMA)]
        return f"+44{prefix}{slot % 1000:03d}"
    npas = _area_codes(region)
    return f"+1{npas[slot // 100 % len(npas)]}55501{slot % 100:02d}"


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:40] or "x"


def _state(fake: Faker, region: str) -> str:
    if region == "US":
        return str(fake.state_abbr(False, False))  # no territories, no COFA states
    return str(fake.province_abbr() if region == "CA" else fake.county())


def _address(fake: Faker, region: str) -> dict[str, Any]:
    values = (fake.street_address(), fake.city(), _state(fake, region))
    return dict(zip(_ADDRESS, (*values, fake.postcode(), region), strict=True))


@dataclass
class _Build:
    """What the steps of building one demo account share."""

    session: Session
    index: int
    rng: random.Random
    fake: Faker
    locale: str
    now: dt.datetime
    policy: Policy

    @property
    def region(self) -> str:
        return _REGION[self.locale]

    def number(self, slot: int) -> str:
        return pool_number(self.region, self.index * _SLOTS + slot)

    def typed(self, e164: str) -> str:
        """The number as a person would type it: national or international."""
        style = _NATIONAL if self.rng.random() < 0.6 else _INTERNATIONAL
        return str(phonenumbers.format_number(phonenumbers.parse(e164), style))


def _open(b: _Build) -> Account:
    fake = b.fake
    where = "GB" if b.region == "GB" else f"{b.region}-{_state(fake, b.region)}"
    if b.locale == "fr_CA":
        where = "CA-QC"
    return open_account(
        b.session,
        organization=fake.company(),
        region=b.region,
        jurisdiction=where,
        ref=f"{REF_PREFIX}{b.index:05d}",
    )


def _assign(
    b: _Build, account: Account, e164: str, person: Person | None = None
) -> PhoneNumber | None:
    try:
        return assign_number(
            b.session,
            account=account,
            number=e164,
            assignee=person,
            since=SERVICE_START,
        )
    except Conflict:  # a very large demo wrapped round its pool of numbers
        log.info("demo.number_skipped account_id=%s", account.id)
        return None


def _former_colleague(b: _Build, account: Account, domain: str) -> None:
    """Someone who held extension 101 until `REASSIGNED_AT`, then left."""
    first, last = b.fake.first_name(), b.fake.last_name()
    former = add_person(
        b.session,
        account=account,
        role="end_user",
        name=f"{first} {last}",
        email=f"{_slug(first)}.{_slug(last)}@{domain}",
        phone=b.typed(pool_number(b.region, 200_000 + b.index)),  # their mobile
        since=SERVICE_START,
    )
    assign_extension(
        b.session, account=account, extension="101", person=former, since=SERVICE_START
    )


def _add_people(b: _Build, account: Account) -> list[Person]:
    domain = f"{_slug(account.organization)}.example"
    main = _assign(b, account, b.number(0))
    assign_extension(
        b.session,
        account=account,
        extension="100",
        phone_number=main,
        since=SERVICE_START,
    )
    if b.index % 20 == 1:
        _former_colleague(b, account, domain)
    people = []
    for j in range(b.rng.randint(1, 4)):
        first, last = b.fake.first_name(), b.fake.last_name()
        e164 = b.number(1 + j)
        role = "admin" if j == 0 else b.rng.choice(("contact", "end_user", "end_user"))
        person = add_person(
            b.session,
            account=account,
            role=role,
            name=f"{first} {last}",
            email=f"{_slug(first)}.{_slug(last)}@{domain}",
            phone=b.typed(e164),
            since=SERVICE_START,
            **_address(b.fake, b.region),
        )
        number = _assign(b, account, e164, person)
        reassigned = j == 0 and b.index % 20 == 1
        assign_extension(
            b.session,
            account=account,
            extension=str(101 + j),
            person=person,
            phone_number=number,
            since=REASSIGNED_AT if reassigned else SERVICE_START,
        )
        people.append(person)
    return people


def _add_card(b: _Build, account: Account, payer: Person) -> None:
    rng = b.rng
    card = rng.choice(_TEST_CARDS)
    code_length = 4 if card[:2] in ("34", "37") else 3
    processor = LocalTestProcessor(token_suffix=lambda: f"{rng.getrandbits(96):024x}")
    add_payment_method(
        b.session,
        account=account,
        processor=processor,
        card_number=card,
        exp_month=rng.randint(1, 12),
        exp_year=b.now.year + rng.randint(1, 5),
        security_code="".join(rng.choices("0123456789", k=code_length)),
        **{f"billing_{name}": getattr(payer, name) for name in _ADDRESS},
        # The card goes to the processor for the billing run: on the ledger.
        actor=Actor.system("billing_run"),
        policy=b.policy,
        payer_ids=[payer.id],
    )


def _add_port(b: _Build, account: Account, admin: Person) -> None:
    rng = b.rng
    ports = [b.number(5 + k) for k in range(rng.randint(1, 3))]
    pin = None if rng.random() < 0.1 else str(rng.randrange(1000, 10**6))
    try:
        submit_port_request(
            b.session,
            account=account,
            numbers=[b.typed(n) for n in ports],
            previous_carrier=rng.choice(_CARRIERS[b.region]),
            carrier_account_number=str(rng.randrange(10**8, 10**12)),
            carrier_pin=pin,
            billing_telephone_number=ports[0],
            authorized_name=admin.name,
            service_address=f"{admin.street}\n{admin.city} {admin.postal_code}",
            requested_port_date=b.now.date() + dt.timedelta(days=rng.randint(7, 45)),
        )
    except Conflict:  # the pool wrapped round onto another account's numbers
        log.info("demo.port_skipped account_id=%s", account.id)


def _add_messages(b: _Build, account: Account, people: list[Person]) -> None:
    rng = b.rng
    main = b.number(0)
    for n in range(rng.randint(2, 6)):
        who = rng.randrange(len(people))
        person = people[who]
        channel, subject, template = rng.choice(_MESSAGES)
        body = template.format(
            name=person.name,
            org=account.organization,
            email=person.email,
            number=b.typed(main),
            phone_typed=b.typed(person.phone or main),
            ext=str(101 + who),
            other_name=b.fake.name(),
            other_email=b.fake.safe_email(),
            other_phone=b.typed(pool_number(b.region, 100_000 - b.index)),
        )
        if subject is not None:
            subject = subject.format(name=person.name)
        if channel == "chat" and rng.random() < 0.3:
            expiry = f"{rng.randint(1, 12):02d}/{b.now.year % 100 + 2}"
            card = rng.choice(_CHAT_CARDS)
            body = _CARD_CHAT.format(card=card, exp=expiry, name=person.name)
        ticket = f"TKT-{b.index:05d}-{n}" if channel == "ticket" else None
        sent = b.now - dt.timedelta(minutes=rng.randint(60, 60 * 24 * 365))
        record_communication(
            b.session,
            account=account,
            channel=channel,
            body=body,
            subject=subject,
            person=person,
            ticket_ref=ticket,
            occurred_at=sent,
        )
        if ticket is not None:
            record_communication(
                b.session,
                account=account,
                channel="ticket",
                direction="outbound",
                body=f"Hi {person.name.split()[0]}, thanks, we are looking into it.",
                subject=f"Re: {subject}",
                person=person,
                ticket_ref=ticket,
                occurred_at=sent + dt.timedelta(hours=rng.randint(1, 30)),
            )


def _build_account(
    session: Session,
    index: int,
    seed: int,
    fakers: dict[str, Faker],
    now: dt.datetime,
    policy: Policy,
) -> None:
    rng = random.Random(f"tutela-demo:{seed}:{index}")
    locale = rng.choices(LOCALES, weights=_WEIGHTS)[0]
    fake = fakers[locale]
    fake.seed_instance(rng.getrandbits(64))
    b = _Build(
        session=session,
        index=index,
        rng=rng,
        fake=fake,
        locale=locale,
        now=now,
        policy=policy,
    )
    account = _open(b)
    people = _add_people(b, account)
    _add_card(b, account, people[0])
    if rng.random() < 0.4:
        _add_port(b, account, people[0])
    _add_messages(b, account, people)


def summarize(session: Session, *, created: int = 0) -> DemoSummary:
    """Count the rows that belong to demo accounts, table by table.

    Counted through the gate inside `session` as the write path's job (the
    demo is built through the ingest paths): only keys and tenant columns
    are read, and each count is audited like any other read.
    """
    demo = select(Account.id).where(Account.ref.like(f"{REF_PREFIX}%"))
    builder = Actor.system("collect")
    with access(
        Store.of(session), actor=builder, purpose="deliver_services", within=session
    ) as use:
        ((total,),) = use.rows(
            func.count(Account.id), where=[Account.ref.like(f"{REF_PREFIX}%")]
        )
        counts = {"accounts": total}
        for model in _TABLES:
            ((count,),) = use.rows(
                func.count(model.id), where=[model.account_id.in_(demo)]
            )
            counts[model.__tablename__] = count
    return DemoSummary(**counts, created_accounts=created)


def build_customers(store: Store, *, accounts: int = 200, seed: int = 7) -> DemoSummary:
    """Build (or complete) the demo accounts in one transaction; idempotent.

    Demo accounts have refs ``DEMO-00000`` upwards; refs already present are
    skipped, so running it again adds nothing.
    """
    if accounts < 0:
        raise InvalidInput("must not be negative", field="accounts")
    now = utcnow().replace(microsecond=0)
    with store.session() as session:
        refs = select(Account.ref).where(Account.ref.like(f"{REF_PREFIX}%"))
        existing = set(session.scalars(refs))
        todo = [i for i in range(accounts) if f"{REF_PREFIX}{i:05d}" not in existing]
        if todo:
            fakers = {locale: Faker(locale) for locale in LOCALES}
            for index in todo:
                _build_account(session, index, seed, fakers, now, store.policy())
        summary = summarize(session, created=len(todo))
    log.info(
        "demo.built created=%d accounts=%d", summary.created_accounts, summary.accounts
    )
    return summary
