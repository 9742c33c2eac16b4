"""The mark of a read the purpose gate is making, for the store to check.

Clauses: use.purposes (personal data is read only through the gate,
`tutela.access.access`), collect.service_use.voicemail and
collect.service_use.call_recordings (audio is personal data too: a blob is
decrypted only inside a gate read of the row that owns it).

The gate (`tutela.access`, a layer above) marks the context while it runs a
read (`gated_read`); the store, below it, can then tell a gate read from any
other. `BlobStore.get` refuses to decrypt for product code outside one, and
the runtime backstop the tests install (`tutela.access.guard_reads`) fails a
SELECT of a personal table outside one. Only `tutela/access` may open the
mark (`tests/test_layering.py`).

Both charge a read to the code that made it (`product_caller`): the
innermost module of `tutela` on the stack, unless it is the store's own work
(migrations, key rotation). The repository's tests (`tests.`) asserting on
what was stored are not product code and are not charged.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from types import FrameType

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


def product_caller(
    frame: FrameType | None, *, passing: tuple[str, ...] = ()
) -> str | None:
    """The product module a read made from `frame` outwards is charged to.

    The innermost frame of a `tutela` module that is not one of `passing`
    (modules the read only passes through). None when that frame is the
    store's (its own work: migrations, key rotation), when code of the tests
    comes first, or when no product code is on the stack.
    """
    while frame is not None:
        module = str(frame.f_globals.get("__name__", ""))
        if passing and module.startswith(passing):
            frame = frame.f_back
            continue
        if module.startswith("tests."):
            return None
        if module.startswith("tutela."):
            return None if module.startswith("tutela.store.") else module
        frame = frame.f_back
    return None


__all__ = ["UngatedRead", "gated_read", "in_gated_read", "product_caller"]
