"""collect.voicemail: the `app_voicemail` spool, its audio, and its ingest.

Clause collect.service_use.voicemail: "Jive also stores customers' voice
mail messages until the customer deletes them."
"""
