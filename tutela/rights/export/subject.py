"""Whose data a verified case releases: people, and identifiers of non-customers.

Clauses: rights.access (a subject of personal information can access it,
customer contact or not), rights.access.verification (only what the
verification proved is reached).

- The case's people (`person_ids`), as the verification left them: their
  holdings decide which numbers, extensions and addresses reach what.
- An address a code reached (`email_code`) is proven: it reaches other
  accounts' messages too, inside the holder's interval.
- A subject who is not a customer contact is an identifier: the number a
  call-back code reached (`subject_number`), or the address a code reached
  when it belongs to no customer; each from `subject_since` on (the end of
  the last customer's holding), so a reused number or address never reaches
  into a former holder's time.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tutela.rights.cases import aware, person_ids_of
from tutela.rights.export.sections import Claim
from tutela.store.models import SarCase


@dataclass(frozen=True)
class CaseSubject:
    """What an export of one case may reach."""

    person_ids: list[int]
    proven_emails: list[str] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.person_ids and not self.claims


def case_subject(case: SarCase) -> CaseSubject:
    """The subject of a verified case (see the module docstring)."""
    person_ids = person_ids_of(case)
    since = aware(case.subject_since)
    address = (case.requester_address or "").strip().lower() or None
    by_code = case.verification_method == "email_code" and address is not None
    proven = [address] if by_code and address else []
    claims: list[Claim] = []
    if case.subject_number and case.verification_method == "phone_code":
        claims.append(Claim("number", case.subject_number, None, since, None))
    if by_code and address and not person_ids:
        claims.append(Claim("email", address, None, since, None))
    return CaseSubject(person_ids, proven, claims)


__all__ = ["CaseSubject", "case_subject"]
