"""Mail in and out: the transactional outbox, SMTP delivery, mailbox reading, parsing.

Clauses: rights.access.request (requests arrive by e-mail and are answered
by e-mail), changes.subscribe (policy updates are e-mailed to
subscribers). Used by `tutela.rights` and `tutela.changes`.
"""
