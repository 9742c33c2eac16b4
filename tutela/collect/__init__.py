"""collect: every way personal data comes in.

Policy section "What information does Jive collect?": information it
requests, information a person voluntarily gives, information from use of its
services, and information from use of its websites and ads.
"""

from tutela.collect.accounts import (
    add_person,
    assign_extension,
    assign_number,
    open_account,
)
from tutela.collect.communications import CHANNELS, record_communication
from tutela.collect.payment import (
    CardToken,
    LocalTestProcessor,
    PaymentProcessor,
    Sensitive,
    add_payment_method,
)
from tutela.collect.porting import submit_port_request

__all__ = [
    "CHANNELS",
    "CardToken",
    "LocalTestProcessor",
    "PaymentProcessor",
    "Sensitive",
    "add_payment_method",
    "add_person",
    "assign_extension",
    "assign_number",
    "open_account",
    "record_communication",
    "submit_port_request",
]
