"""Find the names, emails and phone numbers of people known to the store.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Messages mention other people (a colleague, the
account owner) by name; a subject access export must keep the subject's own
data and hide everyone else's. `KnownPeople` is an index built from the
store's people. Names match whole words, ignoring case and accents ("Jose
Muller" finds "José Müller"); emails and phone numbers found by the other
detectors are looked up here to say whose they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import phonenumbers

from tutela.collect.detect.model import Detection

_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True, slots=True)
class KnownPerson:
    """A person the store knows, as the detectors need them."""

    person_id: str
    name: str
    emails: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


def fold(text: str) -> str:
    """Case- and accent-insensitive form of `text` (NFKD, marks dropped, casefold)."""
    decomposed = unicodedata.normalize("NFKD", text)
    kept = "".join(char for char in decomposed if not unicodedata.combining(char))
    return kept.casefold()


def _folded_words(text: str) -> list[tuple[str, int, int]]:
    """Each word of `text` folded, with its offsets in the original text."""
    return [
        (fold(match.group(0)), match.start(), match.end())
        for match in _WORD.finditer(text)
    ]


def normalise_phone(raw: str, region: str) -> str | None:
    """E.164 form of a stored phone number, or None when it cannot be parsed."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class KnownPeople:
    """Index of known people: names by folded words, emails and E.164 phones."""

    def __init__(self, people: Iterable[KnownPerson], *, region: str = "US") -> None:
        self._names: dict[tuple[str, ...], set[str]] = {}
        self._emails: dict[str, set[str]] = {}
        self._phones: dict[str, set[str]] = {}
        self._longest = 0
        for person in people:
            words = tuple(word for word, _, _ in _folded_words(person.name))
            if words:
                self._names.setdefault(words, set()).add(person.person_id)
                self._longest = max(self._longest, len(words))
            for email in person.emails:
                self._emails.setdefault(email.strip().lower(), set()).add(
                    person.person_id
                )
            for phone in person.phones:
                e164 = normalise_phone(phone, region)
                if e164 is not None:
                    self._phones.setdefault(e164, set()).add(person.person_id)

    @classmethod
    def from_records(
        cls,
        records: Iterable[tuple[str, str, Iterable[str], Iterable[str]]],
        *,
        region: str = "US",
    ) -> KnownPeople:
        """Build the index from `(person_id, name, emails, phones)` tuples."""
        people = (
            KnownPerson(pid, name, tuple(emails), tuple(phones))
            for pid, name, emails, phones in records
        )
        return cls(people, region=region)

    def owner(self, detection: Detection) -> str | None:
        """The id of the one known person an email or phone belongs to, if any."""
        table = {"email": self._emails, "phone": self._phones}.get(detection.kind)
        owners = table.get(detection.value) if table is not None else None
        if owners is None or len(owners) != 1:
            return None
        return next(iter(owners))

    def find_names(self, text: str) -> list[Detection]:
        """Return every whole-word mention of a known person's full name."""
        found: list[Detection] = []
        if not self._names:
            return found
        words = _folded_words(text)
        index = 0
        while index < len(words):
            for size in range(min(self._longest, len(words) - index), 0, -1):
                key = tuple(word for word, _, _ in words[index : index + size])
                owners = self._names.get(key)
                if owners is None:
                    continue
                start, end = words[index][1], words[index + size - 1][2]
                found.append(self._name_detection(text, start, end, key, owners))
                index += size
                break
            else:
                index += 1
        return found

    @staticmethod
    def _name_detection(
        text: str, start: int, end: int, key: tuple[str, ...], owners: set[str]
    ) -> Detection:
        if len(owners) == 1:
            person_id: str | None = next(iter(owners))
            reason = "name of a known person (case and accents ignored)"
        else:
            person_id = None
            reason = f"name shared by {len(owners)} known people; owner unknown"
        return Detection(
            kind="person",
            start=start,
            end=end,
            text=text[start:end],
            value=person_id or " ".join(key),
            reason=reason,
            person_id=person_id,
        )
