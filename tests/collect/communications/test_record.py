"""Volunteered communications: chat, email, phone call, ticket or other.

Policy: "This includes information in a chat, email, phone call, service
ticket or other communication with Jive." (collect.volunteered.channels)
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tutela.collect.accounts.contacts import add_person, open_account
from tutela.collect.communications.record import (
    CHANNELS,
    MAX_BODY_BYTES,
    record_communication,
)
from tutela.errors import InvalidInput
from tutela.store.models import Account, Communication

WHEN = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
BODY = "Hi, this is Dana Scully, call me on (201) 555-0123 or dana@acme.example"


@pytest.fixture
def account(session: Session) -> Account:
    return open_account(session, organization="Acme Plumbing LLC")


@pytest.mark.clause("collect.volunteered")
@pytest.mark.clause("collect.volunteered.channels")
@pytest.mark.parametrize("channel", ["chat", "email", "phone_call", "ticket", "other"])
def test_each_channel_the_policy_names_is_recorded(
    session: Session, account: Account, channel: str
) -> None:
    person = add_person(session, account=account, role="contact", name="Dana Scully")
    row = record_communication(
        session,
        account=account,
        channel=channel,
        body=BODY,
        subject="  Voicemail\n  broken ",
        person=person,
        ticket_ref="TKT-1",
        occurred_at=WHEN,
    )
    session.expire_all()
    stored = session.get(Communication, row.id)
    assert stored is not None
    assert (stored.channel, stored.body, stored.subject) == (
        channel,
        BODY,
        "Voicemail broken",
    )
    assert (stored.person_id, stored.ticket_ref, stored.direction) == (
        person.id,
        "TKT-1",
        "inbound",
    )
    assert stored.occurred_at.replace(tzinfo=None) == dt.datetime(2024, 3, 1, 14, 30)


@pytest.mark.clause("collect.volunteered.channels")
def test_the_channels_are_exactly_the_policy_list() -> None:
    assert {"chat", "email", "phone_call", "ticket", "other"} == CHANNELS


@pytest.mark.clause("collect.volunteered.channels")
def test_an_unknown_channel_is_refused(session: Session, account: Account) -> None:
    with pytest.raises(InvalidInput) as caught:
        record_communication(
            session, account=account, channel="sms", body=BODY, occurred_at=WHEN
        )
    assert caught.value.location.field == "channel"
    row = record_communication(
        session, account=account, channel="chat", body=BODY, occurred_at=WHEN
    )
    with pytest.raises(IntegrityError), session.begin_nested():
        session.execute(
            update(Communication)
            .where(Communication.id == row.id)
            .values(channel="fax")
        )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": " \n\t "}, "body"),
        ({"body": "é" * (MAX_BODY_BYTES // 2 + 1)}, "body"),
        ({"body": "bad \udc80 byte"}, "body"),
        ({"direction": "sideways"}, "direction"),
        ({"occurred_at": dt.datetime(2024, 3, 1, 9, 30)}, "occurred_at"),
        ({"subject": "x" * 301}, "subject"),
        ({"ticket_ref": "T" * 33}, "ticket_ref"),
    ],
)
def test_unusable_input_is_refused(
    session: Session, account: Account, changes: dict[str, object], field: str
) -> None:
    fields: dict[str, object] = {"channel": "email", "body": BODY, "occurred_at": WHEN}
    fields.update(changes)
    with pytest.raises(InvalidInput) as caught:
        record_communication(session, account=account, **fields)  # type: ignore[arg-type]
    assert caught.value.location.field == field


def test_a_body_of_exactly_one_mebibyte_is_kept(
    session: Session, account: Account
) -> None:
    body = "a" * MAX_BODY_BYTES
    row = record_communication(
        session, account=account, channel="email", body=body, occurred_at=WHEN
    )
    assert len(row.body) == MAX_BODY_BYTES


@pytest.mark.postgresql
def test_nul_characters_are_kept_visible_not_dropped(
    session: Session, account: Account
) -> None:
    row = record_communication(
        session, account=account, channel="chat", body="a\x00b", occurred_at=WHEN
    )
    session.expire_all()
    stored = session.get(Communication, row.id)
    assert stored is not None and stored.body == "a\ufffdb"


def test_a_person_of_another_account_is_refused(
    session: Session, account: Account
) -> None:
    other = open_account(session, organization="Rival Inc")
    stranger = add_person(session, account=other, role="admin", name="Eve")
    with pytest.raises(InvalidInput) as caught:
        record_communication(
            session,
            account=account,
            channel="chat",
            body=BODY,
            person=stranger,
            occurred_at=WHEN,
        )
    assert caught.value.location.field == "person"


def test_bodies_and_subjects_are_never_logged(
    session: Session, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="tutela")
    record_communication(
        session,
        account=account,
        channel="ticket",
        subject="Dana's voicemail",
        body=BODY,
        occurred_at=WHEN,
    )
    assert "communication.recorded" in caplog.text
    assert "Dana" not in caplog.text and "555" not in caplog.text
