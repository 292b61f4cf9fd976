"""Severity by RULES.md C-6: the suggestion at intake, the acknowledgement deadline, who is told.

| Level | Examples                                              | Acknowledge within | Notify first          |
| S1    | animals ill or dead after feeding, contamination, ... | 1 h                | the GM at once        |
| S2    | quality: pellet size, moisture, short weight          | 4 h                | the department manager |
| S3    | service: late delivery, documents                     | 1 working day      | the customer-service supervisor |
"""
from __future__ import annotations

import re

from core.api import budget_minutes

S1_WORDS = re.compile(
    r"死|病|污染|异物|中毒|拉稀|腹泻|dead|death|died|dying|ill\b|sick|contaminat|foreign matter|poison|diarrh",
    re.I)
S2_WORDS = re.compile(r"颗粒|粒径|水分|短重|缺斤|少秤|霉|结块|pellet|moisture|short weight|mould|mold|lump",
                      re.I)
CATEGORY_LEVEL = {"mass_death": "S1", "feeding_result": "S2", "quantity_variety": "S2",
                  "transport_storage": "S2", "service": "S3"}
# the customer-service supervisor of C-6's table is the department's specialist (客户管理专员)
NOTIFY_ROLES = {"S1": ("general_manager",), "S2": (), "S3": ("specialist",)}


def suggest(category: str, *texts: str | None) -> str:
    """S1 when the category or the words say animals are ill or dead or the feed is contaminated,
    else S2 for quality words or a quality category, else the category's level."""
    text = " ".join(t for t in texts if t)
    level = CATEGORY_LEVEL.get(category, "S3")
    if level == "S1" or S1_WORDS.search(text):
        return "S1"
    if level == "S2" or S2_WORDS.search(text):
        return "S2"
    return "S3"


def acknowledgement_budget(severity: str) -> tuple[int, str]:
    """Minutes and clock of the acknowledgement task, counted from intake."""
    if severity == "S1":
        return 60, "wall"
    if severity == "S2":
        return 4 * 60, "wall"
    return budget_minutes(days=1, clock="working"), "working"
