"""Give notice of changes to the service, by e-mail to each account's contacts.

Clause: use.purposes.notify_service_changes ("to give notice of changes to
its service"). Not the policy-change announcement (changes.notice, sent to
those who asked for policy updates): this tells customers that the service
itself changes (a maintenance window, a feature withdrawn). The addresses of
every account's admins and business contacts are read through the gate under
``notify_service_changes`` (the ``system:change_notices`` job, or a privacy
officer), then one message per distinct address is queued in the outbox in
one transaction; `tutela.mail.outbox.deliver` sends them. The run is
audited with the number of messages, never the addresses.
"""

from __future__ import annotations

import logging
from typing import Final

from tutela.access import Actor, access
from tutela.audit.log import record
from tutela.errors import InvalidInput
from tutela.mail.outbox import enqueue
from tutela.store import Store
from tutela.store.models import Person

log = logging.getLogger(__name__)

PURPOSE: Final = "notify_service_changes"
KIND: Final = "service_change"
RECIPIENT_ROLES: Final = ("admin", "contact")
MAX_SUBJECT: Final = 200
MAX_BODY: Final = 20_000


def _checked(subject: str, body: str) -> tuple[str, str]:
    subject, body = subject.strip(), body.strip()
    if not subject or len(subject) > MAX_SUBJECT:
        raise InvalidInput(f"must be 1 to {MAX_SUBJECT} characters", field="subject")
    if "\r" in subject or "\n" in subject:
        raise InvalidInput("must be one line", field="subject")
    if not body or len(body) > MAX_BODY:
        raise InvalidInput(f"must be 1 to {MAX_BODY} characters", field="body")
    return subject, body


def notify_service_changes(
    store: Store, *, actor: Actor, subject: str, body: str, sender: str
) -> int:
    """Queue the notice to every admin and contact once; returns how many mails."""
    subject, body = _checked(subject, body)
    with access(store, actor=actor, purpose=PURPOSE) as use:
        rows = use.rows(
            Person.email,
            where=[Person.role.in_(RECIPIENT_ROLES), Person.email.is_not(None)],
        )
    addresses = sorted({str(email).strip().lower() for (email,) in rows if email})
    with store.session() as session:
        for address in addresses:
            enqueue(
                session,
                kind=KIND,
                to=address,
                subject=subject,
                body=body,
                sender=sender,
            )
    record(
        store,
        actor=actor.id,
        action="service_change.queued",
        purpose=PURPOSE,
        details={"messages": len(addresses)},
    )
    log.info("service_change.queued messages=%d", len(addresses))
    return len(addresses)


__all__ = ["KIND", "PURPOSE", "notify_service_changes"]
