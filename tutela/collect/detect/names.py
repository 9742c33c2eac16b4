"""Names of people the store does not know, in free text.

Policy clause: "Information a person voluntarily gives us ... in a chat,
email, phone call, service ticket". A message names people who are nobody
the store knows ("Madison Garcia at our old carrier"); a subject's export
must not hand their names over. `KnownPeople` finds the people the store
holds; this finds the rest: a capitalised given name (from the name
dictionary of `gender-guesser`, about 45,000 given names of many countries)
followed by a capitalised word. It prefers masking too much (a street
named after someone) to too little.
"""

from __future__ import annotations

import functools
import re

import gender_guesser.detector as gender

from tutela.collect.detect.model import Detection
from tutela.collect.detect.people import fold

_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_GAP = re.compile(r"[ \t]{1,3}")
# Words that open a sentence or a greeting and happen to be in the name list.
_NOT_NAMES = frozenset(
    """the hi hey hello dear thanks thank please regards best cheers any our my
    your his her their this that these and or but if on at in to for from with
    by of a an is it we you he she they can could would should see call ask new
    old mr mrs ms dr sir madam team kind warm good morning evening afternoon""".split()
)


@functools.cache
def _given_names() -> gender.Detector:
    return gender.Detector(case_sensitive=False)


def _capitalised(word: str) -> bool:
    return word[0].isupper() and not word.isupper()


def is_given_name(word: str) -> bool:
    """Whether `word` is a given name in the dictionary (and not a common word)."""
    if fold(word) in _NOT_NAMES:
        return False
    return bool(_given_names().get_gender(word) != "unknown")


def find_names(text: str) -> list[Detection]:
    """Given name + capitalised surname pairs ("Madison Garcia"), of anyone."""
    words = list(_WORD.finditer(text))
    found: list[Detection] = []
    index = 0
    while index < len(words) - 1:
        first, last = words[index], words[index + 1]
        gap = text[first.end() : last.start()]
        pair = (
            _GAP.fullmatch(gap)
            and _capitalised(first.group(0))
            and _capitalised(last.group(0))
            and len(last.group(0)) > 1
            and fold(last.group(0)) not in _NOT_NAMES
            and is_given_name(first.group(0))
        )
        if not pair:
            index += 1
            continue
        span = text[first.start() : last.end()]
        found.append(
            Detection(
                kind="person",
                start=first.start(),
                end=last.end(),
                text=span,
                value=fold(span),
                reason="a given name and a surname of someone the store does not know",
            )
        )
        index += 2
    return found


__all__ = ["find_names", "is_given_name"]
