"""The mention index: personal data in communications, found at ingest, redacted on export.

Policy: "This includes information in a chat, email, phone call, service
ticket or other communication with Jive" (collect.volunteered.channels);
"Jive does not control the nature of this information"
(collect.volunteered.uncontrolled); "A subject of personal information can
access the personal information" (rights.access).
"""

from __future__ import annotations

import datetime as dt
import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from tests.collect.accounts.test_payment import store_bytes
from tutela.access import Actor, access
from tutela.access.reads.communications import CommunicationMentions, mentions_of
from tutela.collect.accounts.contacts import add_person, assign_number, open_account
from tutela.collect.communications.mentions import (
    RedactedCommunication,
    find_masked_cards,
    rebuild_index,
    redacted_for,
    regions_for,
)
from tutela.collect.communications.record import record_communication
from tutela.collect.detect import mask_cards
from tutela.config import Settings
from tutela.demo import build_demo
from tutela.errors import NotFound, PurposeDenied
from tutela.store.db import Store
from tutela.store.models import (
    Account,
    AuditEntry,
    Base,
    Communication,
    CommunicationMention,
    Person,
)

WHEN = dt.datetime(2024, 3, 1, 9, 30, tzinfo=dt.UTC)
CHAT_CARDS = ("4012 8888 8888 1881", "5105-1051-0510-5100", "371449635398431")


# The export's reads go through the gate, as the SAR export job.
EXPORT_JOB = Actor.system("sar_export")


@pytest.fixture(autouse=True)
def _gate_store(session: Session, store: Store) -> None:
    """Lets the helpers below open the gate on the test's store."""
    session.info["store"] = store


def _mentions(session: Session, person_id: int) -> list[CommunicationMentions]:
    """`mentions_of` through the gate, after the test's writes are committed."""
    session.commit()
    store: Store = session.info["store"]
    with access(store, actor=EXPORT_JOB, purpose="subject_access") as use:
        return mentions_of(use, person_id)


def _redacted(
    session: Session, row: Communication, person_id: int
) -> RedactedCommunication:
    """`redacted_for` through the gate, after the test's writes are committed."""
    session.commit()
    store: Store = session.info["store"]
    with access(store, actor=EXPORT_JOB, purpose="subject_access") as use:
        return redacted_for(use, row, person_id)


@pytest.fixture
def account(session: Session) -> Account:
    return open_account(session, organization="Acme Plumbing LLC")


@pytest.fixture
def dana(session: Session, account: Account) -> Person:
    return add_person(
        session,
        account=account,
        role="admin",
        name="Dana Scully",
        email="dana@acme.example",
        phone="(201) 555-0123",
    )


@pytest.fixture
def fox(session: Session, account: Account) -> Person:
    return add_person(
        session,
        account=account,
        role="end_user",
        name="Fox Mulder",
        email="fox@acme.example",
        phone="(201) 555-0177",
    )


def _record(
    session: Session, account: Account, body: str, **fields: object
) -> Communication:
    return record_communication(
        session,
        account=account,
        channel=str(fields.pop("channel", "ticket")),
        body=body,
        occurred_at=WHEN,
        **fields,  # type: ignore[arg-type]
    )


def _index(session: Session, communication: Communication) -> list[tuple[object, ...]]:
    rows = session.scalars(
        select(CommunicationMention)
        .where(CommunicationMention.communication_id == communication.id)
        .order_by(CommunicationMention.part, CommunicationMention.start)
    ).all()
    return [(r.part, r.kind, r.start, r.end, r.value, r.person_id) for r in rows]


@pytest.mark.clause("collect.volunteered.channels")
def test_ingest_indexes_each_detection_with_span_value_and_person(
    session: Session, account: Account, dana: Person
) -> None:
    body = "Hi, Dana Scully here: call 201-555-0123 or write Dana@ACME.example"
    row = _record(session, account, body, subject="From Dana Scully")
    index = _index(session, row)
    assert index == [
        ("body", "person", 4, 15, str(dana.id), dana.id),
        ("body", "phone", 27, 39, "+12015550123", dana.id),
        ("body", "email", 49, 66, "dana@acme.example", dana.id),
        ("subject", "person", 5, 16, str(dana.id), dana.id),
    ]
    assert row.body[27:39] == "201-555-0123"


