"""Published versions of the policy, as stored in `policy_versions`.

Clauses: changes.may_change (every published version is kept, with what it
changed), changes.check_regularly (`tutela policy versions` lists them, so
anyone checking for updates sees when each came and what it changed).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from tutela.changes._change import Change
from tutela.store import utc_aware
from tutela.store.models import PolicyVersion


@dataclass(frozen=True)
class VersionView:
    """One published version, for the CLI and its `--json`."""

    id: int
    version: str
    sha256: str
    previous_version: str | None
    published_at: dt.datetime
    effective_at: dt.datetime
    published_by: str
    changes: list[Change]
    announcements: int

    @property
    def material_changes(self) -> int:
        return sum(1 for change in self.changes if change.material)

    def as_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "version": self.version,
            "sha256": self.sha256,
            "previous_version": self.previous_version,
            "published_at": self.published_at.isoformat(),
            "effective_at": self.effective_at.isoformat(),
            "published_by": self.published_by,
            "material_changes": self.material_changes,
            "changes": [change.as_dict() for change in self.changes],
            "announcements": self.announcements,
        }


def latest_version(session: Session) -> PolicyVersion | None:
    """The most recently published version (versions are published in order)."""
    return session.scalars(
        select(PolicyVersion).order_by(PolicyVersion.id.desc()).limit(1)
    ).one_or_none()


def version_view(row: PolicyVersion, previous_version: str | None) -> VersionView:
    return VersionView(
        id=row.id,
        version=row.version,
        sha256=row.sha256,
        previous_version=previous_version,
        published_at=utc_aware(row.published_at),
        effective_at=utc_aware(row.effective_at),
        published_by=row.published_by,
        changes=[Change.from_dict(item) for item in json.loads(row.changes)],
        announcements=row.announcements,
    )


def published_versions(session: Session) -> list[VersionView]:
    """Every published version, oldest first."""
    previous = aliased(PolicyVersion)
    rows = session.execute(
        select(PolicyVersion, previous.version)
        .outerjoin(previous, PolicyVersion.previous_id == previous.id)
        .order_by(PolicyVersion.id)
    ).all()
    return [version_view(row, before) for row, before in rows]


@dataclass(frozen=True)
class StoredVersion:
    """One published version as stored, with when it stopped being in effect."""

    view: VersionView
    policy_yaml: str
    superseded_at: dt.datetime | None


def stored_version(session: Session, version: str) -> StoredVersion | None:
    """The published version with id `version`, its file and its successor's start."""
    all_views = published_versions(session)
    for index, view in enumerate(all_views):
        if view.version != version:
            continue
        row = session.get(PolicyVersion, view.id)
        assert row is not None
        later = all_views[index + 1] if index + 1 < len(all_views) else None
        return StoredVersion(
            view, row.policy_yaml, later.effective_at if later else None
        )
    return None
