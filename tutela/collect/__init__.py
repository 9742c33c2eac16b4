"""collect: every way personal data comes in.

Policy section "What information does Jive collect?": information it
requests, information a person voluntarily gives, information from use of its
services, and information from use of its websites and ads.
"""

from tutela.collect.accounts.contacts import (
    add_person,
    assign_extension,
    assign_number,
    open_account,
)
from tutela.collect.accounts.payment import (
    CardToken,
    LocalTestProcessor,
    PaymentProcessor,
    Sensitive,
    add_payment_method,
)
from tutela.collect.accounts.porting import submit_port_request
from tutela.collect.communications.record import CHANNELS, record_communication
from tutela.collect.quarantine import IngestSummary, Quarantine, quarantine_dir
from tutela.collect.runs import begin_run, end_run, end_run_failed

__all__ = [
    "CHANNELS",
    "CardToken",
    "IngestSummary",
    "LocalTestProcessor",
    "PaymentProcessor",
    "Quarantine",
    "Sensitive",
    "add_payment_method",
    "add_person",
    "assign_extension",
    "assign_number",
    "begin_run",
    "end_run",
    "end_run_failed",
    "open_account",
    "quarantine_dir",
    "record_communication",
    "submit_port_request",
]
