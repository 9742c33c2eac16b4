"""`tutela sar smtp` authenticates what it receives; nothing a sender wrote counts.

Clauses: changes.subscribe and rights.access.verification. Real SMTP
(aiosmtpd), messages signed for real with dkimpy, DNS answered by a zone
through the libraries' hooks; SQLite and PostgreSQL.
"""

from __future__ import annotations

import base64
import smtplib

import pytest
from sqlalchemy import select

from tests.mail.senders import Signer, Zone, answering, dmarc, message
from tests.rights.conftest import free_port
from tutela.access import Actor
from tutela.access.roles import Role
from tutela.config import Settings
from tutela.mail import LISTENER_AUTHSERV_ID
from tutela.rights.inbox import list_inbox, route_message
from tutela.rights.smtp_listener import controller
from tutela.store.db import Store
from tutela.store.models import OutboxMessage, PolicySubscription, RightsMessage

STAFF = Actor("staff:7", Role.privacy_officer)
UPDATES = "Request for Privacy Policy Updates"


@pytest.fixture
def zone(monkeypatch: pytest.MonkeyPatch) -> Zone:
    return answering(monkeypatch)


def send(store: Store, settings: Settings, zone: Zone, sender: str, raw: bytes) -> None:
    port = free_port()
    server = controller(store, settings, port=port, txt=zone.lookup)
    server.start()
    try:
        with smtplib.SMTP("127.0.0.1", port) as client:
            client.sendmail(sender, ["legal@jive.com"], raw)
    finally:
        server.stop()


def stored(store: Store) -> bytes:
    with store.session() as session:
        (row,) = session.scalars(select(RightsMessage))
        return base64.b64decode(row.raw)


def subscriptions(store: Store) -> list[tuple[str, bool, bool]]:
    with store.session() as session:
        return [
            (s.address, s.verified, s.confirmed_at is not None)
            for s in session.scalars(select(PolicySubscription))
        ]


def mailed(store: Store) -> list[tuple[str, str]]:
    with store.session() as session:
        return [
            (o.kind, o.to_address)
            for o in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


@pytest.mark.clause("changes.subscribe")
def test_a_request_signed_by_its_domain_subscribes_at_once(
    store: Store, settings: Settings, zone: Zone
) -> None:
    signer = Signer.make("example.org")
    signer.publish(zone)
    dmarc(zone, "example.org")
    raw = signer.sign(
        message("bob@example.org", subject=UPDATES, message_id="<s1@example.org>")
    )
    edge = settings.model_copy(update={"trusted_authserv_id": None})
    send(store, edge, zone, "bob@example.org", raw)
    assert subscriptions(store) == [("bob@example.org", True, True)]
    assert mailed(store) == []  # in force at once: nothing to confirm
    kept = stored(store)
    assert kept.startswith(f"Authentication-Results: {LISTENER_AUTHSERV_ID};".encode())
    assert b"dmarc=pass header.from=example.org" in kept.split(b"\r\n", 1)[0]


@pytest.mark.clause("changes.subscribe")
def test_results_the_sender_wrote_are_removed_before_anything_reads_them(
    store: Store, settings: Settings, zone: Zone
) -> None:
    raw = message(
        "bob@example.org",
        subject=UPDATES,
        message_id="<s2@example.org>",
        auth=[
            f"{LISTENER_AUTHSERV_ID}; dmarc=pass header.from=example.org",
            "mx.jive.example; dmarc=pass header.from=example.org",
        ],
    )
    edge = settings.model_copy(update={"trusted_authserv_id": None})
    send(store, edge, zone, "bob@example.org", raw)
    kept = stored(store)
    assert kept.count(b"Authentication-Results:") == 1  # ours alone
    assert b"dmarc=none" in kept.split(b"\r\n", 1)[0]
    assert subscriptions(store) == [("bob@example.org", False, False)]
    assert mailed(store) == [("sub_confirm", "bob@example.org")]
    assert ("_dmarc.example.org", "TXT") in zone.asked


@pytest.mark.clause("rights.access.verification")
def test_behind_a_trusted_mta_only_its_topmost_header_counts(
    store: Store, settings: Settings, zone: Zone
) -> None:
    # settings trust mx.jive.example (tests/rights/conftest.py).
    raw = message(
        "bob@example.org",
        subject=UPDATES,
        message_id="<s3@example.org>",
        auth=[
            "mx.jive.example; dmarc=fail header.from=example.org",
            "mx.jive.example; dmarc=pass header.from=example.org",  # the sender's
            "relay.example; dmarc=pass header.from=example.org",
        ],
    )
    send(store, settings, zone, "bob@example.org", raw)
    kept = stored(store)
    assert b"relay.example" not in kept and LISTENER_AUTHSERV_ID.encode() not in kept
    assert zone.asked == []  # the MTA checked it: no check of our own
    assert subscriptions(store) == []  # failed: no confirmation to a forged From
    with store.session() as session:
        (row,) = session.scalars(select(RightsMessage))
        assert row.auth_failures == "dmarc"


@pytest.mark.clause("changes.subscribe")
def test_staff_turning_an_unauthenticated_mail_into_a_subscription_asks_its_owner(
    store: Store, settings: Settings, zone: Zone
) -> None:
    raw = message(
        "dana@example.org",
        subject="Please tell me when the privacy policy changes",
        message_id="<s4@example.org>",
        auth=["mx.jive.example; dmarc=pass header.from=example.org"],
    )
    edge = settings.model_copy(update={"trusted_authserv_id": None})
    send(store, edge, zone, "dana@example.org", raw)
    (item,) = list_inbox(store, actor=STAFF)
    outcome = route_message(
        store, item.id, to="subscription", actor=STAFF, settings=edge
    )
    assert outcome.link_mailed and not outcome.subscribed
    assert subscriptions(store) == [("dana@example.org", False, False)]
    assert ("sub_confirm", "dana@example.org") in mailed(store)
