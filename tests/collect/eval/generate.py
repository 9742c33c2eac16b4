"""Generate the labelled evaluation set `messages.jsonl` (fixed seed).

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Every value is fake: phone numbers are random
numbers of valid formats (checked with `phonenumbers`), card numbers are the
brands' published test numbers or random Luhn-valid numbers, IBANs carry
correct check digits over random account numbers, IPs come from the
documentation ranges. Run ``python -m tests.collect.eval.generate`` to rewrite
the file; a test checks that the file matches this generator.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from typing import Any

import phonenumbers

from tests.collect.eval import fakes
from tests.collect.eval.templates import GREETINGS, NEGATIVE, POSITIVE, SIGNOFFS

SEED = 20180101
COUNT = 360
PATH = Path(__file__).with_name("messages.jsonl")

# locale -> (language, region used to read national phone numbers)
LOCALES: dict[str, tuple[str, str]] = {
    "en-US": ("en", "US"),
    "en-CA": ("en", "CA"),
    "fr-CA": ("fr", "CA"),
    "en-GB": ("en", "GB"),
    "de-DE": ("de", "DE"),
    "fr-FR": ("fr", "FR"),
    "es-ES": ("es", "ES"),
    "pt-BR": ("pt", "BR"),
}
CHANNELS = ("chat", "email", "ticket", "call-note")
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(rng: random.Random, template: str, locale: str, parts: list[Any]) -> None:
    """Append the pieces of one sentence: strings, or (kind, text, value)."""
    language, region = LOCALES[locale]
    cursor = 0
    for match in _PLACEHOLDER.finditer(template):
        parts.append(template[cursor : match.start()])
        name = match.group(1)
        if name in ("phone", "phone_bare"):
            text, value = fakes.phone(rng, region, bare=name == "phone_bare")
            parts.append(("phone", text, value))
        elif name in fakes.POSITIVE_MAKERS:
            kind, text, value = fakes.POSITIVE_MAKERS[name](rng, locale)
            parts.append((kind, text, value))
        else:
            parts.append(fakes.negative(rng, name, language))
        cursor = match.end()
    parts.append(template[cursor:])


def message(rng: random.Random, number: int) -> dict[str, Any]:
    """One labelled message: text plus the spans of its personal data."""
    locale = rng.choice(list(LOCALES))
    language, region = LOCALES[locale]
    channel = rng.choice(CHANNELS)
    sentences = rng.sample(POSITIVE[language], k=rng.randint(1, 3))
    sentences += rng.sample(NEGATIVE[language], k=rng.randint(0, 2))
    rng.shuffle(sentences)
    parts: list[Any] = []
    if channel == "email":
        parts.append(f"Subject: Re: [#{rng.randint(10000, 99999)}] {language}\n\n")
    elif channel == "chat":
        parts.append(f"[{rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}] customer: ")
    greeting = rng.choice(GREETINGS[language])
    if greeting:
        parts.append(greeting + ("\n" if channel == "email" else " "))
    separator = "\n" if channel in ("email", "ticket") else " "
    for index, sentence in enumerate(sentences):
        if index:
            parts.append(separator)
        _fill(rng, sentence, locale, parts)
    signoff = rng.choice(SIGNOFFS[language])
    if signoff:
        parts.append(("\n\n" if channel == "email" else " ") + signoff)
    text = ""
    spans: list[dict[str, Any]] = []
    for part in parts:
        if isinstance(part, str):
            text += part
            continue
        kind, piece, value = part
        spans.append(
            {
                "kind": kind,
                "start": len(text),
                "end": len(text) + len(piece),
                "value": value,
            }
        )
        text += piece
    return {
        "id": f"m{number:04d}",
        "locale": locale,
        "region": region,
        "channel": channel,
        "text": text,
        "spans": spans,
    }


def generate() -> list[dict[str, Any]]:
    """The whole evaluation set, the same on every run."""
    rng = random.Random(SEED)
    messages = [message(rng, number) for number in range(1, COUNT + 1)]
    for item in messages:
        for span in item["spans"]:
            if span["kind"] == "phone":
                parsed = phonenumbers.parse(span["value"])
                assert phonenumbers.is_valid_number(parsed)
    return messages


def render(messages: list[dict[str, Any]]) -> str:
    """The JSON Lines text of `messages`, one message a line."""
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in messages)


if __name__ == "__main__":
    PATH.write_text(render(generate()), encoding="utf-8")
