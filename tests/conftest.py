"""Shared fixtures come from core.testing (the `guanxi` pytest plugin)."""
