"""Who may sign in: users, their browser sessions, API tokens and login attempts.

Clauses: secure.measures (passwords kept only as argon2id hashes, session and
API tokens only as SHA-256 digests, failed sign-ins counted for lockout),
collect.service_use.voicemail and rights.access.verification (a customer's
own people sign in to delete their voice mail and to verify an access
request), scope.business_only (a customer user belongs to one business
account, the tenant key).

A user's e-mail address is a business contact e-mail address
(`business_contact.email`). Nothing here stores an IP address or a user
agent: rate limiting by network belongs to the reverse proxy.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from tutela.store.models._base import (
    AUDIT_TIME,
    LINK,
    STATUS,
    Base,
    _created,
    _id,
    personal,
    structural,
)

DIGEST = structural("SHA-256 of a random secret; the secret itself is never stored")
EXPIRY = structural("when a credential stops working")

USER_ROLES = (
    "privacy_officer",
    "support_agent",
    "billing",
    "engineering",
    "auditor",
    "customer_admin",
    "end_user",
)
_ROLE_LIST = ", ".join(f"'{r}'" for r in USER_ROLES)


class User(Base):
    """Someone who signs in: a staff member, or a customer's admin or end user."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN ({_ROLE_LIST})", name="ck_users_role"),
        CheckConstraint(
            "role NOT IN ('customer_admin', 'end_user') "
            "OR (person_id IS NOT NULL AND account_id IS NOT NULL)",
            name="ck_users_customer_linked",
        ),
        CheckConstraint(
            "role IN ('customer_admin', 'end_user') "
            "OR (person_id IS NULL AND account_id IS NULL)",
            name="ck_users_staff_unlinked",
        ),
    )

    id: Mapped[int] = _id()
    email: Mapped[str] = mapped_column(
        String(254), unique=True, info=personal("business_contact", "email")
    )
    role: Mapped[str] = mapped_column(
        String(24), info=structural("sign-in role (least privilege)")
    )
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"),
        index=True,
        info=structural("tenant key: the owning business account (customer users)"),
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True, info=LINK
    )
    password_hash: Mapped[str | None] = mapped_column(
        String(200),
        info=structural("argon2id hash of the password; the password is never stored"),
    )
    # Set only when the user chose the password through a link mailed to
    # their sign-in address (`tutela.auth.credentials`); any other setting of
    # the password (created, reset, by staff or the host) clears it: only
    # then does signing in prove who they are.
    password_chosen_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=STATUS
    )
    password_link_digest: Mapped[str | None] = mapped_column(String(64), info=DIGEST)
    password_link_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=EXPIRY
    )
    disabled_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=STATUS
    )
    created_at: Mapped[dt.datetime] = _created()


class UserSession(Base):
    """A signed-in browser; the cookie holds the token, this row its digest."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = _id()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=DIGEST)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, info=LINK
    )
    created_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=EXPIRY
    )
    last_seen_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    reauthenticated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True),
        info=structural("when the password was last entered in this session"),
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=STATUS
    )


class ApiToken(Base):
    """A bearer token for the customer API; shown once, kept as a digest."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = _id()
    token_hash: Mapped[str] = mapped_column(String(64), unique=True, info=DIGEST)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, info=LINK
    )
    created_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=EXPIRY
    )
    last_used_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    revoked_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=STATUS
    )


class LoginAttempt(Base):
    """One sign-in attempt, keyed by a keyed digest of the e-mail address given.

    Attempts for addresses that have no user are counted the same way, so a
    lockout says nothing about whether an address is known.
    """

    __tablename__ = "login_attempts"
    __table_args__ = (Index("ix_login_attempts_digest_at", "email_digest", "at"),)

    id: Mapped[int] = _id()
    email_digest: Mapped[str] = mapped_column(
        String(64), info=personal("business_contact", "email")
    )
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), info=AUDIT_TIME)
    succeeded: Mapped[bool] = mapped_column(Boolean, info=STATUS)


BY = structural(
    "the staff member who did it (no one: the root of trust, the host's operator)"
)
USER_ADMIN_KINDS = ("created", "role_set", "password_set")
PROPOSAL_KINDS = ("add", "raise")
PROPOSAL_STATES = ("pending", "approved", "rejected")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class UserAdminEvent(Base):
    """Who created a user, gave them a role or set their password, and when.

    The record the two-person rule reads (`tutela.auth.officers`): an
    approver the proposer administered, directly or through others, is not
    a second person, and an officer approves nothing before `waiting_until`.
    """

    __tablename__ = "user_admin_events"
    __table_args__ = (
        CheckConstraint(
            _in("kind", USER_ADMIN_KINDS), name="ck_user_admin_events_kind"
        ),
    )

    id: Mapped[int] = _id()
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, info=LINK
    )
    kind: Mapped[str] = mapped_column(String(16), info=STATUS)
    role: Mapped[str | None] = mapped_column(
        String(24), info=structural("the role the user holds after the event")
    )
    by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"), index=True, info=BY
    )
    approved_by_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id"),
        info=structural("the second privacy officer who approved it, if one had to"),
    )
    actor: Mapped[str] = mapped_column(
        String(64), info=structural("actor id, as in the audit log")
    )
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_proposals.id"), info=LINK
    )
    waiting_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True),
        info=structural("a new officer approves nothing before this time"),
    )
    at: Mapped[dt.datetime] = _created()


class UserProposal(Base):
    """A new privacy officer, or a role raised to one, awaiting a second officer.

    The proposer's and the approver's halves of the new officer's one-time
    setup code are kept only as SHA-256 digests; the new officer needs both
    to choose a password, so neither officer alone can sign in as them.
    """

    __tablename__ = "user_proposals"
    __table_args__ = (
        CheckConstraint(_in("kind", PROPOSAL_KINDS), name="ck_user_proposals_kind"),
        CheckConstraint(_in("state", PROPOSAL_STATES), name="ck_user_proposals_state"),
    )

    id: Mapped[int] = _id()
    kind: Mapped[str] = mapped_column(String(8), info=STATUS)
    state: Mapped[str] = mapped_column(String(10), index=True, info=STATUS)
    role: Mapped[str] = mapped_column(String(24), info=structural("the role proposed"))
    email: Mapped[str | None] = mapped_column(
        String(254), info=personal("business_contact", "email")
    )
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True, info=LINK
    )
    proposed_by: Mapped[int] = mapped_column(ForeignKey("users.id"), info=LINK)
    proposed_at: Mapped[dt.datetime] = _created()
    expires_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), info=EXPIRY
    )
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"), info=LINK)
    decided_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=AUDIT_TIME
    )
    setup_first: Mapped[str | None] = mapped_column(String(64), info=DIGEST)
    setup_second: Mapped[str | None] = mapped_column(String(64), info=DIGEST)
    setup_until: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True), info=EXPIRY
    )