@pytest.mark.clause("collect.volunteered.uncontrolled")
@pytest.mark.parametrize("card", CHAT_CARDS)
def test_a_card_typed_into_a_chat_is_stored_and_indexed_masked(
    session: Session, account: Account, card: str
) -> None:
    row = _record(
        session,
        account,
        f"put it on {card} exp 04/29",
        channel="chat",
        subject=f"card {card}",
    )
    session.expire_all()
    stored = session.get(Communication, row.id)
    assert stored is not None
    digits = card.replace(" ", "").replace("-", "")
    assert stored.body == f"put it on {mask_cards(card)} exp 04/29"
    assert digits not in stored.body.replace(" ", "").replace("-", "")
    assert stored.subject == f"card {mask_cards(card)}"
    cards = [entry for entry in _index(session, row) if entry[1] == "card"]
    masked = "*" * (len(digits) - 4) + digits[-4:]
    assert [(part, value) for part, _, _, _, value, _ in cards] == [
        ("body", masked),
        ("subject", masked),
    ]


@pytest.mark.clause("collect.volunteered.uncontrolled")
@pytest.mark.parametrize(
    ("text", "stored"),
    [
        ("ref 12 4111 1111 1111 1111", "ref 12 **** **** **** 1111"),
        (
            "call 201-555-0123 4111 1111 1111 1111",
            "call 201-555-0123 **** **** **** 1111",
        ),
        ("x 1234 4111 1111 1111 1111 5678", "x 1234 **** **** **** 1111 5678"),
        ("order 7 4111111111111111", "order 7 ************1111"),
        ("tel 555 0100 555 0199", "tel 555 0100 555 0199"),
    ],
)
def test_a_card_glued_to_another_number_is_masked_too(
    session: Session, account: Account, text: str, stored: str
) -> None:
    row = _record(session, account, text, channel="chat")
    assert row.body == stored
    cards = [entry for entry in _index(session, row) if entry[1] == "card"]
    assert len(cards) == int(stored != text)


@pytest.mark.parametrize("card", [*CHAT_CARDS, "4111111111111111", "30569309025904"])
def test_masked_cards_are_found_again_in_stored_text(card: str) -> None:
    text = f"card: {mask_cards(card)}, thanks"
    assert mask_cards(card) != card
    [found] = find_masked_cards(text)
    assert text[found.start : found.end] == mask_cards(card)
    assert found.value.endswith(card[-4:]) and set(found.value[:-4]) == {"*"}
    assert find_masked_cards("ref ****1234 and *** 12") == []


@pytest.mark.clause("collect.volunteered.uncontrolled")
def test_a_demo_chat_card_number_is_absent_from_the_stored_bytes(
    store: Store, settings: Settings
) -> None:
    build_demo(store, accounts=20)
    with store.session() as s:
        bodies = s.scalars(select(Communication.body)).all()
        card_values = set(
            s.scalars(
                select(CommunicationMention.value).where(
                    CommunicationMention.kind == "card"
                )
            )
        )
    masked = [mask_cards(card) for card in CHAT_CARDS]
    used = [m for m in masked if any(m in body for body in bodies)]
    assert used, "the demo typed no card into a chat; raise `accounts`"
    assert card_values <= {"*" * 12 + "1881", "*" * 12 + "5100", "*" * 11 + "8431"}
    blob = store_bytes(store, settings)
    for card in CHAT_CARDS:
        digits = card.replace(" ", "").replace("-", "")
        assert card.encode() not in blob and digits.encode() not in blob
    for form in used:
        assert form.encode() in blob


