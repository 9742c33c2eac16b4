"""collect.communications: support messages and the index of data mentioned in them.

Clauses collect.volunteered, collect.volunteered.channels,
collect.volunteered.uncontrolled.
"""
