"""Published versions of the policy.

Policy: "Jive may change this privacy policy at any time." (changes.may_change)
and "an update published at this website will be effective even if Jive does
not give notice" (changes.effective_on_publication). Each row is one
published policy file: its own version id, its SHA-256, the file itself, when
it was published and took effect, and what changed since the version before
(`tutela.changes.diff`). Nothing here is personal data: the policy is public
text, and the publisher appears as a surrogate actor id.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import AUDIT_TIME, LINK, Base, _id, structural

PUBLIC_POLICY = structural("the published policy: public text, not personal data")
COUNT = structural("a count of changes or messages, not a value")


class PolicyVersion(Base):
    """One published version of the policy; never changed once written."""

    __tablename__ = "policy_versions"

    id: Mapped[int] = _id()
    version: Mapped[str] = mapped_column(
        String(200), unique=True, info=structural("the policy file's own `id`")
    )
    sha256: Mapped[str] = mapped_column(
        String(64), unique=True, info=structural("SHA-256 of the published file")
    )
    policy_yaml: Mapped[str] = mapped_column(Text, info=PUBLIC_POLICY)
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("policy_versions.id", ondelete="SET NULL"), info=LINK
    )
    changes: Mapped[str] = mapped_column(
        Text,
        info=structural("JSON list of the semantic changes since the previous version"),
    )
    material_changes: Mapped[int] = mapped_column(Integer, info=COUNT)
    announcements: Mapped[int] = mapped_column(Integer, info=COUNT)
    published_by: Mapped[str] = mapped_column(
        String(120), info=structural("surrogate actor id of the publisher")
    )
    published_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), index=True, info=AUDIT_TIME
    )
    effective_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        info=structural("when the version takes effect, from the change procedure"),
    )