@pytest.mark.clause("rights.access")
def test_an_export_finds_the_ticket_mentioning_a_person_with_anothers_number_masked(
    session: Session, account: Account, dana: Person, fox: Person
) -> None:
    ticket = _record(
        session,
        account,
        "Please add Dana Scully to the hunt group. Fox asked us to reach him on "
        "(201) 555-0177; Dana is on 201 555 0123.",
        subject="Hunt group",
    )
    _record(session, account, "Unrelated: voicemail PIN reset for ext 104.")

    found = _mentions(session, dana.id)
    assert [m.communication_id for m in found] == [ticket.id]
    assert {(s.kind, ticket.body[s.start : s.end]) for s in found[0].spans} == {
        ("person", "Dana Scully"),
        ("phone", "201 555 0123"),
    }

    redacted = _redacted(session, ticket, dana.id)
    assert redacted.body.text == (
        "Please add Dana Scully to the hunt group. Fox asked us to reach him on "
        "[phone redacted]; Dana is on 201 555 0123."
    )
    assert redacted.subject is not None and redacted.subject.text == "Hunt group"
    [masked] = redacted.body.redacted
    assert masked.kind == "phone" and "another known person" in masked.reason
    assert {d.kind for d in redacted.body.kept} == {"person", "phone"}
    assert all("555" not in d.reason for d in redacted.body.redacted)


@pytest.mark.clause("rights.access")
def test_redaction_masks_strangers_cards_and_names_of_other_people(
    session: Session, account: Account, dana: Person, fox: Person
) -> None:
    row = _record(
        session,
        account,
        "Fox Mulder says bill 4111 1111 1111 1111; ping ops@elsewhere.example",
    )
    redacted = _redacted(session, row, dana.id)
    assert redacted.body.text == (
        "[person redacted] says bill [card redacted]; ping [email redacted]"
    )
    assert redacted.body.kept == ()
    assert _mentions(session, dana.id) == []


@pytest.mark.clause("rights.access")
def test_names_match_only_in_the_same_account_but_an_email_anywhere(
    session: Session, account: Account, dana: Person
) -> None:
    other = open_account(session, organization="Rival Inc", region="GB")
    ticket = _record(
        session,
        other,
        "Dana Scully from Acme, dana@acme.example, says hi.",
    )
    found = _mentions(session, dana.id)
    assert [(m.communication_id, m.account_id) for m in found] == [
        (ticket.id, other.id)
    ]
    assert [s.kind for s in found[0].spans] == ["email"]
    redacted = _redacted(session, ticket, dana.id)
    assert "dana@acme.example" in redacted.body.text


def test_an_email_two_people_share_is_attributed_to_neither(
    session: Session, account: Account, dana: Person
) -> None:
    other = open_account(session, organization="Rival Inc")
    shared = add_person(
        session, account=other, role="contact", name="D S", email="dana@acme.example"
    )
    third = open_account(session, organization="Third Party Co")
    row = _record(session, third, "Write to dana@acme.example")
    assert [entry[-1] for entry in _index(session, row)] == [None]
    assert _mentions(session, dana.id) == []
    # It is Dana's address too, so her export may show it.
    assert _redacted(session, row, dana.id).body.text == "Write to dana@acme.example"
    # Inside an account, that account's own person wins.
    own = _record(session, other, "Write to dana@acme.example")
    assert [entry[-1] for entry in _index(session, own)] == [shared.id]


def test_a_person_added_after_the_message_is_found_by_their_email(
    session: Session, account: Account
) -> None:
    row = _record(session, account, "Reply to walter@acme.example please")
    walter = add_person(
        session,
        account=account,
        role="contact",
        name="Walter Skinner",
        email="walter@acme.example",
    )
    assert [m.communication_id for m in _mentions(session, walter.id)] == [row.id]


def test_an_assigned_number_belongs_to_its_person(
    session: Session, account: Account, dana: Person
) -> None:
    assign_number(session, account=account, number="(201) 555-0142", assignee=dana)
    row = _record(session, account, "Her direct line is 201-555-0142.")
    assert [entry[-1] for entry in _index(session, row)] == [dana.id]


