"""Is the information secure? Roles, the tamper-evident audit log, signing keys, sign-in.

Clauses: secure.measures, use.purposes (who may invoke which purpose),
rights.access.verification (re-authentication of signed-in customers).
Sign-in lives in `tutela.secure.auth` (import it from there: it depends on
`tutela.use`, which depends on this package).
"""

from tutela.secure._encoding import GENESIS, entry_hash
from tutela.secure.audit import AuditLog, AuditRecord, audit_log, record
from tutela.secure.checkpoints import Checkpoint
from tutela.secure.roles import (
    CUSTOMER_ROLES,
    EVERY_PURPOSE_ROLES,
    ROLE_DUTIES,
    ROLE_PURPOSES,
    SUBJECT_ACCESS,
    SYSTEM_JOBS,
    Duty,
    Role,
    declared_purposes,
    has_duty,
    purposes_for,
    undeclared_grants,
)
from tutela.secure.verify import VerifyReport, verify_chain

__all__ = [
    "AuditLog",
    "AuditRecord",
    "CUSTOMER_ROLES",
    "Checkpoint",
    "Duty",
    "EVERY_PURPOSE_ROLES",
    "GENESIS",
    "ROLE_DUTIES",
    "ROLE_PURPOSES",
    "Role",
    "SUBJECT_ACCESS",
    "SYSTEM_JOBS",
    "VerifyReport",
    "audit_log",
    "declared_purposes",
    "entry_hash",
    "has_duty",
    "purposes_for",
    "record",
    "undeclared_grants",
    "verify_chain",
]
