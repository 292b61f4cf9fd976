"""Promotions plugin (促销管理)."""
