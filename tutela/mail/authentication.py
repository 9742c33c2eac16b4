"""Authentication-Results nobody but us wrote: what the legal address may trust.

Clauses: rights.access.verification (a From address is trusted only as far
as the receiving side's own SPF, DKIM and DMARC results say) and
changes.subscribe (a stranger cannot subscribe or unsubscribe somebody
else by writing their address in From).

An Authentication-Results header (RFC 8601) is only text in the message:
whoever sends a message can write one saying `dmarc=pass`. So results are
trusted from two places only, each named by its authserv-id:

- the receiving MTA in front of Tutela, `Settings.trusted_authserv_id`
  (that MTA removes such headers arriving from outside, RFC 8601 §5, and
  adds its own on top: only the topmost header with its id counts);
- `tutela sar smtp` itself (`LISTENER_AUTHSERV_ID`), for mail it received.

`tutela sar smtp` is the receiving edge: on arrival it removes every
Authentication-Results header but those carrying the trusted MTA's id
(`strip_untrusted`). When none is left it checks the message itself
(`authenticate`) with the libraries that implement the standards: SPF
with pyspf (the connecting address, MAIL FROM and HELO), every DKIM
signature with dkimpy, and DMARC (the policy record of the From domain,
its organisational domain from the public suffix list, and the alignment
of a passing SPF or DKIM identity) with authheaders; it adds its result on
top of the message under its own id. Mail read from files (`tutela sar
intake`) trusts the configured MTA's header only (`trusted_ids`).

A DNS failure is a `temperror`, never a pass. The libraries look names up
with dnspython; `txt` (a function from a name to its TXT record) replaces
that for DKIM and DMARC, and pyspf's own lookup hook (`spf.DNSLookup`)
serves SPF.
"""

from __future__ import annotations

import copy
import functools
import importlib.resources
import logging
import re
from collections.abc import Callable, Collection
from typing import Any, Final

import authheaders
import authres
import authres.dmarc
import dkim
import spf
from authheaders.dmarc_lookup import DMARCException
from publicsuffix2 import PublicSuffixList

from tutela.config import Settings
from tutela.mail.parsing import authserv_id

log = logging.getLogger(__name__)

LISTENER_AUTHSERV_ID: Final = "tutela-smtp.invalid"
MAX_SIGNATURES: Final = 5
SPF_SECONDS: Final = 20
DKIM_SECONDS: Final = 5
# A function from a DNS name to its TXT record (several strings joined).
TxtLookup = Callable[[str], str | None]

_FIELD = re.compile(rb"^([^:\s][^:]*?)[ \t]*:", re.S)
_HEADER_END = re.compile(rb"\r?\n\r?\n")


def trusted_ids(settings: Settings, channel: str) -> frozenset[str]:
    """The authserv-ids whose results count for mail that came in on `channel`."""
    ids = set()
    if settings.trusted_authserv_id:
        ids.add(settings.trusted_authserv_id.strip().lower())
    if channel == "smtp":
        ids.add(LISTENER_AUTHSERV_ID)
    return frozenset(ids)


def _fields(head: bytes) -> list[bytes]:
    """Header fields in order, each with its folded continuation lines."""
    fields: list[bytes] = []
    for line in head.splitlines(keepends=True):
        if fields and line[:1] in (b" ", b"\t"):
            fields[-1] += line
        else:
            fields.append(line)
    return fields


def _is_results(field: bytes) -> str | None:
    """The value of an Authentication-Results field (unfolded), else None."""
    found = _FIELD.match(field)
    if found is None or found.group(1).strip().lower() != b"authentication-results":
        return None
    value = field[found.end() :].replace(b"\r", b"").replace(b"\n", b"")
    return value.decode("utf-8", "replace")


def strip_untrusted(raw: bytes, keep: str | None) -> bytes:
    """The message without the Authentication-Results headers others wrote.

    Every such header is removed except those whose authserv-id is `keep`
    (the trusted MTA's). The body and every other header stay byte for byte.
    """
    wanted = keep.strip().lower() if keep else None
    end = _HEADER_END.search(raw)
    head, rest = (raw[: end.start()], raw[end.start() :]) if end else (raw, b"")
    kept = []
    removed = 0
    for field in _fields(head):
        value = _is_results(field)
        if value is not None and (wanted is None or authserv_id(value) != wanted):
            removed += 1
            continue
        kept.append(field)
    if removed:
        log.info("mail.auth.removed_foreign_results count=%d", removed)
    return b"".join(kept) + rest


def results_from(raw: bytes, ids: Collection[str]) -> bool:
    """Whether the message carries an Authentication-Results header from `ids`."""
    end = _HEADER_END.search(raw)
    head = raw[: end.start()] if end else raw
    for field in _fields(head):
        value = _is_results(field)
        if value is not None and authserv_id(value) in ids:
            return True
    return False


def _spf(ip: str | None, mail_from: str, helo: str) -> Any:
    """SPF (RFC 7208) of the connecting address for MAIL FROM (or HELO), by pyspf."""
    if not ip or not (mail_from or helo):
        return authres.SPFAuthenticationResult(result="none")
    try:
        result, _explanation = spf.check2(
            i=ip, s=mail_from, h=helo, querytime=SPF_SECONDS
        )
    except Exception as exc:  # a resolver failure: never a pass
        log.warning("mail.auth.spf_error error=%s", type(exc).__name__)
        result = "temperror"
    return authres.SPFAuthenticationResult(
        result=str(result or "none"),
        smtp_mailfrom=mail_from or None,
        smtp_helo=None if mail_from else helo or None,
    )


