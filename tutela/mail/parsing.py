"""Read one message to the legal address, whatever it holds, without surprises.

Clauses: rights.access.request (every message to legal@ is read: a hostile
one is refused with a reason, never a traceback) and
rights.access.verification (the receiving server's authentication results
decide how far a From address is trusted).

Parsing uses the standard `email` package (`policy.default`, which decodes
RFC 2047 words), bounded first: a message with more than `MAX_CONTAINERS`
multipart or message parts (MIME nested 1,000 deep overflows the parser's
stack), more than `MAX_PARTS` parts or a header section over
`MAX_HEADER_BYTES` is refused with `MalformedMessage`, which says why;
intake keeps such a message in quarantine. A header we interpret is skipped
when it is over `MAX_HEADER_CHARS` or does not parse; the message stays.

Header text is repaired, not refused: raw UTF-8 (RFC 6532, as in
`josé@example.es`) is decoded; bytes that are not UTF-8 become U+FFFD; NUL
and other control characters go. An address with a replaced byte, a
control character or white space is no address (the message is kept
without a sender).

Authentication-Results (RFC 8601, parsed with `authres`): a sender can
write such a header, so only one added by a server we trust counts: the
topmost header whose authserv-id is in `trusted` (the receiving MTA's,
`Settings.trusted_authserv_id`, or `tutela sar smtp`'s own; see
`tutela.mail.authentication`). Headers from anyone else, above or below
it, are ignored; with no trusted header the message is unauthenticated
(nothing failed, nothing passed). In the trusted header, any `fail` (or SPF
`softfail`) of DMARC, DKIM or SPF wins over a `pass` of the same method,
and a DMARC `pass` counts only for the domain of the From address read
here (its `header.from`): a result about another domain (a second From
header, an address two parsers read differently) proves nothing about
this sender. A trusted header that does not parse yields every `fail` it
visibly contains and never a `pass`.
"""

from __future__ import annotations

import email.errors
import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from typing import Final

import authres

from tutela.errors import InvalidInput

MAX_CONTAINERS: Final = 64
MAX_PARTS: Final = 2000
MAX_HEADER_BYTES: Final = 256 * 1024
MAX_HEADER_CHARS: Final = 16 * 1024
MAX_BODY_CHARS: Final = 64 * 1024
MAX_BODY_LINES: Final = 5

_MSGID = re.compile(r"<[^<>\s\x00-\x1f\x7f]{1,900}>")
_LOOSE_FAIL = re.compile(r"\b(dmarc|dkim|spf)\s*=\s*(fail|softfail)\b", re.IGNORECASE)
_LOOSE_ID = re.compile(r"^\s*(?:\([^()]*\)\s*)*([^\s;()]+)")
_FAILED = frozenset({"fail", "softfail"})
_METHODS = frozenset({"dmarc", "dkim", "spf"})
_CONTAINER = re.compile(
    rb"^content-type:[ \t]*(?:\r?\n[ \t]+)?(?:multipart|message)/", re.I | re.M
)
_PART = re.compile(rb"^content-type:", re.I | re.M)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Errors the standard library raises on input it cannot make sense of.
PARSE_ERRORS: Final = (
    email.errors.MessageError,
    ValueError,
    LookupError,
    TypeError,
    AttributeError,
    AssertionError,
)


class MalformedMessage(InvalidInput):
    """A message the parser will not read: kept in quarantine with this reason."""

    status = 422


@dataclass(frozen=True)
class Parsed:
    message_id: str
    sender: str | None
    subject: str | None
    refs: list[str]
    auth_failures: list[str]
    dmarc_pass: bool
    first_lines: list[str]
    auto_submitted: bool


def check_structure(raw: bytes, where: str) -> None:
    """Refuse, before parsing, what would exhaust the parser (see module doc)."""
    end = _HEADER_END.search(raw, 0, MAX_HEADER_BYTES + 4)
    if end is None and len(raw) > MAX_HEADER_BYTES:
        raise MalformedMessage(
            f"the header section is over {MAX_HEADER_BYTES} bytes", file=where
        )
    containers = len(_CONTAINER.findall(raw))
    if containers > MAX_CONTAINERS:
        raise MalformedMessage(
            f"more than {MAX_CONTAINERS} multipart or message parts "
            "(MIME nested too deep)",
            file=where,
            field="Content-Type",
        )
    if len(_PART.findall(raw)) > MAX_PARTS:
        raise MalformedMessage(
            f"more than {MAX_PARTS} MIME parts", file=where, field="Content-Type"
        )


