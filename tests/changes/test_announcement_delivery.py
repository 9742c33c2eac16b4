"""Request updates by e-mail -> publish a change -> the notice arrives by SMTP.

Clauses: changes.subscribe, changes.notice. The subscription comes in as a
real message under the heading "Request for Privacy Policy Updates"; the
announcements leave through the existing outbox sender (`deliver`) and are
received by a real aiosmtpd server, then parsed with the `email` package.
"""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from tests.changes.policies import (
    NEW_VERSION,
    add_recipient,
    lengthen_web_retention_and_say_so,
    reword_scope_sentence,
    write_variant,
)
from tests.rights.conftest import Sink, message
from tutela.changes import publish_policy
from tutela.config import Settings
from tutela.mail import deliver
from tutela.policy.loader import DEFAULT_POLICY
from tutela.rights.intake import intake_message
from tutela.store.db import Store

URL = "https://www.jive.example/privacy"


def text_of(received: EmailMessage) -> str:
    """The plain-text body, its lines (wrapped at 72 columns) joined again."""
    body = received.get_body(preferencelist=("plain",))
    assert body is not None
    content = body.get_content()
    assert isinstance(content, str)
    return " ".join(content.split())


@pytest.mark.clause("changes.subscribe")
@pytest.mark.clause("changes.notice")
def test_a_subscriber_receives_the_material_changes_by_email(
    store: Store, mail_settings: Settings, sink: Sink, tmp_path: Path
) -> None:
    intake_message(store, message("policy_updates.eml"), settings=mail_settings)
    intake_message(store, message("plain.eml"), settings=mail_settings)
    deliver(store, mail_settings)  # the access request's acknowledgement
    sink.received.clear()

    for path in (
        DEFAULT_POLICY,
        write_variant(
            tmp_path,
            reword_scope_sentence,
            add_recipient,
            lengthen_web_retention_and_say_so,
        ),
    ):
        publish_policy(store, path, sender=mail_settings.mail_from, policy_url=URL)
    report = deliver(store, mail_settings)

    assert report.sent == 1
    assert sink.to("ann@example.com") == []  # asked for access, not for updates
    (notice,) = sink.to("bob@example.org")
    assert notice["Subject"] == f"Jive privacy policy updated: version {NEW_VERSION}"
    assert notice["From"] == mail_settings.mail_from
    text = text_of(notice)
    material = text.index("Changes that let Jive do more")
    other = text.index("Other changes")
    assert material < text.index("analytics_vendor") < other
    assert material < text.index("800 days") < other
    assert other < text.index("A sentence now reads")
    assert URL in text
    assert "Request for Privacy Policy Updates" in text
    assert "bob@example.org" not in text and "Ann Example" not in text


@pytest.mark.clause("changes.notice")
def test_the_first_publication_sends_no_mail(
    store: Store, mail_settings: Settings, sink: Sink
) -> None:
    intake_message(store, message("policy_updates.eml"), settings=mail_settings)
    publish_policy(
        store, DEFAULT_POLICY, sender=mail_settings.mail_from, policy_url=URL
    )
    assert deliver(store, mail_settings).sent == 0
    assert sink.received == []
