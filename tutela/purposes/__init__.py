"""One real code path for each purpose the policy names ("How does Jive use...").

Clauses: use.purposes and each use.purposes.*. Every function here reads
personal data only through the purpose gate (`tutela.access.access`), naming
its purpose, so the gate checks the actor's role and the categories the
policy permits for it, and audits the read.

| purpose | code path |
| --- | --- |
| communicate | `service_contacts` (whom to tell about the account's services) |
| deliver_services | voicemail listing and delivery (`tutela.cli.voicemail`, `tutela.collect.voicemail.mailbox`), recordings, staff provisioning |
| respond_to_requests | access requests and the legal inbox (`tutela.rights`) |
| collect_payment | `billing_statement`; a card put on file is a ledgered disclosure (`tutela.collect.accounts.payment`) |
| customize_services | `extension_directory` (the account's dial-by-name directory) |
| improve_services | `call_outcomes` (calls and minutes per disposition, aggregates only) |
| notify_service_changes | `tutela.changes.service_notices.notify_service_changes` |
| improve_websites_and_ads | website and ad reporting (`tutela.analytics.report`) |
"""

from tutela.purposes.billing import Statement, billing_statement
from tutela.purposes.directory import extension_directory
from tutela.purposes.outreach import Contact, service_contacts
from tutela.purposes.quality import Outcome, call_outcomes

__all__ = [
    "Contact",
    "Outcome",
    "Statement",
    "billing_statement",
    "call_outcomes",
    "extension_directory",
    "service_contacts",
]
