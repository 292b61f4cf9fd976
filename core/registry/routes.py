"""The registry blueprint with all its views attached."""
from core.registry import child_views, log_views, transfer_views, views  # noqa: F401
from core.registry.blueprint import bp

__all__ = ["bp"]
