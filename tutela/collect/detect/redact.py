"""Mask the personal data of everyone but the subject in free text.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". When a subject asks for their data, the chats
and tickets they wrote are part of it, but the phone numbers, emails, cards
and names of other people in those messages are not theirs to receive.
`redact` masks every detection that does not belong to the subject and says,
for a reviewer, what was masked and why. A mask names only the kind
("[phone redacted]"), never any part of the value.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from tutela.collect.detect._spans import SpanSet
from tutela.collect.detect.model import Detection, Kind
from tutela.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Decision:
    """What happened to one detection, for the reviewer (no value in it)."""

    kind: Kind
    start: int
    end: int
    reason: str


@dataclass(frozen=True, slots=True)
class Redaction:
    """The redacted text, and what was masked or kept and why."""

    text: str
    redacted: tuple[Decision, ...]
    kept: tuple[Decision, ...]


def mask_for(kind: Kind) -> str:
    """The placeholder that replaces a detection of `kind`."""
    return f"[{kind} redacted]"


def _check(text: str, detections: Sequence[Detection]) -> None:
    for index, detection in enumerate(detections):
        inside = 0 <= detection.start < detection.end <= len(text)
        if not inside or text[detection.start : detection.end] != detection.text:
            raise InvalidInput(
                f"detection does not match the text at offsets "
                f"{detection.start}-{detection.end}; scan the same text you redact",
                field=f"detections[{index}]",
            )


def _why_redacted(detection: Detection, keep: Collection[str]) -> str | None:
    """Why `detection` must be masked, or None when it is the subject's."""
    if detection.kind != "person" and detection.value in keep:
        return None  # the subject's own number or address, whoever else typed it
    if detection.person_id is not None:
        if detection.person_id in keep:
            return None
        return f"{detection.kind} of another known person"
    if detection.value in keep:
        return None
    return f"{detection.kind} not known to belong to the subject"


def _merge(
    masked: list[tuple[Detection, str]],
) -> list[tuple[int, int, set[Kind]]]:
    """Union of the masked spans (sorted input), with the kinds in each."""
    spans: list[tuple[int, int, set[Kind]]] = []
    for detection, _ in masked:
        if spans and detection.start < spans[-1][1]:
            start, end, kinds = spans[-1]
            spans[-1] = (start, max(end, detection.end), kinds | {detection.kind})
        else:
            spans.append((detection.start, detection.end, {detection.kind}))
    return spans


def redact(
    text: str,
    detections: Sequence[Detection],
    *,
    keep: Collection[str] = frozenset(),
) -> Redaction:
    """Mask every detection in `text` that does not belong to the subject.

    `keep` holds the subject's person ids and normalised values (E.164
    phones, lower-case emails, ...). A detection attributed to another known
    person is masked even when its value is in `keep`. Overlapping masks are
    merged, and a kept detection that overlaps a masked one is masked too.
    """
    _check(text, detections)
    masked: list[tuple[Detection, str]] = []
    kept: list[Detection] = []
    for detection in detections:
        why = _why_redacted(detection, keep)
        if why is None:
            kept.append(detection)
        else:
            masked.append((detection, f"{why}: {detection.reason}"))
    # A kept detection overlapping a mask is masked too, which can widen the
    # mask onto further kept detections: repeat until nothing changes.
    while True:
        spans = _merge(sorted(masked, key=lambda item: (item[0].start, item[0].end)))
        covered = SpanSet()
        for start, end, _ in spans:
            covered.add(start, end)
        still_kept = []
        for detection in kept:
            if covered.overlaps(detection.start, detection.end):
                masked.append((detection, "overlaps data that is masked"))
            else:
                still_kept.append(detection)
        if len(still_kept) == len(kept):
            break
        kept = still_kept
    masked.sort(key=lambda item: (item[0].start, item[0].end))
    still_kept.sort(key=lambda d: (d.start, d.end))
    parts: list[str] = []
    cursor = 0
    for start, end, kinds in spans:
        parts.append(text[cursor:start])
        parts.append(mask_for(next(iter(kinds))) if len(kinds) == 1 else "[redacted]")
        cursor = end
    parts.append(text[cursor:])
    return Redaction(
        text="".join(parts),
        redacted=tuple(Decision(d.kind, d.start, d.end, why) for d, why in masked),
        kept=tuple(
            Decision(d.kind, d.start, d.end, "belongs to the subject")
            for d in still_kept
        ),
    )
