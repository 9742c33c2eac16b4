"""Load the labelled evaluation set and score a detector on it.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". A detection counts as found (true positive) when
it overlaps a labelled span of the same kind and has the same normalised
value; each labelled span can be found once. Anything else reported is a
false positive, any labelled span not found a false negative.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tests.collect.eval.fakes import KNOWN_PEOPLE
from tutela.collect.detect import KINDS, Detection, KnownPeople, KnownPerson, scan

PATH = Path(__file__).with_name("messages.jsonl")


@dataclass(frozen=True, slots=True)
class Span:
    kind: str
    start: int
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class Message:
    id: str
    locale: str
    region: str
    channel: str
    text: str
    spans: tuple[Span, ...]


@dataclass(slots=True)
class Score:
    """Counts for one kind, with precision and recall."""

    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        reported = self.true_positives + self.false_positives
        return self.true_positives / reported if reported else 1.0

    @property
    def recall(self) -> float:
        labelled = self.true_positives + self.false_negatives
        return self.true_positives / labelled if labelled else 1.0


def load_messages(path: Path = PATH) -> list[Message]:
    """Every message of the evaluation set, in file order."""
    messages = []
    for line in path.read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        spans = tuple(Span(**span) for span in item.pop("spans"))
        messages.append(Message(spans=spans, **item))
    return messages


def known_people() -> KnownPeople:
    """The index of the people the evaluation set treats as known."""
    return KnownPeople(
        KnownPerson(pid, name, (email,), (phone,))
        for pid, name, email, phone in KNOWN_PEOPLE
    )


Predict = Callable[[Message], Iterable[Detection]]


def scan_with_region(people: KnownPeople | None = None) -> Predict:
    """`scan` with the message's region first, as the store would call it."""

    def predict(message: Message) -> list[Detection]:
        return scan(
            message.text,
            regions=(message.region, "US", "CA", "GB", "DE", "FR", "ES", "BR"),
            people=people,
        )

    return predict


def evaluate(
    predict: Predict, messages: Sequence[Message], kinds: Iterable[str] = KINDS
) -> dict[str, Score]:
    """Precision and recall per kind of `predict` over `messages`."""
    scores = {kind: Score() for kind in kinds}
    for message in messages:
        unmatched = [span for span in message.spans if span.kind in scores]
        for detection in predict(message):
            if detection.kind not in scores:
                continue
            score = scores[detection.kind]
            hit = next(
                (
                    span
                    for span in unmatched
                    if span.kind == detection.kind
                    and span.value == detection.value
                    and span.start < detection.end
                    and detection.start < span.end
                ),
                None,
            )
            if hit is None:
                score.false_positives += 1
                score.misses.append(f"{message.id} FP {detection.text!r}")
            else:
                unmatched.remove(hit)
                score.true_positives += 1
        for span in unmatched:
            scores[span.kind].false_negatives += 1
            text = message.text[span.start : span.end]
            scores[span.kind].misses.append(f"{message.id} FN {text!r}")
    return scores
