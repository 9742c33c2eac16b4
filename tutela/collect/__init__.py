"""collect: every way personal data comes in (policy section "What information does Jive collect?")."""
