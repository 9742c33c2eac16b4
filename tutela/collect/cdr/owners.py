"""Which account a call record belongs to: by accountcode, else by number.

Policy clause ``collect.service_use.call_records``: every record is stored
under the account it belongs to, or quarantined saying no account could be
found; it is never stored under a guessed one. Clause use.purposes: the
owners are read through the purpose gate (`tutela.access.reads.accounts`),
one read per chunk for its new refs and one for its new numbers (never one
per row), each audited with its counts inside the chunk's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Final

from tutela.access import Access, Actor, access
from tutela.access.reads import owners_by_number, owners_by_ref
from tutela.collect._gate import COLLECT, DELIVER
from tutela.collect.accounts.numbers import normalize_number
from tutela.collect.quarantine import is_text
from tutela.errors import NotFound
from tutela.store import Store

_CACHE_MAX: Final = 100_000


@dataclass(frozen=True, slots=True)
class Owner:
    """The account a record belongs to, and the region its numbers are read in."""

    id: int
    region: str


class AccountResolver:
    """accountcode -> `Account.ref`, else number -> `PhoneNumber`, else a default.

    Looks up a whole chunk's unknown refs and numbers in one query each; the
    caches are bounded so memory stays flat on any file.
    """

    def __init__(self, default: Owner | None, hint_region: str) -> None:
        self.default = default
        self.hint_region = default.region if default else hint_region
        self._by_ref: dict[str, Owner | None] = {}
        self._by_number: dict[str, Owner | None] = {}

    def prepare(self, use: Access, records: Iterable[tuple[str, str, str]]) -> None:
        """Look up a chunk's (accountcode, src_raw, dst_raw) before `resolve`.

        Refs first; numbers (read in ``hint_region``) only for the records
        whose accountcode is no account's ref.
        """
        records = list(records)
        for cache in (self._by_ref, self._by_number):
            if len(cache) > _CACHE_MAX:
                cache.clear()
        # A ref that is not UTF-8 text names no account (and no driver takes it).
        refs = {ref for ref, _, _ in records if ref and is_text(ref)}
        refs -= self._by_ref.keys()
        if refs:
            for ref, (id_, region) in owners_by_ref(use, refs).items():
                self._by_ref[ref] = Owner(id_, region)
            self._by_ref.update((ref, None) for ref in refs - self._by_ref.keys())
        numbers: set[str] = set()
        by_ref = self._by_ref
        for ref, src_raw, dst_raw in records:
            if by_ref.get(ref) is None:
                numbers.update(self._numbers(src_raw, dst_raw))
        numbers -= self._by_number.keys()
        if numbers:
            for e164, (id_, region) in owners_by_number(use, numbers).items():
                self._by_number[e164] = Owner(id_, region)
            self._by_number.update((n, None) for n in numbers - self._by_number.keys())

    def resolve(self, accountcode: str, src_raw: str, dst_raw: str) -> Owner | None:
        """The owner of a record `prepare` has seen, else the default (or None)."""
        owner = self._by_ref.get(accountcode) if accountcode else None
        if owner is not None:
            return owner
        for e164 in self._numbers(src_raw, dst_raw):
            owner = self._by_number.get(e164)
            if owner is not None:
                return owner
        return self.default

    def _numbers(self, src_raw: str, dst_raw: str) -> Iterator[str]:
        """Source then destination in E.164, read in ``hint_region``, where valid."""
        for raw in (src_raw, dst_raw):
            e164 = normalize_number(raw, self.hint_region).e164
            if e164:
                yield e164


def find_owner(
    store: Store, ref: str, *, actor: Actor = COLLECT, purpose: str = DELIVER
) -> Owner:
    """The account with this ref; `NotFound` if there is none.

    Read through the gate on its own (before a run's writes begin), as
    ``actor`` for ``purpose`` (default: the write path's own job; a command
    acting for a signed-in person passes that person).
    """
    with access(store, actor=actor, purpose=purpose) as use:
        found = owners_by_ref(use, [ref])
    if ref not in found:
        raise NotFound(f"account {ref} does not exist", errors=["field: account"])
    return Owner(*found[ref])
