"""Fixed inputs of the demo data set: fictional number ranges, carriers, test cards, messages.

Every value is fictional or reserved for testing: NANP 555-01XX numbers, Ofcom
drama ranges, `.example` domains, payment processors' published test cards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final

import phonenumbers

from tutela.store.models import (
    CallRecord,
    CallRecording,
    Communication,
    Extension,
    PaymentMethod,
    Person,
    PhoneNumber,
    PortingNumber,
    PortingRequest,
    Voicemail,
)

REF_PREFIX: Final = "DEMO-"
# The demo's lines were assigned before its calls and voicemail (2025-01-06
# on): an export follows a number only for the period it was held.
SERVICE_START: Final = dt.datetime(2024, 6, 1, tzinfo=dt.UTC)
# In every 20th account, extension 101 passed from a colleague who left to
# the account's admin on this day; voicemail left for 101 before it stays
# the colleague's (tutela.rights exports by assignment interval).
REASSIGNED_AT: Final = dt.datetime(2025, 1, 20, tzinfo=dt.UTC)
LOCALES: Final = ("en_US", "en_CA", "fr_CA", "en_GB")
_WEIGHTS: Final = (45, 20, 10, 25)
_REGION: Final = {"en_US": "US", "en_CA": "CA", "fr_CA": "CA", "en_GB": "GB"}
# fmt: off
_GB_DRAMA: Final = ("2079460", "1134960", "1144960", "1164960", "1174960",
                    "1184960", "1214960", "1314960", "1414960", "1514960", "1614960",
                    "1914980", "2890180", "2920180", "3069990")
_ADDRESS: Final = ("street", "city", "region", "postal_code", "country")
_SLOTS: Final = 8  # pool slots per account: 0 main, 1-4 people, 5-7 porting
_CARRIERS: Final = {
    "US": ("Verizon Business", "AT&T", "Comcast Business", "Lumen", "Spectrum"),
    "CA": ("Bell Canada", "Rogers", "Telus", "Vidéotron", "Shaw Business"),
    "GB": ("BT Business", "Virgin Media Business", "TalkTalk Business", "Vodafone"),
}
_TEST_CARDS: Final = ("4242424242424242", "4111111111111111", "5555555555554444",
                      "2223003122003222", "378282246310005", "6011111111111117",
                      "3566002020360505", "36227206271667")
_CHAT_CARDS: Final = ("4012 8888 8888 1881", "5105-1051-0510-5100", "371449635398431")
_MESSAGES: Final = (  # (channel, subject, body)
    ("ticket", "Voicemail not reaching {name}",
     "Hi, this is {name}. Voicemail for {number} stopped arriving by email. "
     "Please reply to {email} or call me back on {phone_typed}."),
    ("ticket", "Port status",
     "Any news on the port? {other_name} at our old carrier said to call "
     "{other_phone} or write to {other_email}. Thanks, {name}"),
    ("chat", None,
     "hey it's {name} from {org}. can you add my colleague {other_name} "
     "({other_email}) as a user? her cell is {other_phone}"),
    ("email", "Billing address change",
     "Hello,\n\nPlease send invoices for {org} to {name} at {email}, phone "
     "{phone_typed}.\n\nRegards,\n{name}"),
    ("phone_call", None,
     "Caller {name} ({phone_typed}) reported choppy audio on ext {ext}. "
     "Asked us to follow up with {other_name} on {other_phone}."),
    ("other", "Form: callback request",
     "Name: {name}\nEmail: {email}\nPhone: {phone_typed}\nMessage: please call back"),
)
_CARD_CHAT: Final = "can you put it on this card? {card} exp {exp}. thanks - {name}"
_TABLES: Final[tuple[Any, ...]] = (Person, PhoneNumber, Extension, PaymentMethod,
                                   PortingRequest, PortingNumber, Communication,
                                   CallRecord, Voicemail, CallRecording)
# fmt: on
_NATIONAL: Final = phonenumbers.PhoneNumberFormat.NATIONAL
_INTERNATIONAL: Final = phonenumbers.PhoneNumberFormat.INTERNATIONAL
