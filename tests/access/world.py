"""A tiny, obviously fake world for the use, disclose and secure tests.

Two business accounts (one in the US, one in Canada), a few people, their
extensions, a card on file, a support chat, voicemail and website data, and the
holdings that say who held each extension since when.
Inserted straight into the tables: these tests are about reading them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tutela.store.db import Store
from tutela.store.models import (
    Account,
    AdClick,
    Communication,
    Extension,
    Holding,
    PaymentMethod,
    Person,
    Voicemail,
    WebVisit,
)

T0 = dt.datetime(2018, 1, 21, 12, 0, tzinfo=dt.UTC)


@dataclass(frozen=True)
class World:
    us_account: int
    ca_account: int
    alice: int  # end user of the US account, extension 1001
    bob: int  # end user of the US account, extension 1002
    carol: int  # admin of the Canadian account
    alice_voicemail: int
    bob_voicemail: int
    carol_voicemail: int


def _person(account: int, name: str, role: str = "end_user") -> Person:
    return Person(
        account_id=account, role=role, name=name, email=f"{name.lower()}@example.test"
    )


def _voicemail(account: int, mailbox: str, key: str) -> Voicemail:
    return Voicemail(
        account_id=account,
        dedupe_key=key,
        mailbox=mailbox,
        received_at=T0,
        duration_s=12,
    )


def _held(account: int, extension: str, person: int) -> Holding:
    # What assigning the extension records: who holds it, since when.
    return Holding(
        account_id=account,
        person_id=person,
        kind="extension",
        extension=extension,
        evidence="assigned",
        valid_from=T0 - dt.timedelta(days=30),
    )


def build_world(store: Store) -> World:
    with store.session() as s:
        us = Account(
            ref="TEST-US", organization="Example Dental LLC", jurisdiction="US"
        )
        ca = Account(
            ref="TEST-CA", organization="Exemple Plomberie Inc", jurisdiction="CA"
        )
        s.add_all([us, ca])
        s.flush()
        alice, bob = _person(us.id, "Alice"), _person(us.id, "Bob")
        carol = _person(ca.id, "Carol", role="admin")
        s.add_all([alice, bob, carol])
        s.flush()
        s.add_all(
            [
                Extension(account_id=us.id, extension="1001", person_id=alice.id),
                Extension(account_id=us.id, extension="1002", person_id=bob.id),
                Extension(account_id=ca.id, extension="2001", person_id=carol.id),
                _held(us.id, "1001", alice.id),
                _held(us.id, "1002", bob.id),
                _held(ca.id, "2001", carol.id),
                PaymentMethod(
                    account_id=us.id,
                    processor_token="tok_test_visa",
                    card_brand="visa",
                    card_last4="4242",
                    card_exp_month=12,
                    card_exp_year=2030,
                ),
                Communication(
                    account_id=us.id,
                    person_id=alice.id,
                    channel="chat",
                    body="My fax line is down.",
                    occurred_at=T0,
                ),
                WebVisit(
                    dedupe_key="visit-1",
                    site="www.example.test",
                    page="/pricing",
                    viewed_at=T0,
                    device_class="desktop",
                    ip_truncated="192.0.2.0/24",
                    visitor_hash="v" * 64,
                ),
                AdClick(
                    dedupe_key="click-1",
                    site="www.example.test",
                    clicked_at=T0,
                    landing_page="/pricing",
                    visitor_hash="v" * 64,
                ),
            ]
        )
        vms = [
            _voicemail(us.id, "1001", "vm-a"),
            _voicemail(us.id, "1002", "vm-b"),
            _voicemail(ca.id, "2001", "vm-c"),
        ]
        s.add_all(vms)
        s.flush()
        return World(
            us.id, ca.id, alice.id, bob.id, carol.id, vms[0].id, vms[1].id, vms[2].id
        )
