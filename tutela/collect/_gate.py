"""The purpose gate, opened inside the write path's own transaction.

Clause use.purposes: the write path (`tutela.collect`) reads personal data
only through `tutela.access` (its read layer, `tutela.access.reads`), like
every other package. Its reads check keys (is this ref, number or dedupe key
taken) and find the rows a write changes (which account owns this number,
which holdings end), so they run inside the write (`within=session`): the
check cannot go stale before the write, and the `use.grant` entry of each
read commits, or rolls back, with the write it served.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from sqlalchemy.orm import Session

from tutela.access import Access, Actor, access
from tutela.store import Store

COLLECT: Final = Actor.system("collect")
"""The write path's actor: stores what the service runs on (`deliver_services`)."""
DELIVER: Final = "deliver_services"


@contextmanager
def reading(
    session: Session, *, actor: Actor = COLLECT, purpose: str = DELIVER
) -> Iterator[Access]:
    """A gate for `actor` and `purpose` inside `session`'s write."""
    with access(Store.of(session), actor=actor, purpose=purpose, within=session) as use:
        yield use