def _dkim_dns(txt: TxtLookup) -> Callable[..., bytes | None]:
    def lookup(name: bytes, timeout: int = DKIM_SECONDS) -> bytes | None:
        found = txt(name.decode("ascii", "replace").rstrip("."))
        return None if found is None else found.encode("utf-8")

    return lookup


def _signatures(raw: bytes) -> int:
    try:
        headers, _body = dkim.rfc822_parse(raw)
    except Exception:
        return 0
    return sum(1 for name, _ in headers if name.lower() == b"dkim-signature")


def _dkim(raw: bytes, txt: TxtLookup | None) -> list[Any]:
    """One result per DKIM signature (RFC 6376), each verified by dkimpy."""
    found = _signatures(raw)
    if not found:
        return [authres.DKIMAuthenticationResult(result="none")]
    results = []
    for index in range(min(found, MAX_SIGNATURES)):
        checker = dkim.DKIM(raw, timeout=DKIM_SECONDS)
        try:
            if txt is None:
                ok = checker.verify(idx=index)
            else:
                ok = checker.verify(idx=index, dnsfunc=_dkim_dns(txt))
            outcome = "pass" if ok else "fail"
        except dkim.DnsTimeoutError:
            outcome = "temperror"
        except Exception as exc:  # a broken signature or key is a failure
            log.info("mail.auth.dkim_error error=%s", type(exc).__name__)
            outcome = "fail"
        fields = getattr(checker, "signature_fields", {}) or {}
        domain = fields.get(b"d", b"").decode("ascii", "replace").lower()
        results.append(
            authres.DKIMAuthenticationResult(result=outcome, header_d=domain or None)
        )
    return results


def _ascii_domain(address: str | None) -> str | None:
    if not address or "@" not in address:
        return None
    try:
        return address.rpartition("@")[2].encode("idna").decode("ascii").lower()
    except UnicodeError:
        return None


@functools.cache
def _suffixes() -> PublicSuffixList:
    """The public suffix list authheaders ships (the one it aligns domains by)."""
    ref = importlib.resources.files("authheaders") / "public_suffix_list.txt"
    with importlib.resources.as_file(ref) as path, path.open(encoding="utf-8") as f:
        return PublicSuffixList(f)


def _listed(domain: str) -> bool:
    """Whether the domain's top-level domain is on the public suffix list.

    authheaders takes the organisational domain of `bank.newtld`, under a
    TLD its list does not know, to be `newtld` itself, so any two domains
    there would align: a signature of `evil.newtld` would pass DMARC for
    `bank.newtld`. Such a From domain gets no DMARC pass.
    """
    return _suffixes().get_public_suffix(domain, strict=True) is not None


def _dmarc(
    from_address: str | None,
    spf_result: Any,
    dkim_results: list[Any],
    txt: TxtLookup | None,
) -> Any:
    """DMARC (RFC 7489) for the From domain: authheaders finds the policy and aligns."""
    domain = _ascii_domain(from_address)
    if domain is None:
        return authres.dmarc.DMARCAuthenticationResult(result="none")
    if not _listed(domain):
        log.info("mail.auth.dmarc_unlisted_tld")
        return authres.dmarc.DMARCAuthenticationResult(
            result="permerror", header_from=domain
        )
    passing = [r for r in dkim_results if r.result == "pass"] or [None]
    # authheaders aligns SPF by the MAIL FROM's domain (and rewrites it).
    spf_identity = spf_result if getattr(spf_result, "smtp_mailfrom", None) else None
    result, policy = "none", None
    for dkim_result in passing:
        try:
            result, _comment, _domain, policy = authheaders.dmarc_per_from(
                domain,
                spf_result=copy.copy(spf_identity),
                dkim_result=dkim_result,
                dnsfunc=txt,
            )
        except DMARCException:
            result, policy = "permerror", None
            break
        except Exception as exc:  # a resolver failure: never a pass
            log.warning("mail.auth.dmarc_error error=%s", type(exc).__name__)
            result, policy = "temperror", None
            break
        if result == "pass":
            break
    return authres.dmarc.DMARCAuthenticationResult(
        result=str(result),
        header_from=domain,
        policy=str(policy) if policy else None,
    )


def authenticate(
    raw: bytes,
    *,
    from_address: str | None,
    ip: str | None,
    helo: str | None,
    mail_from: str | None,
    txt: TxtLookup | None = None,
) -> str:
    """This listener's Authentication-Results header for `raw` (name and value)."""
    spf_result = _spf(ip, (mail_from or "").strip("<>"), (helo or "").strip())
    dkim_results = _dkim(raw, txt)
    dmarc_result = _dmarc(from_address, spf_result, dkim_results, txt)
    header = authres.AuthenticationResultsHeader(
        authserv_id=LISTENER_AUTHSERV_ID,
        results=[spf_result, *dkim_results, dmarc_result],
    )
    log.info(
        "mail.auth.checked spf=%s dkim=%s dmarc=%s",
        spf_result.result,
        ",".join(str(r.result) for r in dkim_results),
        dmarc_result.result,
    )
    return str(header)
