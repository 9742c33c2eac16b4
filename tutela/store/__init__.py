"""The store: the database, its encrypted types, the blob store and the keys.

Clauses: secure.measures (secrets encrypted field by field, audio under its
own key, keys rotated), collect.requested (the store holds exactly the data
the policy names; see `tutela.store.models`).

Other packages import the store through these names (and the models through
`tutela.store.models`), never through its modules: `tests/test_exports.py`
checks it.
"""

from tutela.store.addresses import normalize_email
from tutela.store.blobs import MAX_BLOB_BYTES, BlobError, BlobStore
from tutela.store.bulk import copy_new_rows, relaxed_sync
from tutela.store.clock import CLOCK, Clock
from tutela.store.db import Store, make_engine, open_store, upgrade, write_first
from tutela.store.gated import UngatedRead, gated_read, in_gated_read, product_caller
from tutela.store.keys import KeyRing, SealError
from tutela.store.policy_in_effect import InEffect
from tutela.store.rotation import RotationResult, encrypted_columns, rotate_keys
from tutela.store.tokens import new_token, token_digest
from tutela.store.turns import DatabaseBusy, taking_turns
from tutela.store.types import Encrypted, utc_aware, utcnow

__all__ = [
    "BlobError",
    "BlobStore",
    "CLOCK",
    "Clock",
    "DatabaseBusy",
    "Encrypted",
    "InEffect",
    "KeyRing",
    "MAX_BLOB_BYTES",
    "RotationResult",
    "SealError",
    "Store",
    "UngatedRead",
    "copy_new_rows",
    "encrypted_columns",
    "gated_read",
    "in_gated_read",
    "make_engine",
    "new_token",
    "normalize_email",
    "open_store",
    "product_caller",
    "relaxed_sync",
    "rotate_keys",
    "taking_turns",
    "token_digest",
    "upgrade",
    "utc_aware",
    "utcnow",
    "write_first",
]
