"""Subscriptions people control: double opt-in, one-click unsubscribe, no forgery.

Clauses: changes.subscribe, changes.notice. Mail goes through a real
aiosmtpd server and is parsed with the `email` package; the pages are the
app's own, through its ASGI interface.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.changes.policies import add_recipient, write_variant
from tests.changes.test_announcement_delivery import text_of
from tests.changes.test_publish import publish
from tests.rights.conftest import Sink
from tests.web.live import app_client
from tutela.changes import subscribe
from tutela.changes.optin import (
    LinkExpired,
    confirm_subscription,
    request_subscription,
)
from tutela.config import Settings
from tutela.errors import InvalidInput, NotFound
from tutela.mail import deliver
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import OutboxMessage, PolicySubscription

ALICE = "alice@example.net"
LINK = re.compile(r"https?://\S+/(?:subscribe/confirm|unsubscribe)/([A-Za-z0-9_\-]+)")


@pytest.fixture
def client(mail_settings: Settings) -> Iterator[TestClient]:
    with app_client(mail_settings) as test_client:
        yield test_client


def link_in(sink: Sink, address: str) -> str:
    """The path of the last link mailed to `address`."""
    (*_, last) = sink.to(address)
    found = LINK.search(text_of(last))
    assert found is not None, "no link in the message"
    return found.group(0).split("://", 1)[1].split("/", 1)[1]


def subscription(store: Store, address: str) -> PolicySubscription | None:
    with store.session() as session:
        return session.scalars(
            select(PolicySubscription).where(PolicySubscription.address == address)
        ).one_or_none()


def notices_to(store: Store, address: str) -> list[OutboxMessage]:
    with store.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.kind == "policy_update",
                    OutboxMessage.to_address == address,
                )
            )
        )


@pytest.mark.clause("changes.subscribe")
@pytest.mark.clause("changes.notice")
def test_web_subscription_needs_its_link_then_notices_carry_one_click_unsubscribe(
    store: Store,
    mail_settings: Settings,
    sink: Sink,
    client: TestClient,
    tmp_path: Path,
) -> None:
    publish(store)
    answer = client.post("/policy/subscribe", data={"email": ALICE.upper()})
    assert answer.status_code == 202 and "Check your mail" in answer.text
    deliver(store, mail_settings)
    confirm_path = "/" + link_in(sink, ALICE)
    pending = subscription(store, ALICE)
    assert pending is not None and pending.confirmed_at is None
    assert pending.confirm_digest is not None
    assert confirm_path.rsplit("/", 1)[1] not in pending.confirm_digest

    # Not confirmed yet: a publication sends it nothing.
    publish(store, write_variant(tmp_path, add_recipient, version="v-2"))
    assert notices_to(store, ALICE) == []

    page = client.get(confirm_path)  # a mail scanner's fetch confirms nothing
    assert page.status_code == 200 and 'id="confirm"' in page.text
    assert subscription(store, ALICE).confirmed_at is None  # type: ignore[union-attr]
    assert client.post(confirm_path).status_code == 200
    assert subscription(store, ALICE).confirmed_at is not None  # type: ignore[union-attr]
    assert client.post(confirm_path).status_code == 404  # used once

    sink.received.clear()
    publish(store, write_variant(tmp_path, add_recipient, version="v-3", name="third"))
    deliver(store, mail_settings)
    (notice,) = sink.to(ALICE)
    one_click, mailto = (
        part.strip(" <>") for part in notice["List-Unsubscribe"].split(",")
    )
    assert one_click.startswith(mail_settings.public_link("/unsubscribe/"))
    assert mailto == f"mailto:{mail_settings.mail_from}?subject=Unsubscribe"
    assert notice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one_click in text_of(notice)

    path = "/" + one_click.split("://", 1)[1].split("/", 1)[1]
    assert 'id="unsubscribe"' in client.get(path).text  # GET changes nothing
    assert subscription(store, ALICE) is not None
    # RFC 8058: a POST without any session or form token unsubscribes.
    gone = client.post(
        path,
        content=b"List-Unsubscribe=One-Click",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert gone.status_code == 200 and "no more notices" in gone.text
    assert subscription(store, ALICE) is None
    assert client.post(path).status_code == 404


@pytest.mark.clause("changes.subscribe")
def test_api_subscription_answers_alike_and_someone_elses_address_gets_no_notice(
    store: Store,
    mail_settings: Settings,
    sink: Sink,
    client: TestClient,
    tmp_path: Path,
) -> None:
    with store.session() as session:
        subscribe(session, address="bob@example.org", verified=True)
    answers = [
        client.post("/api/subscriptions", json={"email": address})
        for address in (ALICE, "bob@example.org")
    ]
    assert [a.status_code for a in answers] == [202, 202]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["ok"] is True
    bad = client.post("/api/subscriptions", json={"email": "not an address"})
    assert bad.status_code == 400 and bad.json()["ok"] is False
    assert "not an address" not in bad.text

    publish(store)
    publish(store, write_variant(tmp_path, add_recipient))
    deliver(store, mail_settings)
    # Alice never opened her link: only the confirmation reached her.
    assert [m["Subject"] for m in sink.to(ALICE)] == [
        "Confirm: e-mail notice of Jive privacy policy updates"
    ]
    assert len(sink.to("bob@example.org")) == 1  # subscribed by mail already


@pytest.mark.clause("changes.subscribe")
def test_form_errors_are_a_page_not_json(client: TestClient) -> None:
    page = client.post("/policy/subscribe", data={"email": "nope"})
    assert page.status_code == 400
    assert page.headers["content-type"].startswith("text/html")
    assert "E-mail address: is not an e-mail address" in page.text
    assert 'id="subscribe-form"' in page.text
    missing = client.get("/unsubscribe/" + "x" * 40)
    assert missing.status_code == 404 and "<h1>" in missing.text


@pytest.mark.clause("changes.subscribe")
def test_an_expired_confirmation_link_is_refused(store: Store) -> None:
    sent = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with store.session() as session:
        request_subscription(
            session,
            address=ALICE,
            channel="api",
            link="https://privacy.example/subscribe/confirm/",
            sender="legal@jive.com",
            org="Jive",
            now=sent,
        )
        body = session.scalars(select(OutboxMessage.body)).one()
    assert body is not None
    found = LINK.search(body)
    assert found is not None
    with store.session() as session, pytest.raises(LinkExpired) as refused:
        confirm_subscription(session, found.group(1), now=sent + dt.timedelta(hours=49))
    assert refused.value.status == 410
    with store.session() as session, pytest.raises(NotFound):
        confirm_subscription(session, "y" * 43, now=sent)
    with store.session() as session, pytest.raises(InvalidInput):
        request_subscription(
            session,
            address="<script>@x",
            channel="web",
            link="https://privacy.example/subscribe/confirm/",
            sender="legal@jive.com",
            org="Jive",
        )


def unsubscribe_mail(sender: str, *, dmarc: str) -> bytes:
    return (
        f"Authentication-Results: mx.jive.example; dmarc={dmarc} "
        "header.from=example.org\r\n"
        f"From: <{sender}>\r\nTo: legal@jive.com\r\nSubject: Unsubscribe\r\n"
        f"Message-ID: <unsub-{dmarc}@example.org>\r\n"
        "Date: Mon, 02 Mar 2026 09:15:00 +0000\r\n\r\nPlease stop.\r\n"
    ).encode()


@pytest.mark.clause("changes.subscribe")
def test_a_forged_unsubscribe_mail_ends_nothing_but_mails_the_link_to_the_owner(
    store: Store, mail_settings: Settings, sink: Sink, client: TestClient
) -> None:
    victim = "bob@example.org"
    with store.session() as session:
        subscribe(session, address=victim, verified=True)
    intake_message(
        store, unsubscribe_mail(victim, dmarc="fail"), settings=mail_settings
    )
    assert subscription(store, victim) is not None  # the forger ended nothing
    again = unsubscribe_mail(victim, dmarc="fail").replace(b"unsub-fail", b"unsub-2")
    intake_message(store, again, settings=mail_settings)
    deliver(store, mail_settings)
    (link_mail,) = sink.to(victim)  # only the owner receives it, once a day
    assert link_mail["Subject"] == "Stop Jive privacy policy update notices?"
    path = "/" + link_in(sink, victim)
    assert client.post(path).status_code == 200
    assert subscription(store, victim) is None

    with store.session() as session:
        subscribe(session, address=victim, verified=True)
    intake_message(
        store, unsubscribe_mail(victim, dmarc="pass"), settings=mail_settings
    )
    assert subscription(store, victim) is None  # authenticated: ended at once


@pytest.mark.clause("changes.subscribe")
def test_subscription_requests_are_rate_limited_per_client(settings: Settings) -> None:
    limited = settings.model_copy(update={"sar_requests_per_hour": 2})
    with app_client(limited) as limited_client:
        answers = [
            limited_client.post(
                "/api/subscriptions", json={"email": f"p{n}@example.net"}
            ).status_code
            for n in range(3)
        ]
        page = limited_client.post("/policy/subscribe", data={"email": ALICE})
    assert answers == [202, 202, 429]
    assert page.status_code == 429 and page.headers["retry-after"]
