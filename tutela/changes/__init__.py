"""Changes to this policy: versions, their semantic diff, subscriptions, notices.

Clauses: changes.may_change, changes.check_regularly, changes.subscribe,
changes.notice, changes.effective_on_publication.
"""

from tutela.changes.announcement import announcement
from tutela.changes.diff import Change, ChangeKind, diff_policies, material_first
from tutela.changes.publish import (
    ANNOUNCEMENT_KIND,
    PublishResult,
    effective_time,
    publish_policy,
)
from tutela.changes.subscriptions import subscribe, subscriptions, unsubscribe
from tutela.changes.versions import VersionView, latest_version, published_versions
from tutela.mail.outbox import DeliveryReport, deliver, enqueue

__all__ = [
    "ANNOUNCEMENT_KIND",
    "Change",
    "ChangeKind",
    "DeliveryReport",
    "PublishResult",
    "VersionView",
    "announcement",
    "deliver",
    "diff_policies",
    "effective_time",
    "enqueue",
    "latest_version",
    "material_first",
    "publish_policy",
    "published_versions",
    "subscribe",
    "subscriptions",
    "unsubscribe",
]
