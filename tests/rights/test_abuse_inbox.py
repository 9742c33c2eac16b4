"""Mail nobody reads: each test is named after what it prevents.

Questions and near-miss requests to the legal address land in a legal inbox
that staff read (`tutela inbox list|show|route`), with its own
acknowledgement; a request for access in other words is flagged and its
deadline runs from arrival; unsubscribe requests end the subscription.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from tests.factories import StaffUser, add_staff, staff_env
from tests.rights.conftest import OnFile, message
from tests.rights.mails import mail, nested, outbox
from tutela.access import Actor
from tutela.access.roles import Role
from tutela.cli.app import app
from tutela.config import Settings
from tutela.errors import Conflict, PurposeDenied
from tutela.rights.cases import show_case
from tutela.rights.deadlines import rule_for
from tutela.rights.inbox import list_inbox, route_message, show_message
from tutela.rights.intake import PoisonMessage, intake_message
from tutela.store.db import Store
from tutela.store.models import AuditEntry, PolicySubscription, RightsMessage

STAFF = Actor("staff:7", Role.privacy_officer)
ARRIVED = dt.datetime(2026, 3, 2, 9, 15, tzinfo=dt.UTC)


def cli(settings: Settings, officer: StaffUser, *args: str) -> dict[str, Any]:
    env = staff_env(settings, officer)
    result = CliRunner().invoke(app, [*args, "--json"], env=env)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


@pytest.mark.clause("contact.questions")
def test_a_question_to_the_legal_address_is_not_left_unread(
    store: Store, settings: Settings
) -> None:
    stored = intake_message(store, message("general_question.eml"), settings=settings)
    assert stored.route == "general" and stored.flag is None
    # Acknowledged with the inbox's own words, once a day per address.
    intake_message(
        store,
        mail("carol@example.org", subject="Another question", message_id="<q2@e.org>"),
        settings=settings,
    )
    assert outbox(store) == [("inbox_ack", "carol@example.org")]
    officer = add_staff(store)
    listed = cli(settings, officer, "inbox", "list")
    assert [m["sender"] for m in listed["messages"]] == ["carol@example.org"] * 2
    first = listed["messages"][0]["id"]
    shown = cli(settings, officer, "inbox", "show", str(first))
    assert "Do you sell data?" in shown["message"]["text"]
    # Every read went through the purpose gate, under the staff member's id.
    with store.session() as session:
        grants = list(
            session.scalars(
                select(AuditEntry).where(
                    AuditEntry.action == "use.grant",
                    AuditEntry.actor == officer.actor,
                )
            )
        )
    assert len(grants) == 2
    assert all("rights_messages" in g.details for g in grants)
    done = cli(settings, officer, "inbox", "route", str(first), "--to", "general")
    assert done["routed"]["to"] == "general"
    left = cli(settings, officer, "inbox", "list")["messages"]
    assert [m["id"] for m in left] != [first] and first not in [m["id"] for m in left]


@pytest.mark.clause("rights.access.request")
@pytest.mark.parametrize(
    "heading",
    [
        "Data Subject Access Request",
        "Request for access to my personal data (GDPR Art. 15)",
        "DSAR - please send my records",
    ],
)
def test_a_near_miss_heading_is_flagged_with_the_deadline_already_running(
    store: Store, settings: Settings, ann: OnFile, heading: str
) -> None:
    intake_message(store, message("general_question.eml"), settings=settings)
    result = intake_message(
        store,
        mail(ann.email, subject=heading, message_id="<near@example.com>"),
        settings=settings,
        now=ARRIVED,
    )
    assert result.route == "general" and result.flag == "probable_access"
    items = list_inbox(store, actor=STAFF, now=ARRIVED + dt.timedelta(days=25))
    first = items[0]  # listed before the question that arrived earlier
    assert first.id is not None and first.flag == "probable_access"
    assert first.due == rule_for(None).respond_by(ARRIVED)
    assert first.due_status == "due_soon"
    # Staff turn it into a request: the deadline counts from the arrival.
    routed = route_message(store, first.id, to="access", actor=STAFF, settings=settings)
    assert routed.case_id is not None
    view = show_case(store, routed.case_id)
    assert view.received_at == ARRIVED and view.deadline_rule == "ccpa"
    assert view.respond_by == rule_for("US-CA").respond_by(ARRIVED)
    assert view.state == "verifying"
    assert [k for k, _ in outbox(store)] == [
        "inbox_ack",
        "inbox_ack",
        "sar_ack",
        "sar_code",
    ]
    with store.session() as session:
        (routed_entry,) = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "inbox.routed")
        )
        assert routed_entry.actor == "staff:7"
    assert first.id not in [i.id for i in list_inbox(store, actor=STAFF)]


@pytest.mark.clause("changes.subscribe")
def test_an_unsubscribe_request_by_mail_ends_the_subscription(
    store: Store, settings: Settings
) -> None:
    intake_message(store, message("policy_updates.eml"), settings=settings)
    result = intake_message(
        store,
        mail("bob@example.org", subject="Unsubscribe", message_id="<bye@e.org>"),
        settings=settings,
    )
    assert result.flag == "unsubscribe"
    with store.session() as session:
        assert list(session.scalars(select(PolicySubscription))) == []
        (row,) = session.scalars(
            select(RightsMessage).where(RightsMessage.flag == "unsubscribe")
        )
        assert row.handled_by == "system:support_inbox"
    assert list_inbox(store, actor=STAFF) == []


@pytest.mark.clause("changes.subscribe")
def test_an_unverified_unsubscribe_waits_for_staff_instead_of_ending_anything(
    store: Store, settings: Settings
) -> None:
    intake_message(store, message("policy_updates.eml"), settings=settings)
    forged = "mx.jive.example; spf=pass smtp.mailfrom=x.example; dmarc=none"
    intake_message(
        store,
        mail(
            "bob@example.org",
            subject="Stop privacy policy updates",
            message_id="<stop@e.org>",
            auth=[forged],
        ),
        settings=settings,
    )
    with store.session() as session:
        assert len(list(session.scalars(select(PolicySubscription)))) == 1
    (waiting,) = list_inbox(store, actor=STAFF)
    assert waiting.flag == "unsubscribe"
    # Staff cannot tell a forged From either: the owner gets the link (once
    # a day: intake mailed it already) and alone can end the subscription.
    ended = route_message(
        store, waiting.id, to="unsubscribe", actor=STAFF, settings=settings
    )
    assert ended.ended == 0 and ended.link_mailed
    with store.session() as session:
        assert len(list(session.scalars(select(PolicySubscription)))) == 1
    assert [k for k in outbox(store) if k[0] == "unsub_link"] == [
        ("unsub_link", "bob@example.org")
    ]
    assert list_inbox(store, actor=STAFF) == []  # handled


@pytest.mark.postgresql
@pytest.mark.clause("changes.subscribe")
def test_a_misworded_request_for_updates_can_become_a_subscription(
    store: Store, settings: Settings
) -> None:
    intake_message(
        store,
        mail(
            "dana@example.org",
            subject="Please tell me when the privacy policy changes",
            message_id="<tell@e.org>",
        ),
        settings=settings,
    )
    (item,) = list_inbox(store, actor=STAFF)
    route_message(store, item.id, to="subscription", actor=STAFF, settings=settings)
    with store.session() as session:
        (sub,) = session.scalars(select(PolicySubscription))
        assert sub.address == "dana@example.org" and sub.verified


def test_staff_without_the_purpose_cannot_read_the_inbox(
    store: Store, settings: Settings
) -> None:
    intake_message(store, message("general_question.eml"), settings=settings)
    engineer = Actor("staff:9", Role.engineering)
    with pytest.raises(PurposeDenied):
        list_inbox(store, actor=engineer)
    (item,) = list_inbox(store, actor=STAFF)
    with pytest.raises(PurposeDenied):
        show_message(store, item.id, actor=engineer)


def test_a_quarantined_message_can_only_be_marked_handled(
    store: Store, settings: Settings
) -> None:
    with pytest.raises(PoisonMessage):
        intake_message(store, nested(500), settings=settings)
    (item,) = list_inbox(store, actor=STAFF, quarantined=True)
    assert item.flag == "quarantined" and item.problem
    assert show_message(store, item.id, actor=STAFF).text is None  # never parsed
    with pytest.raises(Conflict, match="quarantine"):
        route_message(store, item.id, to="access", actor=STAFF, settings=settings)
    route_message(store, item.id, to="general", actor=STAFF, settings=settings)
    assert list_inbox(store, actor=STAFF) == []
