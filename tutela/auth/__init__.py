"""Sign-in for staff and customers: passwords, lockout, sessions, staff on the CLI.

Clauses: secure.measures (argon2id password hashes, lockout, hashed session
and API tokens, anti-forgery tokens), use.purposes (a signed-in user acts as
a `tutela.access` actor with the role's purposes), rights.access.verification
(re-authentication of signed-in customers).
"""
