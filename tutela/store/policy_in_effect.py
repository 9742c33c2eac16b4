"""The policy in effect: the latest published version, else the shipped file.

Clauses: changes.effective_on_publication ("an update published at this
website will be effective even if Jive does not give notice") and
changes.may_change. Once `tutela policy publish` stored a version whose
`effective_at` has come, that version is what the public pages, the API
and the purpose gate use; the policy file (`TUTELA_POLICY_FILE`, by default
the shipped policy) is only the first version, used while nothing is
published yet.

Parsed policies are cached by (version row, SHA-256): a new publication is
a new key, so it takes effect on the next read without a restart, and an
unchanged store costs one small query per call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from tutela.policy import Policy, load_policy_cached, parse_policy
from tutela.store.clock import utcnow
from tutela.store.models import PolicyVersion
from tutela.store.types import utc_aware


@dataclass(frozen=True)
class InEffect:
    """The policy in effect and where it came from."""

    policy: Policy
    # The published version's row id; None when the policy file is in effect.
    version_row: int | None
    effective_at: dt.datetime | None


def _current_row(session: Session, now: dt.datetime) -> tuple[int, str] | None:
    # Few versions exist (one per publication): compare times in Python, as
    # SQLite hands stored times back naive.
    rows = session.execute(
        select(
            PolicyVersion.id, PolicyVersion.sha256, PolicyVersion.effective_at
        ).order_by(PolicyVersion.id.desc())
    ).all()
    for row_id, digest, effective_at in rows:
        if utc_aware(effective_at) <= now:
            return int(row_id), str(digest)
    return None


# (row id, SHA-256) -> parsed policy; the same digest is the same text.
_cache: dict[tuple[int, str], tuple[Policy, dt.datetime]] = {}


def in_effect(
    session: Session, *, fallback: Path, now: dt.datetime | None = None
) -> InEffect:
    """The policy in effect at `now` (default: the current time)."""
    moment = now or utcnow()
    current = _current_row(session, moment)
    if current is None:
        return InEffect(load_policy_cached(fallback), None, None)
    found = _cache.get(current)
    if found is None:
        row = session.get(PolicyVersion, current[0])
        assert row is not None
        found = (
            parse_policy(row.policy_yaml, source=f"published version {row.version}"),
            utc_aware(row.effective_at),
        )
        if len(_cache) > 32:
            _cache.clear()
        _cache[current] = found
    return InEffect(found[0], current[0], found[1])
