"""Complaints plugin (客户投诉)."""
