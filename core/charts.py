"""Server-drawn SVG charts for plugins' report pages and printed forms.

Charts are drawn by pygal on the server and inlined as ``<svg>``: they need no JavaScript, print,
and stay readable with scripts blocked. pygal adds a configuration ``<script>`` and tooltip styles
even when asked for no JavaScript; the site's Content-Security-Policy would refuse both, so
``chart_svg`` removes them and gives the chart's own ``<style>`` this response's nonce.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import has_request_context
from markupsafe import Markup

CHART_KINDS = {"bar": "Bar", "hbar": "HorizontalBar", "line": "Line", "stacked": "StackedBar",
               "pie": "Pie"}
FONT = "'WenQuanYi Micro Hei', 'Noto Sans CJK SC', sans-serif"
COLOURS = ("#1f5f8b", "#e8a33d", "#5b8c3a", "#b33a3a", "#7a5195", "#6b6b6b")

_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
_STYLE_ATTR = re.compile(r'\sstyle="[^"]*"')
_COMMENT = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class ChartPoint:
    """One value of a series; ``href`` makes its bar or slice a link (e.g. to the filtered list)."""

    value: float | int | None
    href: str | None = None
    label: str | None = None

    def pygal_value(self) -> Any:
        point: dict[str, Any] = {"value": self.value}
        if self.href:
            point["xlink"] = {"href": self.href, "target": "_self"}
        if self.label:
            point["label"] = self.label
        return point


def chart(kind: str, title: str, labels: list[str],
          series: dict[str, list[ChartPoint | float | int | None]], **config: Any) -> Markup:
    """A chart of ``kind`` (bar, hbar, line, stacked, pie) as inline SVG markup.

    ``labels`` name the x positions; each series maps its name to one value per label (a pie takes
    one value per series). Extra keyword arguments are pygal's own options (width, height, …).
    """
    import pygal  # imported on first use: core.api stays cheap to import
    from pygal.style import Style

    style = Style(background="white", plot_background="white", font_family=FONT, colors=COLOURS)
    options: dict[str, Any] = {"width": 640, "height": 320, "style": style,
                               "print_values": True, "show_legend": len(series) > 1}
    options.update(config)
    drawing = getattr(pygal, CHART_KINDS[kind])(js=[], disable_xml_declaration=True, **options)
    drawing.title = title
    if kind != "pie":
        drawing.x_labels = labels
    for name, values in series.items():
        drawing.add(name, [v.pygal_value() if isinstance(v, ChartPoint) else v for v in values])
    return chart_svg(drawing)


def chart_svg(drawing: Any) -> Markup:
    """Render a pygal chart as ``<svg>`` markup that the Content-Security-Policy lets through."""
    svg = drawing.render(is_unicode=True)
    svg = _COMMENT.sub("", _STYLE_ATTR.sub("", _SCRIPT.sub("", svg)))
    if has_request_context():
        from core.web import csp_nonce

        svg = svg.replace("<style", f'<style nonce="{csp_nonce()}"', 1)
    return Markup(svg)
