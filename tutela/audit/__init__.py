"""Is the information secure? The tamper-evident audit log.

Clauses: secure.measures (every grant, denial, disclosure, export, deletion
and administrative action is recorded so that tampering shows; signed
checkpoints; an external witness), use.purposes (each read records its
purpose). Roles live in `tutela.access`, sign-in in `tutela.auth`.
"""

from tutela.audit._encoding import GENESIS, entry_hash
from tutela.audit.checkpoints import Checkpoint
from tutela.audit.log import AuditLog, AuditRecord, audit_log, record
from tutela.audit.verify import VerifyReport, verify_chain

__all__ = [
    "AuditLog",
    "AuditRecord",
    "Checkpoint",
    "GENESIS",
    "VerifyReport",
    "audit_log",
    "entry_hash",
    "record",
    "verify_chain",
]
