"""Fake personal data and tricky look-alikes for the evaluation set.

Policy clause: "Information a person voluntarily gives us ... in a chat, email,
phone call, service ticket". Nothing here belongs to a real person.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable

import phonenumbers

# (person_id, name, email, phone in E.164): the people the store "knows".
KNOWN_PEOPLE: tuple[tuple[str, str, str, str], ...] = (
    ("p-001", "Jane Doe", "jane.doe@example.com", "+12125550143"),
    ("p-002", "José Müller", "jose.muller@beispiel.de", "+4915228817386"),
    ("p-003", "Amélie Dubois-Lefèvre", "amelie.dubois@exemple.fr", "+33612345678"),
    ("p-004", "Siobhán O'Brien", "s.obrien@example.co.uk", "+447911123456"),
    ("p-005", "João da Silva", "joao.silva@exemplo.com.br", "+5511987654321"),
    ("p-006", "Lucía Fernández", "lucia.fernandez@ejemplo.es", "+34612345678"),
    ("p-007", "Marc-André Tremblay", "ma.tremblay@exemple.ca", "+15145550187"),
    ("p-008", "Priya Raman", "priya.raman@example.org", "+14165550199"),
)

_FIRST = [
    "anna",
    "ben",
    "chloe",
    "diego",
    "emma",
    "felix",
    "greta",
    "hugo",
    "ines",
    "jonas",
    "karim",
    "lea",
    "mateo",
    "nora",
    "oscar",
    "paula",
    "rafael",
    "sofia",
]
_LAST = [
    "schmidt",
    "martin",
    "garcia",
    "santos",
    "smith",
    "nguyen",
    "roy",
    "costa",
    "weber",
    "lopez",
    "taylor",
    "moreau",
    "ferreira",
    "brown",
    "fischer",
    "leroy",
]
_DOMAINS = {
    "en": ["example.com", "example.org", "mail.example.net", "acme-dental.example"],
    "fr": ["exemple.fr", "exemple.ca", "cabinet-martin.example"],
    "de": ["beispiel.de", "firma-weber.example", "mail.beispiel.de"],
    "es": ["ejemplo.es", "clinica-lopez.example"],
    "pt": ["exemplo.com.br", "padaria-santos.example"],
}

_CARDS = [
    "4111111111111111",
    "4012888888881881",
    "4242424242424242",
    "4000056655665556",
    "5555555555554444",
    "5105105105105100",
    "2223003122003222",
    "2221000000000009",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
    "6011000990139424",
    "30569309025904",
    "38520000023237",
    "36227206271667",
    "3530111333300000",
    "3566002020360505",
    "6200000000000005",
    "6759649826438453",
    "6799990100000000019",
]
_CARD_PREFIXES = [
    "4",
    "51",
    "53",
    "55",
    "2221",
    "2720",
    "34",
    "37",
    "6011",
    "65",
    "3528",
    "3589",
    "62",
    "36",
    "6304",
    "58",
]


def luhn_complete(rng: random.Random, prefix: str, length: int) -> str:
    """A random number of `length` digits starting with `prefix`, Luhn-valid."""
    body = prefix + "".join(
        str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1)
    )
    for check in "0123456789":
        digits = body + check
        total = 0
        for position, char in enumerate(reversed(digits)):
            digit = int(char) * (2 if position % 2 else 1)
            total += digit - 9 if digit > 9 else digit
        if total % 10 == 0:
            return digits
    raise AssertionError("unreachable")


# Phone formats per region: a function of the random generator returning the
# number as typed. Each is validated below, so only valid numbers are kept.
def _d(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randint(0, 9)) for _ in range(count))


def _nanp(rng: random.Random, region: str) -> tuple[str, str, str]:
    areas = ["212", "415", "312", "617", "206", "303", "512", "404", "646", "718"]
    if region == "CA":
        areas = ["416", "604", "514", "613", "403", "778", "905", "819"]
    exchange = "555" if rng.random() < 0.4 else str(rng.randint(201, 989))
    line = "01" + _d(rng, 2) if exchange == "555" else _d(rng, 4)
    return rng.choice(areas), exchange, line


def _phone_text(rng: random.Random, region: str) -> str:
    if region in ("US", "CA"):
        a, e, s = _nanp(rng, region)
        formats = [
            f"({a}) {e}-{s}",
            f"{a}-{e}-{s}",
            f"{a}.{e}.{s}",
            f"+1 {a} {e} {s}",
            f"+1-{a}-{e}-{s}",
            f"1 ({a}) {e}-{s}",
            f"{a} {e}-{s}",
        ]
    elif region == "GB":
        m, land = (
            "7" + str(rng.randint(4, 9)) + _d(rng, 8),
            "20" + rng.choice("378") + _d(rng, 7),
        )
        formats = [
            f"0{m[:4]} {m[4:]}",
            f"+44 {m[:4]} {m[4:]}",
            f"+44 (0){m[:4]} {m[4:]}",
            f"0{land[:2]} {land[2:6]} {land[6:]}",
            f"+44 {land[:2]} {land[2:6]} {land[6:]}",
            f"0161 {_d(rng, 3)} {_d(rng, 4)}",
        ]
    elif region == "DE":
        m = rng.choice(["151", "152", "160", "170", "171", "176"]) + _d(
            rng, rng.choice([7, 8])
        )
        land = rng.choice(["30", "89", "40", "221", "69"]) + _d(rng, 7)
        formats = [
            f"0{m[:3]} {m[3:]}",
            f"+49 {m[:3]} {m[3:]}",
            f"0{m[:3]}/{m[3:]}",
            f"+49 (0){m[:3]} {m[3:]}",
            f"0{land[:2]} {land[2:]}",
            f"+49 {land[:2]} {land[2:]}",
            f"0049 {land[:2]} {land[2:]}",
        ]
    elif region == "FR":
        n = rng.choice("1234567") + _d(rng, 8)
        pairs = " ".join(n[i : i + 2] for i in range(1, 9, 2))
        formats = [
            f"0{n[0]} {pairs}",
            f"+33 {n[0]} {pairs}",
            f"+33 (0){n[0]} {pairs}",
            f"0{n[0]}.{pairs.replace(' ', '.')}",
            f"0{n[0]}-{pairs.replace(' ', '-')}",
        ]
    elif region == "ES":
        n = rng.choice("6789") + _d(rng, 8)
        formats = [
            f"{n[:3]} {n[3:6]} {n[6:]}",
            f"+34 {n[:3]} {n[3:5]} {n[5:7]} {n[7:]}",
            f"+34 {n[:3]} {n[3:6]} {n[6:]}",
            f"{n[:2]} {n[2:5]} {n[5:7]} {n[7:]}",
        ]
    else:  # BR
        ddd = rng.choice(["11", "21", "31", "41", "51", "61", "71", "81"])
        m, land = "9" + _d(rng, 8), rng.choice("2345") + _d(rng, 7)
        formats = [
            f"({ddd}) {m[:5]}-{m[5:]}",
            f"+55 {ddd} {m[:5]}-{m[5:]}",
            f"{ddd} {m[:5]}-{m[5:]}",
            f"({ddd}) {land[:4]}-{land[4:]}",
            f"+55 ({ddd}) {land[:4]}-{land[4:]}",
        ]
    return rng.choice(formats)


def phone(rng: random.Random, region: str, *, bare: bool = False) -> tuple[str, str]:
    """A valid phone number as typed in `region`, and its E.164 value."""
    if rng.random() < 0.08 and not bare:
        person = rng.choice(KNOWN_PEOPLE)
        number = phonenumbers.parse(person[3])
        text = phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
        )
        return text, person[3]
    while True:
        text = _phone_text(rng, region)
        number = phonenumbers.parse(text, region)
        if not phonenumbers.is_valid_number(number):
            continue
        if bare:
            national = phonenumbers.format_number(
                number, phonenumbers.PhoneNumberFormat.NATIONAL
            )
            text = "".join(char for char in national if char.isdigit())
        return text, phonenumbers.format_number(
            number, phonenumbers.PhoneNumberFormat.E164
        )


def _email(rng: random.Random, locale: str) -> tuple[str, str, str]:
    if rng.random() < 0.15:
        address = rng.choice(KNOWN_PEOPLE)[2]
        return "email", rng.choice([address, address.upper(), address.title()]), address
    first, last = rng.choice(_FIRST), rng.choice(_LAST)
    local = rng.choice(
        [
            f"{first}.{last}",
            f"{first[0]}{last}",
            f"{first}_{last}{rng.randint(1, 99)}",
            f"{first}+support",
            f"{last}.{first}",
        ]
    )
    address = f"{local}@{rng.choice(_DOMAINS[locale[:2]])}"
    typed = rng.choice([address, address, address.capitalize(), address.upper()])
    return "email", typed, address.lower()


def _card(rng: random.Random, locale: str) -> tuple[str, str, str]:
    if rng.random() < 0.5:
        digits = rng.choice(_CARDS)
    else:
        prefix = rng.choice(_CARD_PREFIXES)
        length = 15 if prefix in ("34", "37") else (14 if prefix == "36" else 16)
        digits = luhn_complete(rng, prefix, length)
    style = rng.choice(["plain", "space", "dash"])
    if style == "plain" or len(digits) not in (15, 16):
        return "card", digits, digits
    groups = (
        [digits[:4], digits[4:10], digits[10:]]
        if len(digits) == 15
        else [digits[i : i + 4] for i in range(0, 16, 4)]
    )
    return "card", (" " if style == "space" else "-").join(groups), digits


def iban_for(country: str, bban: str) -> str:
    """A compact IBAN with correct check digits for `bban`."""
    number = int("".join(str(int(char, 36)) for char in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def _iban(rng: random.Random, locale: str) -> tuple[str, str, str]:
    country, size = rng.choice(
        [
            ("DE", 18),
            ("FR", 23),
            ("ES", 20),
            ("GB", 18),
            ("NL", 14),
            ("BE", 12),
            ("IT", 23),
            ("PT", 21),
        ]
    )
    bban = _d(rng, size)
    if country == "GB":
        bban = rng.choice(["WEST", "BARC", "NWBK"]) + bban[4:]
    if country == "NL":
        bban = rng.choice(["ABNA", "INGB", "RABO"]) + bban[4:]
    if country == "IT":
        bban = rng.choice("ABCX") + bban[1:]
    compact = iban_for(country, bban)
    spaced = " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))
    return "iban", rng.choice([compact, spaced, spaced]), compact


def _ip(rng: random.Random, locale: str) -> tuple[str, str, str]:
    if rng.random() < 0.2:
        groups = f"2001:db8:{rng.randint(0, 65535):x}::{rng.randint(1, 65535):x}"
        return "ip", groups, groups
    base = rng.choice(["192.0.2", "198.51.100", "203.0.113", "10.20.30", "172.16.5"])
    address = f"{base}.{rng.randint(1, 254)}"
    return "ip", address, address


def _person(rng: random.Random, locale: str) -> tuple[str, str, str]:
    person_id, name = rng.choice(KNOWN_PEOPLE)[:2]
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c)
    )
    return (
        "person",
        rng.choice([name, name, plain, name.upper(), plain.lower()]),
        person_id,
    )


POSITIVE_MAKERS: dict[str, Callable[[random.Random, str], tuple[str, str, str]]] = {
    "email": _email,
    "card": _card,
    "iban": _iban,
    "ip": _ip,
    "person": _person,
}


def negative(rng: random.Random, name: str, language: str) -> str:
    """A look-alike that is not personal data, for placeholder `name`."""
    day, month, year = (
        rng.randint(1, 28),
        rng.randint(1, 12),
        rng.choice([2023, 2024, 2025]),
    )
    hour, minute = rng.randint(0, 23), rng.randint(0, 59)
    choices: dict[str, list[str]] = {
        "order": [
            _d(rng, 10),
            _d(rng, 8),
            f"ORD-{year}-{_d(rng, 6)}",
            "45" + _d(rng, 8),
        ],
        "date": [
            f"{month:02d}/{day:02d}/{year}",
            f"{day:02d}/{month:02d}/{year}",
            f"{day:02d}.{month:02d}.{year}",
            f"{year}-{month:02d}-{day:02d}",
        ],
        "time": [
            f"{hour:02d}:{minute:02d}",
            f"{hour % 12 + 1}:{minute:02d}pm",
            f"{hour}h{minute:02d}",
        ],
        "price": [
            f"${rng.randint(1, 9)},{_d(rng, 3)}.{_d(rng, 2)}",
            f"€{rng.randint(10, 999)},{_d(rng, 2)}",
            f"{rng.randint(1, 9)}.{_d(rng, 3)},{_d(rng, 2)} €",
            f"R$ {rng.randint(1, 9)}.{_d(rng, 3)},{_d(rng, 2)}",
            f"£{rng.randint(10, 99)}.99",
            f"C$ {rng.randint(10, 99)}.95",
        ],
        "ext": [str(rng.randint(100, 9999))],
        "version": [
            f"{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
            f"{rng.randint(1, 9)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}.{rng.randint(1, 40)}",
            f"v{rng.randint(1, 5)}.{rng.randint(0, 9)}.{rng.randint(0, 9)}",
        ],
        "tracking": [
            f"1Z{_d(rng, 3)}AA1{_d(rng, 10)}",
            f"9400 1000 0000 {_d(rng, 4)} {_d(rng, 4)} {_d(rng, 2)}",
            f"LX{_d(rng, 9)}DE",
            f"JJD{_d(rng, 15)}",
        ],
        "invoice": [
            f"INV-{year}-{_d(rng, 6)}",
            f"{year}/{month:02d}/{_d(rng, 4)}",
            f"F{year}-{_d(rng, 5)}",
        ],
        "ticket": [
            f"{rng.randint(10000, 99999)}",
            f"CS-{year}-{_d(rng, 4)}",
            f"#{_d(rng, 8)}",
        ],
        "account": [_d(rng, 8), _d(rng, 10), f"ACC-{_d(rng, 7)}"],
        "luhn_fail": [str(int(luhn_complete(rng, "4", 16)) + 1)],
        "imei": [luhn_complete(rng, "35", 15)],
        "serial": [
            f"SN{_d(rng, 4)}-{_d(rng, 4)}-{_d(rng, 4)}",
            f"{_d(rng, 4)}-{_d(rng, 4)}-{_d(rng, 4)}",
        ],
        "confirmation": [_d(rng, 10), "212555" + _d(rng, 4)],
        "epoch": ["17" + _d(rng, 8)],
        "timestamp": [
            f"{year}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{_d(rng, 2)}Z"
        ],
        "last4": [_d(rng, 4)],
        "reference": ["RF18539007547034", f"REF{_d(rng, 9)}"],
        "expiry": [f"{month:02d}/{year % 100 + 2}"],
    }
    return rng.choice(choices[name])
