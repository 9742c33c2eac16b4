"""Intake abuse: each test is named after the attack it prevents.

Mail floods (repeat rule), forged authentication results, telling known from
unknown addresses by the answer, fishing for another client's case
reference, and claiming someone else's case in the portal.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.factories import choose_own_password
from tests.rights.conftest import OnFile
from tests.rights.mails import PASS_AUTH, count, mail, outbox
from tests.web.live import app_client
from tests.web.portal_world import PASSWORD, World, build_world, sign_in
from tutela.config import Settings
from tutela.rights.cases import list_cases, show_case
from tutela.rights.intake import intake_message, open_request
from tutela.store.db import Store
from tutela.store.models import (
    PolicySubscription,
    RightsMessage,
    SarCase,
    User,
)

# ------------------------------------------------------------ repeat rule


@pytest.mark.clause("rights.access.verification")
def test_repeated_mail_for_one_address_cannot_flood_it_with_cases_or_mail(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    # 20 mails forged in Ann's name (each with its own Message-ID, and an
    # authentication result that does not fail, as a careless relay gives).
    for n in range(20):
        intake_message(
            store,
            mail(ann.email, message_id=f"<flood-{n}@example.com>"),
            settings=settings,
        )
    assert count(store, SarCase) == 1
    assert outbox(store) == [("sar_ack", ann.email), ("sar_code", ann.email)]
    # Nothing is lost: every message is stored, with the one case.
    with store.session() as session:
        cases = set(session.scalars(select(RightsMessage.case_id)))
    assert len(cases) == 1 and None not in cases
    assert count(store, RightsMessage) == 20


@pytest.mark.clause("rights.access.verification")
def test_repeated_mail_for_an_unknown_address_opens_one_case_and_one_acknowledgement(
    store: Store, settings: Settings
) -> None:
    for n in range(5):
        intake_message(
            store,
            mail("nobody@example.net", message_id=f"<u-{n}@example.net>"),
            settings=settings,
        )
    assert count(store, SarCase) == 1
    assert outbox(store) == [("sar_ack", "nobody@example.net")]


# ------------------------------------------------------------ authentication


@pytest.mark.clause("rights.access.verification")
def test_a_passing_result_after_a_failing_one_cannot_hide_the_failure(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    # Two DKIM signatures: the author's fails, a relay's passes. Any fail wins.
    header = (
        "mx.jive.example; dkim=fail header.d=example.com; "
        "dkim=pass header.d=relay.example; spf=pass smtp.mailfrom=relay.example; "
        "dmarc=pass header.from=example.com"
    )
    result = intake_message(
        store,
        mail(ann.email, message_id="<two-sigs@example.com>", auth=[header]),
        settings=settings,
    )
    assert result.case_id is not None
    view = show_case(store, result.case_id)
    assert view.risk == "high" and "dkim" in view.auth_failures
    assert outbox(store) == []


@pytest.mark.clause("changes.subscribe")
def test_a_pass_smuggled_into_the_mail_from_does_not_verify_a_subscription(
    store: Store, settings: Settings
) -> None:
    # The sender chose the MAIL FROM; our server copied it into the header.
    header = (
        "mx.jive.example; dmarc=none header.from=example.org; "
        'spf=none smtp.mailfrom="x;dmarc=pass"@evil.example'
    )
    intake_message(
        store,
        mail(
            "bob@example.org",
            subject="Request for Privacy Policy Updates",
            message_id="<smuggle@example.org>",
            auth=[header],
        ),
        settings=settings,
    )
    with store.session() as session:
        (sub,) = session.scalars(select(PolicySubscription))
        assert not sub.verified


@pytest.mark.clause("rights.access.verification")
def test_a_lower_authentication_header_added_by_the_sender_is_ignored(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    forged = "mx.jive.example; dkim=fail header.d=example.com; dmarc=pass"
    ours = PASS_AUTH
    result = intake_message(
        store,
        mail(ann.email, message_id="<lower@example.com>", auth=[ours, forged]),
        settings=settings,
    )
    assert result.case_id is not None
    assert show_case(store, result.case_id).risk == "normal"


# ------------------------------------------------------------ case references


@pytest.mark.clause("rights.access.verification")
def test_a_repeat_request_never_hands_back_another_clients_case_reference(
    store: Store, settings: Settings, ann: OnFile
) -> None:
    first = open_request(store, email=ann.email, settings=settings)
    # Someone else types Ann's address into the form: a fresh reference,
    # no new case, no second code.
    again = open_request(store, email=ann.email.upper(), settings=settings)
    assert again != first
    assert re.fullmatch(r"SAR-[0-9A-F]{8}", again)
    assert count(store, SarCase) == 1
    assert [kind for kind, _ in outbox(store)] == ["sar_code"]
    # The fresh reference names the same request for whoever holds it.
    (view,) = list_cases(store)
    assert view.ref == first


# ------------------------------------------------------------ portal claims


@pytest.fixture
def world(store: Store, tmp_path: Path) -> World:
    return build_world(store, tmp_path / "spool")


@pytest.fixture
def client(world: World, settings: Settings) -> Iterator[TestClient]:
    with app_client(settings) as test_client:
        yield test_client


@pytest.mark.clause("rights.access.verification")
def test_a_portal_user_cannot_claim_a_request_made_for_someone_elses_address(
    client: TestClient, world: World, store: Store, settings: Settings
) -> None:
    # A caller who is not a customer asked by mail from their own address.
    ref = open_request(store, email="caller@example.net", settings=settings)
    csrf = sign_in(client, "eve@acme.test")
    answer = client.post(
        "/portal/access-requests/verify",
        data={"csrf": csrf, "case_ref": ref, "password": PASSWORD},
    )
    assert answer.status_code == 403
    (view,) = list_cases(store)
    assert view.state != "verified" and view.person_count == 0


@pytest.mark.clause("rights.access.verification")
def test_a_portal_user_claims_a_request_made_from_their_own_address(
    client: TestClient, world: World, store: Store, settings: Settings
) -> None:
    ref = open_request(store, email="Eve@Acme.test", settings=settings)
    with store.session() as s:
        eve = s.scalars(select(User.id).where(User.email == "eve@acme.test")).one()
    choose_own_password(store, settings, eve, PASSWORD)  # hers alone
    csrf = sign_in(client, "eve@acme.test")
    answer = client.post(
        "/portal/access-requests/verify",
        data={"csrf": csrf, "case_ref": ref, "password": PASSWORD},
    )
    assert answer.status_code == 200
    (view,) = list_cases(store)
    assert view.state == "verified" and view.verification_method == "signed_in"