def test_the_account_region_is_read_first(session: Session) -> None:
    account = open_account(session, organization="Brick Lane Ltd", region="GB")
    assert regions_for(account.region)[:2] == ("GB", "US")
    row = _record(session, account, "Call me on 020 7946 0123 please")
    assert [(e[1], e[4]) for e in _index(session, row)] == [("phone", "+442079460123")]


@pytest.mark.clause("collect.volunteered.uncontrolled")
def test_rebuild_restores_the_index_and_masks_cards_stored_before_masking(
    session: Session, account: Account, dana: Person
) -> None:
    chat = _record(session, account, "hi it's Dana Scully", channel="chat")
    # A message written before card masking existed, and an emptied index.
    session.execute(
        update(Communication)
        .where(Communication.id == chat.id)
        .values(body="card 4111 1111 1111 1111 from Dana Scully")
    )
    session.execute(delete(CommunicationMention))
    session.expire_all()

    summary = rebuild_index(session)
    assert summary.as_dict() == {
        "accounts": 1,
        "communications": 1,
        "mentions": 2,
        "masked_communications": 1,
    }
    stored = session.get(Communication, chat.id)
    assert stored is not None
    assert stored.body == "card **** **** **** 1111 from Dana Scully"
    assert [(e[1], e[4]) for e in _index(session, stored)] == [
        ("card", "*" * 12 + "1111"),
        ("person", str(dana.id)),
    ]
    again = rebuild_index(session)
    assert (again.mentions, again.masked_communications) == (2, 0)


@pytest.mark.postgresql
def test_a_deleted_communication_takes_its_mentions_along(
    session: Session, account: Account, dana: Person
) -> None:
    row = _record(session, account, "Dana Scully, dana@acme.example")
    session.commit()
    session.execute(delete(Communication).where(Communication.id == row.id))
    session.commit()
    assert session.scalars(select(CommunicationMention)).all() == []


def test_an_unknown_person_is_not_found(session: Session, account: Account) -> None:
    with pytest.raises(NotFound):
        _mentions(session, 999_999)
    row = _record(session, account, "hello")
    with pytest.raises(NotFound):
        _redacted(session, row, 999_999)


def test_indexing_logs_counts_but_no_personal_value(
    session: Session,
    account: Account,
    dana: Person,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="tutela")
    row = _record(
        session, account, "Dana Scully 201-555-0123 4111 1111 1111 1111", channel="chat"
    )
    _redacted(session, row, dana.id)
    rebuild_index(session)
    assert "mentions=3 cards_masked=1" in caplog.text
    for value in ("Dana", "Scully", "555", "4111", "1111", "acme"):
        assert value not in caplog.text


@pytest.mark.postgresql
def test_the_mention_migration_matches_the_model(store: Store) -> None:
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if "communication_mentions" in repr(d)] == []


def _grants(store: Store) -> list[tuple[str, str | None]]:
    with store.session() as s:
        return [
            (actor, purpose)
            for actor, purpose in s.execute(
                select(AuditEntry.actor, AuditEntry.purpose)
                .where(AuditEntry.action == "use.grant")
                .order_by(AuditEntry.seq)
            )
        ]


@pytest.mark.clause("use.purposes")
def test_the_export_redaction_reads_through_the_gate_and_is_audited(
    session: Session, store: Store, account: Account, dana: Person, fox: Person
) -> None:
    row = _record(session, account, "Fox Mulder is on (201) 555-0177.")
    session.commit()
    # The write path's own reads (is the ref taken, who is known) are
    # audited with its writes, as its jobs; none is the export's.
    written = _grants(store)
    assert {actor for actor, _ in written} <= {"system:collect", "system:support_inbox"}
    assert _redacted(session, row, dana.id).body.text == (
        "[person redacted] is on [phone redacted]."
    )
    grants = _grants(store)[len(written) :]
    assert grants and set(grants) == {(EXPORT_JOB.id, "subject_access")}
    # A role that may not read people for that purpose gets nothing.
    with (
        pytest.raises(PurposeDenied),
        access(
            store, actor=Actor.system("web_analytics"), purpose="subject_access"
        ) as use,
    ):
        redacted_for(use, row, dana.id)
