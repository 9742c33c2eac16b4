"""Changes to this policy: versions, their semantic diff, subscriptions, notices.

Clauses: changes.may_change, changes.check_regularly, changes.subscribe,
changes.notice, changes.effective_on_publication.
"""

from tutela.changes.announcement import announcement
from tutela.changes.diff import Change, ChangeKind, diff_policies, material_first
from tutela.changes.optin import (
    CONFIRM_PATH,
    LinkExpired,
    confirm_subscription,
    mail_unsubscribe_link,
    request_subscription,
    subscription_for_token,
    unsubscribe_by_token,
)
from tutela.changes.publish import (
    ANNOUNCEMENT_KIND,
    PublishResult,
    effective_time,
    publish_policy,
)
from tutela.changes.subscriptions import subscribe, subscriptions, unsubscribe
from tutela.changes.versions import (
    StoredVersion,
    VersionView,
    latest_version,
    published_versions,
    stored_version,
)

__all__ = [
    "ANNOUNCEMENT_KIND",
    "CONFIRM_PATH",
    "Change",
    "ChangeKind",
    "LinkExpired",
    "PublishResult",
    "StoredVersion",
    "VersionView",
    "announcement",
    "confirm_subscription",
    "diff_policies",
    "effective_time",
    "latest_version",
    "mail_unsubscribe_link",
    "material_first",
    "publish_policy",
    "published_versions",
    "request_subscription",
    "stored_version",
    "subscribe",
    "subscription_for_token",
    "subscriptions",
    "unsubscribe",
    "unsubscribe_by_token",
]
