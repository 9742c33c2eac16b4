"""Changes to this policy: versions, their semantic diff, subscriptions, notices, delivery.

Clauses: changes.may_change, changes.check_regularly, changes.subscribe,
changes.notice, changes.effective_on_publication.
"""

from tutela.changes.announcement import announcement
from tutela.changes.delivery import deliver_batch
from tutela.changes.diff import Change, ChangeKind, diff_policies, material_first
from tutela.changes.optin import (
    confirm_subscription,
    request_subscription,
    unsubscribe_by_token,
)
from tutela.changes.outbox import DeliveryReport, deliver, enqueue
from tutela.changes.publish import (
    ANNOUNCEMENT_KIND,
    PublishResult,
    effective_time,
    publish_policy,
)
from tutela.changes.subscriptions import subscribe, subscriptions, unsubscribe
from tutela.changes.versions import VersionView, latest_version, published_versions
from tutela.changes.worker import run_worker

__all__ = [
    "ANNOUNCEMENT_KIND",
    "Change",
    "ChangeKind",
    "DeliveryReport",
    "PublishResult",
    "VersionView",
    "announcement",
    "confirm_subscription",
    "deliver",
    "deliver_batch",
    "diff_policies",
    "effective_time",
    "enqueue",
    "latest_version",
    "material_first",
    "publish_policy",
    "published_versions",
    "request_subscription",
    "run_worker",
    "subscribe",
    "subscriptions",
    "unsubscribe",
    "unsubscribe_by_token",
]
