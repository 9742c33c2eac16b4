"""collect.accounts: business accounts, their people, numbers, payment and porting.

Clauses collect.requested (business contact, payment, phone numbers and
porting information the provider asks for).
"""

from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    open_account,
)
from tutela.collect.accounts.holdings import confirm_corrected
from tutela.collect.accounts.numbers import NONE, normalize_number
from tutela.collect.accounts.payment import LocalTestProcessor, add_payment_method
from tutela.collect.accounts.porting import submit_port_request

__all__ = [
    "LocalTestProcessor",
    "NONE",
    "add_payment_method",
    "add_person",
    "assign_extension",
    "assign_number",
    "confirm_corrected",
    "normalize_number",
    "open_account",
    "submit_port_request",
]
