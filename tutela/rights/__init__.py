"""Access to personal information: subject access requests, end to end.

Clauses: rights.access, rights.access.request, rights.access.verification,
rights.access.fee_or_reject. Intake of mail to the legal address (also the
policy-update requests of changes.subscribe), the legal inbox
(contact.questions), identity verification, the case state machine,
decisions and legal deadlines.
"""

from tutela.rights import decisions, verification
from tutela.rights.alerts import send_alerts
from tutela.rights.assignment import assign_case
from tutela.rights.casefile import case_file
from tutela.rights.cases import (
    CLOSED,
    OPEN,
    TRANSITIONS,
    CaseEvent,
    CaseView,
    State,
    list_cases,
    show_case,
)
from tutela.rights.claims import claim_case
from tutela.rights.cooling_off import STOP_PATH, stop_erasure
from tutela.rights.correction import CONFIRM_PATH, confirm_contact, correct_case
from tutela.rights.deadlines import RULES, DeadlineRule, rule_for
from tutela.rights.decisions import (
    expire_overdue,
    extend,
    fulfil,
    record_fee_paid,
    reject,
    request_fee,
)
from tutela.rights.erasure import erase_case
from tutela.rights.headings import inbox_flag, route_of
from tutela.rights.inbox import TARGETS, list_inbox, route_message, show_message
from tutela.rights.intake import (
    IntakeReport,
    IntakeResult,
    intake_message,
    intake_path,
    open_request,
    receive,
)
from tutela.rights.kinds import KINDS
from tutela.rights.matching import resume
from tutela.rights.notices import FORM_ACK
from tutela.rights.own_password import mail_choose_link
from tutela.rights.proof import PROOF, Action, Level, ProofTooWeak, action_for, level_of
from tutela.rights.queue import DUE_FILTERS, CaseQuery, search_cases
from tutela.rights.request_form import JURISDICTIONS, REQUEST_KINDS, clean_request
from tutela.rights.requests import Receipt, case_id_of, receive_request
from tutela.rights.smtp_listener import FollowUps, controller
from tutela.rights.subscribers import list_subscribers
from tutela.rights.verification import (
    Outcome,
    VerificationFailed,
    approve_override,
    methods_for,
    propose_override,
    start,
    submit_code,
    verify_signed_in,
)

__all__ = [
    "Action",
    "CLOSED",
    "CONFIRM_PATH",
    "CaseEvent",
    "CaseQuery",
    "CaseView",
    "DUE_FILTERS",
    "DeadlineRule",
    "FORM_ACK",
    "FollowUps",
    "IntakeReport",
    "IntakeResult",
    "JURISDICTIONS",
    "KINDS",
    "Level",
    "OPEN",
    "Outcome",
    "PROOF",
    "ProofTooWeak",
    "REQUEST_KINDS",
    "RULES",
    "Receipt",
    "STOP_PATH",
    "State",
    "TARGETS",
    "TRANSITIONS",
    "VerificationFailed",
    "action_for",
    "approve_override",
    "assign_case",
    "case_file",
    "case_id_of",
    "claim_case",
    "clean_request",
    "confirm_contact",
    "controller",
    "correct_case",
    "decisions",
    "erase_case",
    "expire_overdue",
    "extend",
    "fulfil",
    "inbox_flag",
    "intake_message",
    "intake_path",
    "level_of",
    "list_cases",
    "list_inbox",
    "list_subscribers",
    "mail_choose_link",
    "methods_for",
    "open_request",
    "propose_override",
    "receive",
    "receive_request",
    "record_fee_paid",
    "reject",
    "request_fee",
    "resume",
    "route_message",
    "route_of",
    "rule_for",
    "search_cases",
    "send_alerts",
    "show_case",
    "show_message",
    "start",
    "stop_erasure",
    "submit_code",
    "verification",
    "verify_signed_in",
]
