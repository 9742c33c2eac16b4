"""Sign-in for staff and customers: passwords, lockout, sessions, staff on the CLI.

Clauses: secure.measures (argon2id password hashes, lockout, hashed session
and API tokens, anti-forgery tokens; a privacy officer is made only by the
root of trust or by two independent officers), use.purposes (a signed-in
user acts as a `tutela.access` actor with the role's purposes),
rights.access.verification (re-authentication of signed-in customers; the
two officers of a staff override must be two people:
`check_independent_approver`).
"""

from tutela.auth.credentials import (
    CHOOSE_PATH,
    change_own_password,
    choose_password,
    password_known_to_others,
    send_choose_link,
)
from tutela.auth.lockout import email_digest
from tutela.auth.officers import (
    BOOTSTRAP,
    ROOT_OFFICERS,
    NotIndependent,
    bootstrap_officer,
    bootstrap_open,
    check_independent_approver,
    check_independent_in,
    staff_user_id,
)
from tutela.auth.passwords import generate_password
from tutela.auth.principal import SecondOfficerNeeded
from tutela.auth.proposals import (
    Approved,
    ProposalView,
    Proposed,
    approve_proposal,
    list_proposals,
    propose_officer,
    propose_raise,
    reject_proposal,
    set_password_with_setup,
)
from tutela.auth.signin import (
    AuthenticationFailed,
    AuthSettings,
    CsrfRefused,
    Principal,
    add_user,
    check_csrf,
    csrf_token,
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
    RoleChange,
    change_role,
    disable_by_email,
    disable_by_id,
    disable_user,
    officer_addresses,
    reset_password,
    user_id_of,
)

__all__ = [
    "Approved",
    "AuthSettings",
    "AuthenticationFailed",
    "BOOTSTRAP",
    "CHOOSE_PATH",
    "CsrfRefused",
    "NotIndependent",
    "Principal",
    "ProposalView",
    "Proposed",
    "ROOT_OFFICERS",
    "RoleChange",
    "SecondOfficerNeeded",
    "active_staff",
    "add_user",
    "approve_proposal",
    "authenticate_staff",
    "bootstrap_officer",
    "bootstrap_open",
    "change_own_password",
    "change_role",
    "check_csrf",
    "check_independent_approver",
    "check_independent_in",
    "choose_password",
    "csrf_token",
    "disable_by_email",
    "disable_by_id",
    "disable_user",
    "email_digest",
    "end_session",
    "generate_password",
    "has_active_officer",
    "issue_api_token",
    "list_proposals",
    "list_users",
    "officer_addresses",
    "password_known_to_others",
    "propose_officer",
    "propose_raise",
    "reauthenticate",
    "reject_proposal",
    "require_duty",
    "require_purpose",
    "require_role",
    "reset_password",
    "resolve_api_token",
    "resolve_session",
    "revoke_api_tokens",
    "send_choose_link",
    "set_password",
    "set_password_with_setup",
    "sign_in",
    "staff_user_id",
    "user_id_of",
]
