"""The store: one table per kind of data the policy names.

Rules enforced by the schema itself:
- accounts are businesses only (policy: "Jive only sells to businesses");
- there is no column for a card security code or a full card number;
- porting account numbers and PINs are `Encrypted`;
- website and ad tables have no key to accounts or people (policy: website
  information "is not associated with any personally identifiable information");
- every customer table carries `account_id`, the tenant key for sharding.

One module per policy area; this package re-exports every model.
"""

from tutela.store.models._base import Base, personal, structural
from tutela.store.models.auth import (
    ApiToken,
    LoginAttempt,
    User,
    UserAdminEvent,
    UserProposal,
    UserSession,
)
from tutela.store.models.changes import PolicyVersion
from tutela.store.models.customers import (
    Account,
    Communication,
    Extension,
    PaymentMethod,
    Person,
    PhoneNumber,
    PortingNumber,
    PortingRequest,
)
from tutela.store.models.holdings import PROVEN, Holding
from tutela.store.models.limits import MailLimit
from tutela.store.models.mentions import CommunicationMention
from tutela.store.models.rights import (
    CLOSED_CASE_STATES,
    ContactConfirmation,
    OutboxMessage,
    PolicySubscription,
    RightsMessage,
    SarCase,
    SarCaseEvent,
    SarCaseRef,
    VerificationChallenge,
    VerificationEvidence,
)
from tutela.store.models.rights_export import DownloadToken, ExportBundle
from tutela.store.models.secure import (
    AuditCheckpoint,
    AuditEntry,
    AuditHead,
    Disclosure,
    DisclosureSubject,
)
from tutela.store.models.telephony import (
    Blob,
    CallRecord,
    CallRecording,
    IngestRun,
    RecordingNotice,
    Voicemail,
    VoicemailTombstone,
)
from tutela.store.models.web import (
    UNLINKABLE_TABLES,
    AdClick,
    AdClickTotal,
    WebVisit,
)

__all__ = [
    "Account",
    "AdClick",
    "AdClickTotal",
    "ApiToken",
    "AuditCheckpoint",
    "AuditEntry",
    "AuditHead",
    "Base",
    "Blob",
    "CLOSED_CASE_STATES",
    "CallRecord",
    "CallRecording",
    "Communication",
    "CommunicationMention",
    "ContactConfirmation",
    "Disclosure",
    "DisclosureSubject",
    "DownloadToken",
    "ExportBundle",
    "Extension",
    "Holding",
    "IngestRun",
    "LoginAttempt",
    "MailLimit",
    "OutboxMessage",
    "PROVEN",
    "PaymentMethod",
    "Person",
    "PhoneNumber",
    "PolicySubscription",
    "PolicyVersion",
    "PortingNumber",
    "PortingRequest",
    "RecordingNotice",
    "RightsMessage",
    "SarCase",
    "SarCaseEvent",
    "SarCaseRef",
    "UNLINKABLE_TABLES",
    "User",
    "UserAdminEvent",
    "UserProposal",
    "UserSession",
    "VerificationChallenge",
    "VerificationEvidence",
    "Voicemail",
    "VoicemailTombstone",
    "WebVisit",
    "personal",
    "structural",
]
