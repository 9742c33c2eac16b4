"""The mark of a read the purpose gate is making, for the store to check.

Clauses: use.purposes (personal data is read only through the gate,
`tutela.access.access`), collect.service_use.voicemail and
collect.service_use.call_recordings (audio is personal data too: a blob is
decrypted only inside a gate read of the row that owns it).

The gate (`tutela.access`, a layer above) marks the context while it runs a
read (`gated_read`); the store, below it, can then tell a gate read from any
other. `BlobStore.get` refuses to decrypt outside one, and the runtime
backstop the tests install (`tutela.access.guard_reads`) fails a SELECT of a
personal table outside one. Only `tutela/access` may open the mark
(`tests/test_layering.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_GATE_READ: ContextVar[str | None] = ContextVar("tutela_gate_read", default=None)


class UngatedRead(RuntimeError):
    """Personal data was read around the purpose gate: a bug, never an input error."""


@contextmanager
def gated_read(purpose: str) -> Iterator[None]:
    """Mark the statements run inside as a read of the gate, for `purpose`."""
    token = _GATE_READ.set(purpose)
    try:
        yield
    finally:
        _GATE_READ.reset(token)


def in_gated_read() -> str | None:
    """The purpose of the gate read running now, or None outside one."""
    return _GATE_READ.get()


__all__ = ["UngatedRead", "gated_read", "in_gated_read"]
