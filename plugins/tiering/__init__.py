"""Customer tiering plugin (客户分级)."""
