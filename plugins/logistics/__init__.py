"""Orders and shipping plugin (订货发货)."""
