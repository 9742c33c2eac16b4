"""Find telephone numbers in free text and normalise them to E.164.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Customers of a phone provider type numbers into
every message, in their own country's format. Detection uses
`phonenumbers.PhoneNumberMatcher` with `Leniency.VALID` (the number must be
valid for its region, and must not run into letters), over a list of regions:

* the first region is the customer's own (the account's country); every
  number valid there is taken;
* each further region only adds numbers written with separators or brackets,
  because an unformatted run of digits that happens to be valid somewhere is
  far more often an order or invoice number than a foreign phone number;
* a run of bare digits (no separators, no "+") is taken only when a phone
  word ("call", "tel", "portable", "Handy", ...) stands just before it, and a
  number is dropped when an identifier word ("order", "invoice", "#", "Nr.",
  "pedido", ...) stands closer before it than any phone word.

The matcher is run only on short windows around runs of digits, so a large
message costs time in proportion to its digits, not its length.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import phonenumbers
from phonenumbers import Leniency, PhoneNumberFormat

from tutela.collect.detect._spans import SpanSet
from tutela.collect.detect.model import Detection

#: Regions tried when the caller does not know better: the provider's markets.
DEFAULT_REGIONS: tuple[str, ...] = ("US", "CA", "GB", "DE", "FR", "ES", "BR")

_MARGIN = 24
_MAX_WINDOW = 2_000
# At least seven digits (any script) with phone punctuation between them.
_DIGIT_RUN = re.compile(r"[+\uff0b(]?\d(?:[\s().\-/\u2010-\u2015]{0,3}\d){6,}")
_DOTTED_QUAD = re.compile(r"\d{1,3}(?:\.\d{1,3}){3}")
_SEPARATORS = re.compile(r"[\s().\-/\u2010-\u2015]")

_PHONE_WORDS = (
    r"call|calling|phone|tel|telephone|cell|mobile|mob|number|num|reach|text|sms"
    r"|whatsapp|fax|dial|contact|landline|direct|appel(?:er|ez)?|t[ée]l[ée]phone"
    r"|portable|num[ée]ro|joindre|rappeler|anrufen|rufen|telefon|handy|mobil"
    r"|nummer|erreichbar|erreichen|r[üu]ckruf|llamar|llame|tel[ée]fono|m[óo]vil"
    r"|celular|ligar|liga|contato|zap"
)
_ID_WORDS = (
    r"order|orders|invoice|inv|ticket|case|ref|reference|tracking|shipment|parcel"
    r"|po|account|acct|customer|client|serial|sn|imei|iccid|meid|confirmation"
    r"|booking|reservation|transaction|txn|id|no(?=\\.)|nr|n[°º]|pin|code|otp|amount"
    r"|total|commande|facture|dossier|r[ée]f[ée]rence|suivi|colis|compte|montant"
    r"|bestellung|auftrag|rechnung|sendungsnummer|kundennummer|konto|vorgang"
    r"|pedido|factura|fatura|caso|referencia|refer[êe]ncia|seguimiento|rastreio"
    r"|rastreamento|cuenta|conta|protocolo|importe|valor"
)
_KEYWORD = re.compile(
    rf"(?P<phone>\b(?:{_PHONE_WORDS})\b)|(?P<ident>\b(?:{_ID_WORDS})\b|[#№])",
    re.IGNORECASE,
)
# A date written with dots or dashes can be a valid German or Brazilian number.
_DATE = re.compile(r"\d{1,2}([./-])\d{1,2}\1\d{2,4}|\d{4}([./-])\d{1,2}\2\d{1,2}")
_GLUED_BEFORE = re.compile(r"[^\W_][-/_]$")
_GLUED_AFTER = re.compile(r"^[-/_][^\W_]")
# Only label punctuation between an identifier word and the number ("order # 123").
_LABEL_GAP = re.compile(r"[\s:.#=°º-]{0,4}")
_CURRENCY_BEFORE = re.compile(r"[$€£¥]\s*$|\b(?:USD|EUR|GBP|CAD|BRL|R\$)\s*$")


def _windows(text: str) -> Iterator[tuple[int, int]]:
    """Yield overlapping-free (mostly) windows around runs of digits."""
    start = end = -1
    for match in _DIGIT_RUN.finditer(text):
        low = max(0, match.start() - _MARGIN)
        high = min(len(text), match.end() + _MARGIN)
        if start >= 0 and low <= end and high - start <= _MAX_WINDOW:
            end = max(end, high)
            continue
        if start >= 0:
            yield start, end
        start, end = low, high
    if start >= 0:
        yield start, end


def _context(text: str, start: int) -> tuple[str, bool] | None:
    """The nearest keyword before `start` ('phone' or 'ident'), and whether it
    labels the number directly (nothing but punctuation in between)."""
    line_start = text.rfind("\n", max(0, start - 40), start) + 1
    before = text[max(line_start, start - 40) : start]
    if _CURRENCY_BEFORE.search(before):
        return ("ident", True)
    last = None
    for match in _KEYWORD.finditer(before):
        last = match
    if last is None:
        return None
    kind = "phone" if last.group("phone") else "ident"
    return (kind, _LABEL_GAP.fullmatch(before[last.end() :]) is not None)


def _accept(text: str, start: int, raw: str, primary: bool) -> str | None:
    """Why the match is a phone number, or None when it should be dropped."""
    end = start + len(raw)
    if _DATE.fullmatch(raw) or _DOTTED_QUAD.fullmatch(raw):
        return None
    if _GLUED_BEFORE.search(text[max(0, start - 2) : start]) or _GLUED_AFTER.match(
        text[end : end + 2]
    ):
        return None  # part of a code such as "ORD-2024-832930"
    international = raw[0] in "+\uff0b" or raw.startswith("00")
    formatted = _SEPARATORS.search(raw.strip()) is not None
    keyword, direct = _context(text, start) or ("", False)
    if keyword == "ident" and not international and (not formatted or direct):
        return None
    after_phone_word = keyword == "phone"
    if not formatted and not international and not after_phone_word:
        return None
    if not primary and not formatted:
        return None
    if international:
        return "international format"
    return "national format" + (", after a phone word" if after_phone_word else "")


def _grouping(raw: str) -> tuple[int, ...]:
    return tuple(len(group) for group in re.findall(r"\d+", raw))


def _region_fits(raw: str, number: phonenumbers.PhoneNumber) -> bool:
    """Whether `raw` is grouped the way its region writes national numbers."""
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return _grouping(raw) == _grouping(national)


def _detections(
    text: str, region: str, leniency: int, primary: bool
) -> Iterator[tuple[Detection, phonenumbers.PhoneNumber]]:
    for low, high in _windows(text):
        for match in phonenumbers.PhoneNumberMatcher(text[low:high], region, leniency):
            raw = match.raw_string
            why = _accept(text, low + match.start, raw, primary=primary)
            if why is None:
                continue
            value = phonenumbers.format_number(match.number, PhoneNumberFormat.E164)
            detection = Detection(
                kind="phone",
                start=low + match.start,
                end=low + match.end,
                text=raw,
                value=value,
                reason=f"phone number valid for {region} ({why})",
            )
            yield detection, match.number


def find_phones(
    text: str,
    regions: Sequence[str] = DEFAULT_REGIONS,
    *,
    leniency: int = Leniency.VALID,
) -> list[Detection]:
    """Return the telephone numbers in `text`, each with its E.164 value.

    `regions` are ISO 3166 codes, the customer's own country first: a national
    number is read in the first region, else in the further region whose way
    of grouping digits it follows (else the earliest region where it is valid).
    """
    found: list[Detection] = []
    if not text or not regions:
        return found
    taken = SpanSet()
    unique = list(dict.fromkeys(region.upper() for region in regions))
    for detection, _ in _detections(text, unique[0], leniency, primary=True):
        if taken.add(detection.start, detection.end):
            found.append(detection)
    seen = {phonenumbers.country_code_for_region(unique[0])}
    ranked: list[tuple[bool, int, Detection]] = []
    for rank, region in enumerate(unique[1:]):
        code = phonenumbers.country_code_for_region(region)
        if code == 0 or code in seen:
            continue
        seen.add(code)
        for detection, number in _detections(text, region, leniency, primary=False):
            ranked.append((not _region_fits(detection.text, number), rank, detection))
    ranked.sort(key=lambda item: (item[0], item[1]))
    for _, _, detection in ranked:
        if taken.add(detection.start, detection.end):
            found.append(detection)
    found.sort(key=lambda detection: detection.start)
    return found
