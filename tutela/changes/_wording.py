"""When a changed sentence is only editorial, and so not a material change.

Clause: changes.notice (notice of *changes*: a reworded sentence may change
what is promised, so the diff counts it material unless this rule shows it
is not). A change is editorial when the two sentences are the same words in
the same order once case, whitespace, punctuation and typographic variants
(curly quotes, dashes, non-breaking spaces) are set aside. Anything else (a
word added, dropped, replaced or moved) is material.
"""

from __future__ import annotations

import re
import unicodedata

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


def words(text: str) -> list[str]:
    """The sentence's words, case-folded, apostrophes made plain."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("’", "'")
    return _WORD.findall(folded)


def is_editorial(before: str, after: str) -> bool:
    """Whether `after` differs from `before` only in case, spacing or punctuation."""
    return words(before) == words(after)
