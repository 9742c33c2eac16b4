"""Find email addresses in free text.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". An address typed into a message is personal data
of whoever owns it; the value is the address in lower case so that it can be
compared with the addresses the store knows.
"""

from __future__ import annotations

import re

from tutela.collect.detect.model import Detection

# Local part: letters (any script), digits and the usual punctuation; no leading,
# trailing or doubled dot. Domain: labels of letters/digits/hyphens and a
# top-level label of at least two letters. Bounded repetitions keep a hostile
# input (a megabyte of "a.a.a.") linear.
_LOCAL = r"[\w%+'-]{1,64}(?:\.[\w%+'-]{1,64}){0,16}"
_LABEL = r"[^\W_](?:[\w-]{0,61}[^\W_])?"
_EMAIL = re.compile(
    rf"(?<![\w.%+'@-])(?P<local>{_LOCAL})@(?P<domain>(?:{_LABEL}\.){{1,8}}"
    rf"[^\W\d_]{{2,24}})(?![\w@-]|\.[^\W_])"
)


def find_emails(text: str) -> list[Detection]:
    """Return every email address in `text`, normalised to lower case."""
    found: list[Detection] = []
    for match in _EMAIL.finditer(text):
        raw = match.group(0)
        if len(match.group("local")) > 64 or len(raw) > 254:
            continue
        found.append(
            Detection(
                kind="email",
                start=match.start(),
                end=match.end(),
                text=raw,
                value=raw.lower(),
                reason="email address pattern (local@domain.tld)",
            )
        )
    return found