def text_of(value: str) -> str:
    """Header text as Unicode: raw UTF-8 decoded, other bytes U+FFFD, no controls."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raw = value.encode("utf-8", "surrogateescape")
        value = raw.decode("utf-8", "replace")
    return _CONTROL.sub(" ", value.replace("\x00", ""))


def clean_address(value: str) -> str | None:
    """A usable address (NFC, lower case), or None for anything doubtful."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        try:
            value = value.encode("utf-8", "surrogateescape").decode("utf-8")
        except UnicodeDecodeError:
            return None
    spec = unicodedata.normalize("NFC", value).strip().lower()
    local, at, domain = spec.rpartition("@")
    if not at or not local or "." not in domain or len(spec) > 320:
        return None
    if any(c.isspace() or unicodedata.category(c) in ("Cc", "Cs", "Cf") for c in spec):
        return None
    return spec


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: object) -> None:
        if tag in ("script", "style", "head", "title"):
            self._skip += 1
        elif tag in ("br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "title") and self._skip:
            self._skip -= 1
        elif tag in ("p", "div", "li", "tr", "h1", "h2", "h3", "h4"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def _body_lines(msg: EmailMessage) -> list[str]:
    try:
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            return []
        try:
            content = part.get_content()
        except PARSE_ERRORS:
            payload = part.get_payload(decode=True)
            content = (
                payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
            )
        if not isinstance(content, str):
            return []
        content = text_of(content[:MAX_BODY_CHARS])
        if part.get_content_subtype() == "html":
            content = html_text(content)
    except PARSE_ERRORS:
        return []  # an unreadable body still leaves the subject to route by
    lines = [line.strip() for line in content.splitlines() if line.strip()]
    return lines[:MAX_BODY_LINES]


def body_text(raw: bytes, *, limit: int = MAX_BODY_CHARS) -> str:
    """The readable text of a message (plain, or text from HTML), bounded, for staff."""
    check_structure(raw, "<message>")
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(msg, EmailMessage)
        part = msg.get_body(preferencelist=("plain", "html"))
        if part is None:
            return ""
        content = part.get_content()
        if not isinstance(content, str):
            return ""
        content = text_of(content[:limit])
        return html_text(content) if part.get_content_subtype() == "html" else content
    except RecursionError:
        raise MalformedMessage("MIME structure nested too deep to parse") from None
    except PARSE_ERRORS:
        return ""


def _raw_headers(msg: EmailMessage, name: str, *, truncate: bool = False) -> list[str]:
    """Raw values in order; over-long ones skipped (or, to keep order, cut)."""
    wanted = name.lower()
    return [
        value.replace("\r", "").replace("\n", "")[:MAX_HEADER_CHARS]
        for key, value in msg.raw_items()
        if key.lower() == wanted and (truncate or len(value) <= MAX_HEADER_CHARS)
    ]


def _header(msg: EmailMessage, name: str) -> str | None:
    raw = _raw_headers(msg, name)
    if not raw:
        return None
    try:
        value = policy.default.header_fetch_parse(name, raw[0])
    except PARSE_ERRORS:
        return None
    return text_of(str(value)).strip()


def _sender(msg: EmailMessage) -> str | None:
    raw = _raw_headers(msg, "From")
    if not raw:
        return None
    try:
        header = policy.default.header_fetch_parse("From", raw[0])
        addresses = getattr(header, "addresses", ())
        specs = [str(address.addr_spec) for address in addresses]
    except PARSE_ERRORS:
        return None
    for spec in specs:
        found = clean_address(spec)
        if found is not None:
            return found
    return None


def authserv_id(value: str) -> str | None:
    """The authserv-id an Authentication-Results value names (lower case)."""
    try:
        parsed = authres.AuthenticationResultsHeader.parse_value(value)
        return str(parsed.authserv_id).strip().lower() or None
    except (authres.core.AuthResError, *PARSE_ERRORS):
        found = _LOOSE_ID.match(value)
        return found.group(1).lower() if found else None


def _domain(value: str) -> str:
    """A domain as compared: lower case, A-labels (IDNA) where it converts."""
    value = value.strip().strip(".").lower()
    try:
        return value.encode("idna").decode("ascii")
    except UnicodeError:
        return value


def _about(result: object, domain: str | None) -> bool:
    """Whether a DMARC result names `domain` as its header.from."""
    if domain is None:
        return False
    for prop in getattr(result, "properties", []) or []:
        if str(prop.type).lower() == "header" and str(prop.name).lower() == "from":
            return _domain(str(prop.value).rpartition("@")[2]) == _domain(domain)
    return False


def auth_results(
    headers: Iterable[str],
    *,
    trusted: Collection[str] = (),
    sender: str | None = None,
) -> tuple[list[str], bool]:
    """(failed methods, dmarc passed for `sender`) from the topmost trusted header."""
    wanted = {t.strip().lower() for t in trusted}
    domain = sender.rpartition("@")[2] if sender and "@" in sender else None
    for header in headers:
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(header)
            server = str(parsed.authserv_id).strip().lower()
            results = [
                (str(r.method).lower(), str(r.result).lower(), r)
                for r in parsed.results
            ]
        except (authres.core.AuthResError, *PARSE_ERRORS):
            if authserv_id(header) not in wanted:
                continue  # somebody else's header, however broken
            loose = {m.lower() for m, _ in _LOOSE_FAIL.findall(header)}
            return sorted(loose), False
        if server not in wanted:
            continue
        failures = sorted({m for m, r, _ in results if m in _METHODS and r in _FAILED})
        dmarc_pass = any(
            m == "dmarc" and r == "pass" and _about(found, domain)
            for m, r, found in results
        )
        return failures, dmarc_pass and not failures
    return [], False


def _auto_submitted(msg: EmailMessage) -> bool:
    """RFC 3834: never answer an automatic message (no loops, no backscatter)."""
    auto = (_header(msg, "Auto-Submitted") or "no").strip().lower()
    precedence = (_header(msg, "Precedence") or "").strip().lower()
    return_path = (_header(msg, "Return-Path") or "").strip()
    return (
        not auto.startswith("no")
        or precedence in ("bulk", "junk", "list")
        or _header(msg, "List-Id") is not None
        or return_path == "<>"
    )


def parse(
    raw: bytes, *, where: str = "<message>", trusted: Collection[str] = ()
) -> Parsed:
    """Parse one RFC 5322 message; `MalformedMessage` says why one cannot be.

    `trusted`: the authserv-ids whose Authentication-Results count (none by
    default: the message is then unauthenticated).
    """
    check_structure(raw, where)
    try:
        return _parse(raw, trusted)
    except RecursionError:
        raise MalformedMessage(
            "MIME structure nested too deep to parse", file=where, field="Content-Type"
        ) from None
    except PARSE_ERRORS as exc:
        raise MalformedMessage(
            f"the message cannot be parsed ({type(exc).__name__})", file=where
        ) from None


def _parse(raw: bytes, trusted: Collection[str]) -> Parsed:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    found = _MSGID.search(_header(msg, "Message-ID") or "")
    message_id = (
        found.group(0)
        if found
        else f"<{hashlib.sha256(raw).hexdigest()}@tutela.invalid>"
    )
    refs: list[str] = []
    for name in ("In-Reply-To", "References"):
        refs += _MSGID.findall(_header(msg, name) or "")
    sender = _sender(msg)
    failures, dmarc_pass = auth_results(
        (
            text_of(h)
            for h in _raw_headers(msg, "Authentication-Results", truncate=True)
        ),
        trusted=trusted,
        sender=sender,
    )
    subject = _header(msg, "Subject")
    return Parsed(
        message_id=message_id,
        sender=sender,
        subject=subject[:998] if subject else None,
        refs=list(dict.fromkeys(refs))[:50],
        auth_failures=failures,
        dmarc_pass=dmarc_pass,
        first_lines=_body_lines(msg),
        auto_submitted=_auto_submitted(msg),
    )
