"""The index of personal data found inside communications' free text.

Policy clauses: ``collect.volunteered``, ``collect.volunteered.channels`` and
``collect.volunteered.uncontrolled`` ("Jive does not control the nature of
this information"): the text of a chat, email, call note or ticket may hold
anyone's phone number, email, card or name, so each one found is indexed
here. ``rights.access``: the index is how a subject access export finds the
messages that mention the subject, and what in them to mask.

A row points at a span of the communication's stored subject or body; the
matched text itself is not copied. ``value`` is the normalised form (E.164,
lower-case email, ...); for a card it is the masked form only (``*`` for all
but the last four digits), never the full number.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import LINK, Base, _id, _tenant, personal, structural

#: The parts of a communication the index points into.
PARTS = ("subject", "body")


class CommunicationMention(Base):
    """One piece of personal data found in a communication's subject or body."""

    __tablename__ = "communication_mentions"
    __table_args__ = (
        CheckConstraint(
            "part IN ('subject', 'body')", name="ck_communication_mentions_part"
        ),
        CheckConstraint(
            "kind IN ('phone', 'email', 'card', 'iban', 'ip', 'person')",
            name="ck_communication_mentions_kind",
        ),
        CheckConstraint(
            'start >= 0 AND "end" > start', name="ck_communication_mentions_span"
        ),
        Index("ix_communication_mentions_value", "kind", "value"),
    )

    id: Mapped[int] = _id()
    account_id: Mapped[int] = _tenant()
    communication_id: Mapped[int] = mapped_column(
        ForeignKey("communications.id", ondelete="CASCADE"), index=True, info=LINK
    )
    part: Mapped[str] = mapped_column(
        String(8), info=structural("which text of the communication the span is in")
    )
    start: Mapped[int] = mapped_column(
        Integer, info=structural("character offset into the stored text")
    )
    end: Mapped[int] = mapped_column(
        Integer, info=structural("character offset into the stored text")
    )
    kind: Mapped[str] = mapped_column(
        String(8), info=structural("kind of detector that matched")
    )
    value: Mapped[str] = mapped_column(
        String(320), info=personal("communications", "mentions")
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"),
        index=True,
        info=personal("communications", "mentions"),
    )
