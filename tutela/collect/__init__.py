"""collect: every way personal data comes in.

Policy section "What information does Jive collect?": information it
requests, information a person voluntarily gives, information from use of its
services, and information from use of its websites and ads.
"""
