"""Match the policy's headings robustly: which route a message to legal@ takes.

Clauses: rights.access.request ("send an email to legal@jive.com under the
heading 'Subject Access Request'") and changes.subscribe ("under the heading
'Request for Privacy Policy Updates'").

A heading matches when, after normalisation, the subject line *is* the
heading or *starts with* it followed by a separator (``:``, ``-``, ``–``,
``—``, ``|``, ``(``, ``[``, ``#``). Normalisation: RFC 2047 encoded words are
already decoded by ``email.policy.default``; Unicode NFKC; case folded;
quotes stripped; runs of white space collapsed; reply and forward prefixes
removed, repeatedly (``Re:``, ``RE[2]:``, ``Fwd:``, ``Fw:``, ``FW:``,
``AW:``, ``WG:``, ``SV:``, ``VS:``, ``TR:``, ``RV:``, ``Antw:``, ``Doorst:``)
and mailing-list tags like ``[EXT]``.

Near misses (`inbox_flag`): a general message whose heading (the subject;
the first body line when the subject is empty) reads like a request for
access ("Data Subject Access Request", "Request for access to my personal
data (GDPR Art. 15)", "DSAR", "Auskunftsersuchen nach Art. 15 DSGVO", ...)
is flagged `probable_access`: the law's deadline runs from its arrival
whatever words were used, so staff see it first. One that asks to stop
policy-update mail ("Unsubscribe", "Stop privacy policy updates") is
flagged `unsubscribe`.

Decision: if the subject matches neither heading, the first non-empty line
of the body (plain text, or text extracted from HTML) is tried the same way,
because some people put the heading as the first line of the message and
leave the subject empty or generic. Only the first line counts, so a
question that merely mentions the phrase later stays in the general inbox.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Literal

Route = Literal["access_request", "policy_updates", "general"]
Flag = Literal["probable_access", "unsubscribe"]

ACCESS_HEADING = "Subject Access Request"
UPDATES_HEADING = "Request for Privacy Policy Updates"

_PREFIX = re.compile(
    r"^(?:(?:re|fwd?|fw|aw|wg|sv|vs|tr|rv|antw|doorst|odp|r)\s*(?:\[\d+\]|\(\d+\))?"
    r"\s*[:：]|\[[^\]]{0,40}\])\s*",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’«»„‚`"
_SEPARATORS = ":-–—|([#,;."


def normalise(text: str) -> str:
    """Fold a subject or line for comparison (see the module docstring)."""
    folded = unicodedata.normalize("NFKC", text)
    folded = " ".join(folded.split()).casefold()
    while True:
        stripped = folded.strip().strip(_QUOTES).strip()
        stripped = _PREFIX.sub("", stripped, count=1)
        if stripped == folded:
            return folded
        folded = stripped


def _starts_with_heading(text: str, heading: str) -> bool:
    norm = normalise(text)
    target = normalise(heading)
    if norm == target:
        return True
    if not norm.startswith(target):
        return False
    rest = norm[len(target) :].lstrip().lstrip(_QUOTES).lstrip()
    return rest == "" or rest[0] in _SEPARATORS


def route_of(
    subject: str | None,
    first_lines: Iterable[str] = (),
    *,
    access_heading: str = ACCESS_HEADING,
    updates_heading: str = UPDATES_HEADING,
) -> Route:
    """The route for a message: subject first, then the body's first line.

    The headings come from the policy (`meaning.access_request.heading`,
    `meaning.change_procedure.heading`); the defaults are the shipped ones.
    """
    candidates = [subject or ""]
    for line in first_lines:
        if line.strip():
            candidates.append(line)
            break
    for text in candidates:
        if _starts_with_heading(text, access_heading):
            return "access_request"
        if _starts_with_heading(text, updates_heading):
            return "policy_updates"
    return "general"


# Phrases (after `normalise`) that ask for access in other words or languages.
_ACCESS_WORDS = re.compile(
    r"\b(?:"
    r"(?:data )?subject access|access requests?|dsars?|sars?|"
    r"right (?:of|to) access|access (?:to|of) (?:my|our|the) (?:personal )?"
    r"(?:data|information|info|records?)|"
    r"(?:copy|copies) of (?:my|our|all) (?:personal )?(?:data|information|info)|"
    r"(?:what|which) (?:personal )?(?:data|information) (?:do )?you (?:hold|have|keep)|"
    r"(?:personal )?data access|request to know|right to know|"
    r"art(?:icle|\.)? ?15|"
    r"auskunft\w*|droit d.acc[eè]s|derecho de acceso|diritto di accesso|"
    r"inzage\w*|direito de acesso|prawo dost[eę]pu"
    r")\b"
)
_UNSUBSCRIBE_WORDS = re.compile(
    r"\b(?:unsubscribe|un-subscribe|abmelden|d[eé]sabonner|"
    r"(?:stop|cancel|end|remove me from|opt out of|no more) "
    r"(?:the )?(?:privacy )?(?:policy )?(?:update|notification|notice)s?)\b"
)
_NEGATED = re.compile(r"\b(?:not|no|never|don.t|isn.t)\b")


def inbox_flag(subject: str | None, first_lines: Iterable[str] = ()) -> Flag | None:
    """Why a general message needs a look: a near-miss access request or an unsubscribe."""
    heading = subject or ""
    if not heading.strip():
        heading = next((line for line in first_lines if line.strip()), "")
    text = normalise(heading)[:300]
    if _UNSUBSCRIBE_WORDS.search(text):
        return "unsubscribe"
    if _ACCESS_WORDS.search(text) and not _NEGATED.search(text):
        return "probable_access"
    return None
