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
from tutela.collect.closing import close_by_ref
from tutela.collect.communications.record import CHANNELS, record_communication
from tutela.collect.correction import FIELDS, correct_person
from tutela.collect.erasure import SubjectRows, erase_subject
from tutela.collect.former_customers import FormerCustomers, sweep_former_customers
from tutela.collect.quarantine import IngestSummary, Quarantine, quarantine_dir
from tutela.collect.quarantine_sweep import sweep_quarantine
from tutela.collect.run_history import list_runs, run_with_refusals
from tutela.collect.runs import begin_run, end_run, end_run_failed

__all__ = [
    "CHANNELS",
    "CardToken",
    "FIELDS",
    "FormerCustomers",
    "IngestSummary",
    "LocalTestProcessor",
    "PaymentProcessor",
    "Quarantine",
    "Sensitive",
    "SubjectRows",
    "add_payment_method",
    "add_person",
    "assign_extension",
    "assign_number",
    "begin_run",
    "close_by_ref",
    "correct_person",
    "end_run",
    "end_run_failed",
    "erase_subject",
    "list_runs",
    "open_account",
    "quarantine_dir",
    "record_communication",
    "run_with_refusals",
    "submit_port_request",
    "sweep_former_customers",
    "sweep_quarantine",
]
