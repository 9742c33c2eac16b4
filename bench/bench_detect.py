"""Benchmark the free-text detectors on the labelled evaluation set.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Prints one JSON document: precision and recall
per kind (with the message's region first, and with the default regions
only), messages per second of `scan` against a bare combined-regex pass over
the same messages in the same run, and, when `presidio-analyzer` is
importable, the same figures for Presidio's pattern recognizers (used
directly: no spaCy model is downloaded).

Run: .venv/bin/python bench/bench_detect.py
"""

from __future__ import annotations

import ipaddress
import json
import re
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import phonenumbers  # noqa: E402

from tests.collect.eval.scoring import (  # noqa: E402
    Message,
    Score,
    evaluate,
    known_people,
    load_messages,
    scan_with_region,
)
from tutela.collect.detect import Detection, Kind, scan  # noqa: E402

BASELINE = re.compile(
    r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # email
    r"|\+?\d[\d ().-]{7,}\d"  # phone, card, long digit runs
    r"|\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){3,7}"  # IBAN-ish
    r"|\b\d{1,3}(?:\.\d{1,3}){3}\b"  # IPv4
)
ROUNDS = 5


def table(scores: dict[str, Score]) -> dict[str, dict[str, float | int]]:
    return {
        kind: {
            "precision": round(score.precision, 4),
            "recall": round(score.recall, 4),
            "tp": score.true_positives,
            "fp": score.false_positives,
            "fn": score.false_negatives,
        }
        for kind, score in scores.items()
    }


def rate(run: Callable[[Message], object], messages: list[Message]) -> float:
    """Messages per second of `run`, best of a few rounds."""
    best = float("inf")
    for _ in range(ROUNDS):
        began = time.perf_counter()
        for message in messages:
            run(message)
        best = min(best, time.perf_counter() - began)
    return len(messages) / best


def presidio_predict() -> Callable[[Message], list[Detection]] | None:
    """Presidio's pattern recognizers as a predictor, or None if not installed."""
    try:
        from presidio_analyzer.predefined_recognizers import (  # type: ignore[import-not-found]
            CreditCardRecognizer,
            EmailRecognizer,
            IbanRecognizer,
            IpRecognizer,
            PhoneRecognizer,
        )
    except ImportError:
        return None
    regions = ("US", "CA", "GB", "DE", "FR", "ES", "BR")
    recognizers: list[tuple[Any, str, Kind]] = [
        (PhoneRecognizer(supported_regions=regions), "PHONE_NUMBER", "phone"),
        (EmailRecognizer(), "EMAIL_ADDRESS", "email"),
        (CreditCardRecognizer(), "CREDIT_CARD", "card"),
        (IbanRecognizer(), "IBAN_CODE", "iban"),
        (IpRecognizer(), "IP_ADDRESS", "ip"),
    ]

    def normalise(kind: Kind, raw: str, region: str) -> str:
        if kind == "phone":
            try:
                number = phonenumbers.parse(raw, region)
            except phonenumbers.NumberParseException:
                return raw
            return phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.E164
            )
        if kind == "card":
            return re.sub(r"\D", "", raw)
        if kind == "iban":
            return raw.replace(" ", "").upper()
        if kind == "ip":
            try:
                return ipaddress.ip_address(raw).compressed
            except ValueError:
                return raw
        return raw.lower()

    def predict(message: Message) -> list[Detection]:
        found: list[Detection] = []
        for recognizer, entity, kind in recognizers:
            for result in recognizer.analyze(message.text, [entity], None):
                raw = message.text[result.start : result.end]
                found.append(
                    Detection(
                        kind,
                        result.start,
                        result.end,
                        raw,
                        normalise(kind, raw, message.region),
                        "presidio",
                    )  # fmt: skip
                )
        return found

    return predict


def main() -> None:
    messages = load_messages()
    people = known_people()
    ours = scan_with_region(people)

    def no_hint(message: Message) -> Iterable[Detection]:
        return scan(message.text, people=people)

    def baseline(message: Message) -> object:
        return BASELINE.findall(message.text)

    ours_rate = rate(ours, messages)
    baseline_rate = rate(baseline, messages)
    report: dict[str, Any] = {
        "messages": len(messages),
        "labelled_spans": sum(len(message.spans) for message in messages),
        "tutela": {
            "with_region_hint": table(evaluate(ours, messages)),
            "default_regions_only": table(evaluate(no_hint, messages)),
        },
        "speed": {
            "scan_messages_per_second": round(ours_rate, 1),
            "bare_regex_messages_per_second": round(baseline_rate, 1),
            "ratio_scan_to_regex": round(ours_rate / baseline_rate, 4),
        },
    }
    presidio = presidio_predict()
    if presidio is None:
        report["presidio"] = "presidio-analyzer is not installed"
    else:
        kinds = ("phone", "email", "card", "iban", "ip")
        report["presidio"] = {
            "scores": table(evaluate(presidio, messages, kinds)),
            "messages_per_second": round(rate(presidio, messages), 1),
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
