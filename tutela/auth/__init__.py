"""Sign-in for staff and customers: passwords, lockout, sessions, staff on the CLI.

Clauses: secure.measures (argon2id password hashes, lockout, hashed session
and API tokens, anti-forgery tokens), use.purposes (a signed-in user acts as
a `tutela.access` actor with the role's purposes), rights.access.verification
(re-authentication of signed-in customers).
"""

from tutela.auth.lockout import email_digest
from tutela.auth.passwords import generate_password
from tutela.auth.signin import (
    AuthenticationFailed,
    AuthSettings,
    CsrfRefused,
    Principal,
    add_user,
    check_csrf,
    csrf_token,
    disable_user,
    end_session,
    issue_api_token,
    list_users,
    reauthenticate,
    resolve_api_token,
    resolve_session,
    revoke_api_tokens,
    set_password,
    sign_in,
)
from tutela.auth.staff import (
    active_staff,
    authenticate_staff,
    has_active_officer,
    require_duty,
    require_purpose,
    require_role,
)
from tutela.auth.user_admin import (
    disable_by_email,
    disable_by_id,
    officer_addresses,
    reset_password,
)

__all__ = [
    "AuthSettings",
    "AuthenticationFailed",
    "CsrfRefused",
    "Principal",
    "active_staff",
    "add_user",
    "authenticate_staff",
    "check_csrf",
    "csrf_token",
    "disable_by_email",
    "disable_by_id",
    "disable_user",
    "email_digest",
    "end_session",
    "generate_password",
    "has_active_officer",
    "issue_api_token",
    "list_users",
    "officer_addresses",
    "reauthenticate",
    "require_duty",
    "require_purpose",
    "require_role",
    "reset_password",
    "resolve_api_token",
    "resolve_session",
    "revoke_api_tokens",
    "set_password",
    "sign_in",
]
