"""collect.accounts: business accounts, their people, numbers, payment and porting.

Clauses collect.requested (business contact, payment, phone numbers and
porting information the provider asks for).
"""
