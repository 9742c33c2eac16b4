"""Publishing versions of the policy (its one transaction on PostgreSQL too).

A version is stored with what it changed; publishing the same file again
changes nothing; each subscriber gets exactly one announcement, queued with
the version in one transaction; nobody else gets one.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

import tutela.changes.publish as publish_module
from tests.changes.policies import (
    NEW_VERSION,
    PolicyData,
    add_recipient,
    category,
    reword_scope_sentence,
    write_variant,
)
from tests.rights.conftest import message
from tutela.changes import (
    ANNOUNCEMENT_KIND,
    PublishResult,
    publish_policy,
    published_versions,
    subscribe,
)
from tutela.config import Settings
from tutela.errors import InvalidInput, PublicationRefused
from tutela.mail.outbox import enqueue
from tutela.policy.loader import DEFAULT_POLICY
from tutela.rights.intake import intake_message
from tutela.store.db import Store
from tutela.store.models import AuditEntry, OutboxMessage, PolicyVersion

URL = "https://www.jive.example/privacy"
SENDER = "legal@jive.com"
SUBSCRIBERS = ("carol@example.net", "dave@example.org")


def publish(store: Store, path: Path = DEFAULT_POLICY, **options: Any) -> PublishResult:
    return publish_policy(store, path, sender=SENDER, policy_url=URL, **options)


def subscribe_all(store: Store, *addresses: str, verified: bool = True) -> None:
    with store.session() as session:
        for address in addresses:
            subscribe(session, address=address, verified=verified)


def announcements(store: Store) -> list[OutboxMessage]:
    with store.session() as session:
        return list(
            session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.kind == ANNOUNCEMENT_KIND)
                .order_by(OutboxMessage.id)
            )
        )


def count_versions(store: Store) -> int:
    with store.session() as session:
        return int(session.scalar(select(func.count()).select_from(PolicyVersion)) or 0)


@pytest.mark.clause("changes.may_change")
def test_first_version_is_stored_with_no_changes_and_no_announcement(
    store: Store,
) -> None:
    subscribe_all(store, *SUBSCRIBERS)
    result = publish(store)
    assert result.status == "published"
    version = result.version
    assert version.version == "jive-2018-01-21"
    assert version.previous_version is None and version.changes == []
    assert version.announcements == 0 and announcements(store) == []
    with store.session() as session:
        row = session.scalars(select(PolicyVersion)).one()
        assert row.policy_yaml == DEFAULT_POLICY.read_text(encoding="utf-8")
        assert len(row.sha256) == 64 and row.sha256 == version.sha256


@pytest.mark.clause("changes.may_change")
def test_publishing_the_same_file_again_changes_nothing(
    store: Store, tmp_path: Path
) -> None:
    publish(store)
    subscribe_all(store, *SUBSCRIBERS)
    new = write_variant(tmp_path, add_recipient)
    first = publish(store, new)
    again = publish(store, new)
    assert again.status == "already_published"
    assert again.version.id == first.version.id
    assert count_versions(store) == 2
    assert len(announcements(store)) == len(SUBSCRIBERS)


@pytest.mark.clause("changes.may_change")
def test_a_version_stores_its_diff_against_the_previous_one(
    store: Store, tmp_path: Path
) -> None:
    publish(store)
    result = publish(
        store, write_variant(tmp_path, add_recipient, reword_scope_sentence)
    )
    version = result.version
    assert version.previous_version == "jive-2018-01-21"
    assert [(c.kind.value, c.material) for c in version.changes] == [
        ("clause_changed", False),
        ("recipient_added", True),
    ]
    with store.session() as session:
        (listed_first, listed_second) = published_versions(session)
        stored = session.scalars(
            select(PolicyVersion).where(PolicyVersion.id == version.id)
        ).one()
    assert (listed_first.version, listed_second.version) == (
        "jive-2018-01-21",
        NEW_VERSION,
    )
    assert stored.material_changes == 1
    assert json.loads(stored.changes)[1]["subject"] == "analytics_vendor"


@pytest.mark.clause("changes.notice")
def test_each_subscriber_gets_one_announcement_and_nobody_else(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    intake_message(
        store, message("plain.eml"), settings=settings
    )  # a SAR, no subscription
    subscribe_all(store, *SUBSCRIBERS)
    subscribe_all(store, "erin@example.com", verified=False)
    publish(store)
    publish(store, write_variant(tmp_path, add_recipient, reword_scope_sentence))
    sent = announcements(store)
    assert sorted(m.to_address for m in sent) == sorted(
        [*SUBSCRIBERS, "erin@example.com"]
    )
    assert "ann@example.com" not in {m.to_address for m in sent}
    (body,) = {m.body for m in sent}  # the very same words for everyone
    assert body is not None
    for address in [*SUBSCRIBERS, "erin@example.com", "ann@example.com"]:
        assert address not in body
    # The material change (a new recipient) comes before the reworded sentence.
    assert body.index("analytics_vendor") < body.index("A sentence now reads")
    assert URL in body
    assert {m.subject for m in sent} == {
        f"Jive privacy policy updated: version {NEW_VERSION}"
    }


@pytest.mark.postgresql
@pytest.mark.clause("changes.notice")
def test_version_and_announcements_commit_together(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    publish(store)
    subscribe_all(store, *SUBSCRIBERS)
    sent: list[str] = []

    def failing_enqueue(session: Any, **fields: Any) -> Any:
        if sent:
            raise RuntimeError("the mail queue failed")
        sent.append(fields["to"])
        return enqueue(session, **fields)

    monkeypatch.setattr(publish_module, "enqueue", failing_enqueue)
    with pytest.raises(RuntimeError):
        publish(store, write_variant(tmp_path, add_recipient))
    assert count_versions(store) == 1
    assert announcements(store) == []


@pytest.mark.clause("changes.may_change")
def test_a_file_that_fails_the_policy_check_is_refused(
    store: Store, tmp_path: Path
) -> None:
    def drop_a_stored_field(data: PolicyData) -> None:
        category(data, "business_contact")["fields"].remove("postal_code")

    with pytest.raises(PublicationRefused) as refused:
        publish(store, write_variant(tmp_path, drop_a_stored_field))
    assert refused.value.exit_code == 1
    assert any("postal_code" in problem for problem in refused.value.errors)
    assert count_versions(store) == 0


@pytest.mark.clause("changes.may_change")
def test_a_published_version_id_cannot_be_reused_for_other_content(
    store: Store, tmp_path: Path
) -> None:
    publish(store)
    same_id = write_variant(tmp_path, add_recipient, version="jive-2018-01-21")
    with pytest.raises(PublicationRefused, match="already published"):
        publish(store, same_id)
    assert count_versions(store) == 1


@pytest.mark.clause("changes.effective_on_publication")
def test_a_version_takes_effect_when_published(store: Store) -> None:
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    version = publish(store, now=now).version
    assert version.published_at == now and version.effective_at == now


@pytest.mark.clause("changes.effective_on_publication")
def test_a_version_may_take_effect_later_but_never_earlier(store: Store) -> None:
    now = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput, match="before it is published"):
        publish(store, now=now, effective_at=now - dt.timedelta(days=1))
    later = now + dt.timedelta(days=30)
    assert publish(store, now=now, effective_at=later).version.effective_at == later


@pytest.mark.clause("changes.effective_on_publication")
def test_without_effect_on_publication_the_date_must_be_given(
    store: Store, tmp_path: Path
) -> None:
    def not_on_publication(data: PolicyData) -> None:
        data["meaning"]["change_procedure"]["effective_on_publication"] = False

    path = write_variant(tmp_path, not_on_publication)
    with pytest.raises(InvalidInput, match="say when it takes effect"):
        publish(store, path)
    assert count_versions(store) == 0


def test_publication_is_audited_without_free_text(store: Store, tmp_path: Path) -> None:
    publish(store)
    subscribe_all(store, *SUBSCRIBERS)
    publish(store, write_variant(tmp_path, add_recipient), actor="staff:7")
    with store.session() as session:
        entries = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.action == "policy.published")
            .order_by(AuditEntry.seq)
        ).all()
    assert [e.actor for e in entries] == ["system:policy_publish", "staff:7"]
    details = json.loads(entries[1].details)
    assert details["announcements"] == 2 and details["material_changes"] == 1
    assert details["change_kinds"] == ["recipient_added"]
    assert NEW_VERSION not in entries[1].details
