"""Scan free text with every detector and resolve overlaps.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". `scan` is the one entry point the store, the
`tutela scan text` command and the subject-access export call: it runs the
detectors, says which known person each finding belongs to, and keeps one
detection per stretch of text.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import replace

from tutela.collect.detect._spans import SpanSet
from tutela.collect.detect.cards import find_cards
from tutela.collect.detect.emails import find_emails
from tutela.collect.detect.iban import find_ibans
from tutela.collect.detect.ips import find_ips
from tutela.collect.detect.model import KINDS, Detection, Kind
from tutela.collect.detect.people import KnownPeople
from tutela.collect.detect.phones import DEFAULT_REGIONS, find_phones

_PRIORITY = {kind: rank for rank, kind in enumerate(KINDS)}


def resolve_overlaps(detections: Iterable[Detection]) -> list[Detection]:
    """Keep one detection per stretch of text, sorted by position.

    Where detections overlap, the kind earlier in `KINDS` wins (a card number
    beats the phone number hiding inside it, an email beats the name in its
    local part), then the longer match, then the earlier one.
    """
    ordered = sorted(
        detections,
        key=lambda d: (_PRIORITY[d.kind], -(d.end - d.start), d.start),
    )
    kept: list[Detection] = []
    taken = SpanSet()
    for detection in ordered:
        if taken.add(detection.start, detection.end):
            kept.append(detection)
    kept.sort(key=lambda d: (d.start, d.end))
    return kept


def scan(
    text: str,
    *,
    regions: Sequence[str] = DEFAULT_REGIONS,
    people: KnownPeople | None = None,
    kinds: Collection[Kind] = KINDS,
) -> list[Detection]:
    """Find the personal data in `text`, one detection per stretch of text.

    `regions` lists the countries whose national phone formats are read, the
    customer's own first. `people` is the index of known people: names are
    matched, and emails and phones are attributed to their owner.
    """
    found: list[Detection] = []
    if "card" in kinds:
        found += find_cards(text)
    if "iban" in kinds:
        found += find_ibans(text)
    if "email" in kinds:
        found += find_emails(text)
    if "ip" in kinds:
        found += find_ips(text)
    if "phone" in kinds:
        found += find_phones(text, regions)
    if "person" in kinds and people is not None:
        found += people.find_names(text)
    if people is not None:
        found = [_attribute(detection, people) for detection in found]
    return resolve_overlaps(found)


def _attribute(detection: Detection, people: KnownPeople) -> Detection:
    if detection.person_id is not None:
        return detection
    owner = people.owner(detection)
    if owner is None:
        return detection
    return replace(
        detection,
        person_id=owner,
        reason=f"{detection.reason}; belongs to a known person",
    )
