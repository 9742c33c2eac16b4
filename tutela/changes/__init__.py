"""Changes to this policy: subscriptions to update notices and the mail outbox.

Clauses: changes.subscribe, changes.notice.
"""

from tutela.changes.outbox import DeliveryReport, deliver, enqueue
from tutela.changes.subscriptions import subscribe, subscriptions

__all__ = ["DeliveryReport", "deliver", "enqueue", "subscribe", "subscriptions"]
