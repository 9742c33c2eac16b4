"""Publish a version of the policy and announce it to those who asked.

Clauses: changes.may_change (a new version is stored with what it changed
since the last one), changes.effective_on_publication (it takes effect when
published unless the change procedure or the publisher says later, never
earlier), changes.subscribe and changes.notice (one announcement per
subscriber, queued in the same transaction as the version, so a version is
never published without its notices nor a notice sent for a version that
was not published).

Refused: a file that does not load or fails `tutela policy check`
(`PolicyInvalid`, `PublicationRefused`), and a file whose version id is
already published with other content. Publishing the very same file again
(same SHA-256) changes nothing and says so.

The first version published has no previous version to compare with: its
diff is empty and no announcement is sent, because the policy promises
notice of *changes* and the first publication only records the baseline
that later versions are compared with.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tutela.audit.log import record
from tutela.changes._change import Change
from tutela.changes.announcement import announcement
from tutela.changes.diff import diff_policies
from tutela.changes.subscriptions import subscriptions
from tutela.changes.versions import VersionView, latest_version, version_view
from tutela.conformance.check import check
from tutela.errors import Conflict, InvalidInput, PublicationRefused
from tutela.mail.outbox import enqueue
from tutela.policy import MAX_POLICY_BYTES, Policy, parse_policy
from tutela.store import Store, utcnow
from tutela.store.models import Base, PolicyVersion

log = logging.getLogger(__name__)

ANNOUNCEMENT_KIND = "policy_update"
DEFAULT_PUBLISHER = "system:policy_publish"


@dataclass(frozen=True)
class PublishResult:
    status: Literal["published", "already_published"]
    version: VersionView

    def as_dict(self) -> dict[str, object]:
        return {"status": self.status, "version": self.version.as_dict()}


def publish_policy(
    store: Store,
    path: Path,
    *,
    sender: str,
    policy_url: str,
    actor: str = DEFAULT_PUBLISHER,
    effective_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> PublishResult:
    """Store the policy at `path` as a new version and queue its announcements."""
    raw = _read(path)
    policy = parse_policy(raw, source=str(path))
    report = check(policy, Base.metadata)
    if not report.ok:
        raise PublicationRefused(
            f"{path}: the policy fails `tutela policy check` "
            f"({len(report.problems)} problem(s)); fix them before publishing",
            errors=report.problems,
        )
    digest = hashlib.sha256(raw).hexdigest()
    published_at = now or utcnow()
    try:
        with store.session() as session:
            found = _published(session, digest, policy.id, path)
            if found is not None:
                return PublishResult("already_published", found)
            effective = effective_time(policy, published_at, effective_at)
            row, changes = _store_version(
                session, policy, raw, digest, actor, published_at, effective
            )
            if row.previous_id is not None:
                subject, body = announcement(
                    policy, changes, effective_at=effective, policy_url=policy_url
                )
                row.announcements = _announce(session, subject, body, sender)
            previous = _version_of(session, row.previous_id)
            result = PublishResult("published", version_view(row, previous))
    except IntegrityError as exc:
        # Another publisher stored the same file or version id meanwhile.
        raise Conflict(
            "another publication of this policy ran at the same time; "
            "run the command again"
        ) from exc
    _audit(store, actor, result.version)
    return result


def effective_time(
    policy: Policy, published_at: dt.datetime, requested: dt.datetime | None
) -> dt.datetime:
    """When a version published at `published_at` takes effect."""
    if requested is None:
        if policy.meaning.change_procedure.effective_on_publication:
            return published_at
        raise InvalidInput(
            "the policy's change procedure does not make a version effective on "
            "publication: say when it takes effect",
            field="effective_at",
        )
    if requested < published_at:
        raise InvalidInput(
            "a version cannot take effect before it is published", field="effective_at"
        )
    return requested


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as handle:
            # One byte over the limit is enough for the loader to refuse it.
            return handle.read(MAX_POLICY_BYTES + 1)
    except OSError as exc:
        raise InvalidInput(
            f"cannot read the policy file: {exc.strerror}", file=str(path)
        ) from exc


def _published(
    session: Session, digest: str, version: str, path: Path
) -> VersionView | None:
    """The version already published from this very file, if any."""
    same_file = session.scalars(
        select(PolicyVersion).where(PolicyVersion.sha256 == digest)
    ).one_or_none()
    if same_file is not None:
        return version_view(same_file, _version_of(session, same_file.previous_id))
    same_id = session.scalar(
        select(PolicyVersion.id).where(PolicyVersion.version == version)
    )
    if same_id is not None:
        raise PublicationRefused(
            f"{path}: version {version!r} is already published with other "
            "content; give the new file a new `id`"
        )
    return None


def _store_version(
    session: Session,
    policy: Policy,
    raw: bytes,
    digest: str,
    actor: str,
    published_at: dt.datetime,
    effective_at: dt.datetime,
) -> tuple[PolicyVersion, list[Change]]:
    previous = latest_version(session)
    changes: list[Change] = []
    if previous is not None:
        before = parse_policy(
            previous.policy_yaml, source=f"published version {previous.version}"
        )
        changes = diff_policies(before, policy)
    row = PolicyVersion(
        version=policy.id,
        sha256=digest,
        policy_yaml=raw.decode("utf-8"),
        previous_id=previous.id if previous is not None else None,
        changes=json.dumps([change.as_dict() for change in changes]),
        material_changes=sum(1 for change in changes if change.material),
        announcements=0,
        published_by=actor,
        published_at=published_at,
        effective_at=effective_at,
    )
    session.add(row)
    session.flush()
    return row, changes


def _announce(session: Session, subject: str, body: str, sender: str) -> int:
    """Queue one announcement per subscriber; every one gets the same words.

    Unverified subscriptions made by mail are included: the notice is
    public text, and the policy promises it to everyone who asked, verified
    or not. Web and API requests not yet confirmed are not
    (`tutela.changes.optin`). Each notice names its subscription, whose
    one-click unsubscribe link the sender adds.
    """
    count = 0
    for subscription in subscriptions(session):
        enqueue(
            session,
            kind=ANNOUNCEMENT_KIND,
            to=subscription.address,
            subject=subject,
            body=body,
            sender=sender,
            subscription_id=subscription.id,
        )
        count += 1
    return count


def _audit(store: Store, actor: str, version: VersionView) -> None:
    # Row ids, counts and change kinds only: the version id is free text a
    # publisher chose, and the audit log admits no free text.
    record(
        store,
        actor=actor,
        action="policy.published",
        details={
            "version_row": version.id,
            "changes": len(version.changes),
            "material_changes": version.material_changes,
            "change_kinds": sorted({change.kind.value for change in version.changes}),
            "announcements": version.announcements,
        },
    )
    log.info(
        "policy.published version_row=%d changes=%d announcements=%d",
        version.id,
        len(version.changes),
        version.announcements,
    )


def _version_of(session: Session, row_id: int | None) -> str | None:
    if row_id is None:
        return None
    return session.scalar(
        select(PolicyVersion.version).where(PolicyVersion.id == row_id)
    )
