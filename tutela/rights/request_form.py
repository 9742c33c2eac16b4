"""What a web or API access request states: who asks, for what, under which law.

Clauses: rights.access.request (a request names the requester and what is
asked for; the web form asks for it) and the deadline rules of
`tutela.rights.deadlines` (the requester's jurisdiction sets how fast the
answer is due; unknown means the shortest rule).

`clean_request` checks every field and reports every problem at once, each
naming its field and never quoting the value.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Final

from tutela.errors import InvalidInput
from tutela.rights.kinds import Kind, check_kind

# value -> what the form shows
REQUEST_KINDS: Final = {
    "copy": "A copy of the personal information Jive holds about me",
    "categories": "What kinds of personal information Jive holds about me, "
    "where it came from and to whom it was disclosed",
    "erasure": "The personal information Jive holds about me to be deleted",
    "correction": "Personal information Jive holds about me to be corrected",
}
# value -> the kind of case it opens (`tutela.rights.kinds`)
CASE_KIND: Final[dict[str, Kind]] = {
    "copy": "access",
    "categories": "access",
    "erasure": "erasure",
    "correction": "correction",
}
# value -> label; "" is "I do not know / another place" (shortest deadline).
JURISDICTIONS: Final = {
    "US-CA": "United States: California",
    "US": "United States: another state",
    "CA": "Canada",
    "GB": "United Kingdom",
    "EU": "European Union or EEA country",
    "": "Another place, or I do not know",
}
MAX_NAME = 200
# What the form and the API accept as an address (`receive_request` cleans it).
FORM_ADDRESS: Final = re.compile(r"[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,63}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


@dataclass(frozen=True)
class RequestDetails:
    name: str | None
    requested: str
    jurisdiction: str | None

    @property
    def kind(self) -> Kind:
        """The kind of case this request opens."""
        return CASE_KIND[self.requested]


def clean_request(
    *,
    name: str | None,
    requested: str | None,
    jurisdiction: str | None,
    email: str | None = None,
    kind: str | None = None,
) -> RequestDetails:
    """The checked details; InvalidInput listing every field that is wrong.

    `email`, when given, is checked too, so a form hears of every problem at once.
    `kind` (access, erasure or correction: the API's and older forms' field)
    may stand for `requested`; given both, they must agree.
    """
    problems: list[tuple[str, str]] = []
    if email is not None and not FORM_ADDRESS.fullmatch(email.strip()):
        problems.append(("email", "is not an e-mail address"))
    clean_name = unicodedata.normalize("NFC", name or "").strip() or None
    if clean_name is not None and (
        len(clean_name) > MAX_NAME or _CONTROL.search(clean_name)
    ):
        problems.append(("name", f"is not a name (at most {MAX_NAME} characters)"))
    chosen = (requested or "").strip()
    if kind is not None and kind.strip():
        try:
            case_kind = check_kind(kind)
        except InvalidInput as wrong:
            problems.append(("kind", wrong.reason))
        else:
            if not chosen:
                chosen = "copy" if case_kind == "access" else case_kind
            elif CASE_KIND.get(chosen, case_kind) != case_kind:
                problems.append(("kind", "does not match what is requested"))
    chosen = chosen or "copy"
    if chosen not in REQUEST_KINDS:
        problems.append(("requested", "is not one of the choices offered"))
    place = (jurisdiction or "").strip().upper()
    if place not in JURISDICTIONS:
        problems.append(("jurisdiction", "is not one of the choices offered"))
    if problems:
        field, reason = problems[0]
        raise InvalidInput(
            reason,
            field=field,
            errors=[f"{where}: {why}" for where, why in problems],
        )
    return RequestDetails(clean_name, chosen, place or None)
