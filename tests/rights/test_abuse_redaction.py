"""Abuse: third parties and secrets inside free text (issue: access requests, item 5).

A subject's own messages go into their export, but the people they name
who are not customers, and the secrets they typed, are not theirs to
receive back (a PIN or password is a key to the account, whoever asks); a
card security code is never stored at all (PCI DSS).
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.rights.abuse_world import customer
from tutela.collect.communications.record import record_communication
from tutela.config import Settings
from tutela.policy.loader import load_policy_cached
from tutela.rights.export.collect import collect_subject
from tutela.store.db import Store
from tutela.store.models import Account, Communication, CommunicationMention, Person


def _exported_bodies(store: Store, settings: Settings, body: str) -> str:
    """Jennifer writes `body` in a ticket; the bodies her export carries."""
    who = customer(store)
    with store.session() as s:
        account, person = s.get(Account, who.account_id), s.get(Person, who.person_id)
        assert account is not None and person is not None
        record_communication(
            s,
            account=account,
            channel="ticket",
            body=body,
            person=person,
            occurred_at=dt.datetime.now(dt.UTC),
        )
    data = collect_subject(
        store, [who.person_id], policy=load_policy_cached(settings.policy_file)
    )
    return "\n".join(str(r["body"]) for r in data.section("communications").rows)


@pytest.mark.clause("rights.access")
def test_a_third_partys_name_not_in_the_customer_base_is_redacted(
    store: Store, settings: Settings
) -> None:
    text = _exported_bodies(
        store,
        settings,
        "Any news on the port? Madison Garcia at our old carrier said to call "
        "back. Thanks, Jennifer Kelly",
    )
    assert "Madison" not in text and "Garcia" not in text
    assert "Jennifer Kelly" in text  # the subject's own name stays
    assert "at our old carrier" in text


@pytest.mark.clause("rights.access")
@pytest.mark.parametrize(
    "typed",
    [
        "P.I.N. 4827",
        "pin number is 4827",
        "PIN#4827",
        "my pincode: 4827",
        "Pin - 4827",
        "PIN 4 8 2 7",
        "NIP : 4827",
        "passcode 4827",
    ],
)
def test_a_pin_in_any_spelling_is_removed_from_the_export(
    store: Store, settings: Settings, typed: str
) -> None:
    text = _exported_bodies(store, settings, f"For the port, {typed}. Jennifer")
    assert "[secret removed]" in text
    assert not any(char.isdigit() for char in text)  # no digit of it is left


@pytest.mark.clause("rights.access")
@pytest.mark.parametrize(
    ("typed", "secret"),
    [
        ("password is hunter2xyz", "hunter2xyz"),
        ("pw: hunter2xyz", "hunter2xyz"),
        ("passwd=hunter2xyz", "hunter2xyz"),
        ("mot de passe : hunter2xyz", "hunter2xyz"),
        ("the security code is 9911", "9911"),
        ("verification code 551177", "551177"),
    ],
)
def test_passwords_and_security_codes_are_removed_from_the_export(
    store: Store, settings: Settings, typed: str, secret: str
) -> None:
    text = _exported_bodies(store, settings, f"Reset it please, {typed} thanks")
    assert secret not in text


@pytest.mark.clause("collect.requested")
@pytest.mark.parametrize(
    "typed",
    [
        "card 4111 1111 1111 1111 exp 04/28 cvv 737",
        "CVV2: 737",
        "cvc 737",
        "security code 737",
        "the code on the back is 737",
        "card 4111111111111111 04/28 737",
    ],
)
def test_a_card_security_code_typed_in_a_chat_is_never_stored(
    store: Store, typed: str
) -> None:
    who = customer(store)
    with store.session() as s:
        account = s.get(Account, who.account_id)
        assert account is not None
        row = record_communication(
            s,
            account=account,
            channel="chat",
            body=f"pay with this: {typed} ok",
            occurred_at=dt.datetime.now(dt.UTC),
        )
        row_id = row.id
    with store.session() as s:
        body = s.scalar(select(Communication.body).where(Communication.id == row_id))
        values = list(s.scalars(select(CommunicationMention.value)))
    assert body is not None and "737" not in body
    assert all("737" not in v for v in values)
