"""The words of grades, detectors, stages, levels and segments, in the plugin's domain."""
from __future__ import annotations

from plugins.tiering.i18n import N_, _l

GRADE_LABELS = {"key": _l("Key"), "focus": _l("Focus"), "general": _l("General"), "potential": _l("Potential")}
FOCUS_LABELS = {"new": _l("New customer"), "unstable": _l("Unstable volume"),
                "fast_growing": _l("Fast-growing with potential"), "churn": _l("Churn trend")}
# the same words as message ids, for task titles translated for each reader
FOCUS_MARKS = {"new": N_("New customer"), "unstable": N_("Unstable volume"),
               "fast_growing": N_("Fast-growing with potential"), "churn": N_("Churn trend")}
LIFECYCLE_LABELS = {"exploration": _l("Exploration"), "formation": _l("Formation"),
                    "stability": _l("Stability"), "decline": _l("Decline")}
PYRAMID_LABELS = {"platinum": _l("Top"), "gold": _l("Major"), "iron": _l("Medium"), "lead": _l("Small")}
SEGMENT_LABELS = {"champions": _l("Champions"), "loyal": _l("Loyal"), "promising": _l("Promising"),
                  "at_risk": _l("At risk"), "hibernating": _l("Hibernating"),
                  "need_attention": _l("Needs attention")}
ATTRIBUTE_LABELS = {"grade": _l("Grade"), "size_class": _l("Size class"), "focus": _l("Focus reasons"),
                    "lifecycle": _l("Lifecycle stage"), "pyramid": _l("Pyramid level"),
                    "segment": _l("RFM segment"), "churn": _l("Churn trend")}
LEVELS = {1: _l("Low"), 2: _l("Medium"), 3: _l("High")}


def attribute_value(attribute: str, value: object) -> str:
    """A stored attribute value in words: "key" -> 重点, "new,churn" -> 新客户, 流失趋势."""
    if value is None or value == "":
        return "—"
    tables = {"grade": GRADE_LABELS, "lifecycle": LIFECYCLE_LABELS, "pyramid": PYRAMID_LABELS,
              "segment": SEGMENT_LABELS}
    if attribute == "focus":
        return ", ".join(str(FOCUS_LABELS.get(v, v)) for v in str(value).split(","))
    if attribute == "churn":
        return str(_l("yes")) if value else str(_l("no"))
    return str(tables.get(attribute, {}).get(str(value), value))
