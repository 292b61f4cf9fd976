"""A stand-in for tiering: answers promotions' rule and grade hooks from the archive."""
