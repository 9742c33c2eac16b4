"""Is the information secure? The tamper-evident audit log.

Clauses: secure.measures (every grant, denial, disclosure, export, deletion
and administrative action is recorded so that tampering shows; signed
checkpoints; a witness the database cannot roll back, by default a file in
the data directory), use.purposes (each read records its
purpose). Roles live in `tutela.access`, sign-in in `tutela.auth`.
"""

from tutela.audit import log
from tutela.audit._encoding import GENESIS, entry_hash
from tutela.audit.browse import AuditQuery, browse_entries
from tutela.audit.checkpoints import Checkpoint
from tutela.audit.log import (
    AuditLog,
    AuditRecord,
    audit_log,
    forget_pending,
    record,
    seal_pending,
)
from tutela.audit.reanchor import Reanchored, check_reason, reanchor
from tutela.audit.sealing import sealing_every
from tutela.audit.signing_keys import (
    created_keys,
    load_or_create_signer,
    load_public_key,
    parse_fingerprint,
)
from tutela.audit.timeline import Timeline, read_timeline
from tutela.audit.verify import VerifyReport, verify_chain
from tutela.audit.witness import WitnessFile, WitnessRecord, read_witness

__all__ = [
    "AuditLog",
    "AuditQuery",
    "AuditRecord",
    "Checkpoint",
    "GENESIS",
    "Reanchored",
    "Timeline",
    "VerifyReport",
    "WitnessFile",
    "WitnessRecord",
    "audit_log",
    "browse_entries",
    "check_reason",
    "created_keys",
    "entry_hash",
    "forget_pending",
    "load_or_create_signer",
    "load_public_key",
    "log",
    "parse_fingerprint",
    "read_timeline",
    "read_witness",
    "reanchor",
    "record",
    "seal_pending",
    "sealing_every",
    "verify_chain",
]
