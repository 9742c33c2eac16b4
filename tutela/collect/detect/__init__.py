"""Detect personal data in free text: support chats, emails, tickets, call notes.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket" (section "What information does Jive collect?").
Pure functions, no database: the store, the `tutela scan text` command and the
subject-access export call `scan`, `redact` and `mask_cards`.
"""

from tutela.collect.detect.cards import find_cards, mask_cards
from tutela.collect.detect.emails import find_emails
from tutela.collect.detect.iban import find_ibans, iban_valid
from tutela.collect.detect.ips import find_ips
from tutela.collect.detect.model import KINDS, Detection, Kind
from tutela.collect.detect.names import find_names
from tutela.collect.detect.people import KnownPeople, KnownPerson, fold
from tutela.collect.detect.phones import DEFAULT_REGIONS, find_phones
from tutela.collect.detect.redact import Decision, Redaction, mask_for, redact
from tutela.collect.detect.scanner import resolve_overlaps, scan

__all__ = [
    "DEFAULT_REGIONS",
    "Decision",
    "Detection",
    "KINDS",
    "Kind",
    "KnownPeople",
    "KnownPerson",
    "Redaction",
    "find_cards",
    "find_emails",
    "find_ibans",
    "find_ips",
    "find_names",
    "find_phones",
    "fold",
    "iban_valid",
    "mask_cards",
    "mask_for",
    "redact",
    "resolve_overlaps",
    "scan",
]
