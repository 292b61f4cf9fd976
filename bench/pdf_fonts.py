"""PDF rendering time: the lean GB2312 font against the full system CJK font, side by side.

    .venv/bin/python bench/pdf_fonts.py [runs]

Prints a table of median seconds per one-page document and the ratio.
"""
from __future__ import annotations

import statistics
import sys
import time

from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration

from core.fonts import lean_font_path, source_font

PAGE = """<h1>过磅单 / 客户档案卡</h1><table>{rows}</table><p>人民币捌万壹仟伍佰元整</p>"""
ROW = "<tr><td>河南双力饲料经销部</td><td>豫A·12345</td><td>25 340 kg</td><td>育肥猪配合饲料</td></tr>"


def render_seconds(font_url: str, runs: int) -> float:
    times = []
    for _ in range(runs):
        config = FontConfiguration()
        css = CSS(string=f"@font-face {{ font-family: B; src: url('{font_url}'); }} html {{ font-family: B; }}",
                  font_config=config)
        start = time.perf_counter()
        HTML(string=PAGE.format(rows=ROW * 12)).write_pdf(stylesheets=[css], font_config=config)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    lean = render_seconds(lean_font_path().as_uri(), runs)
    full = render_seconds(source_font().as_uri(), runs)
    print(f"{'font':<40} {'median s/page':>14}")
    print(f"{'full system font (' + source_font().name + ')':<40} {full:>14.3f}")
    print(f"{'lean GB2312 subset':<40} {lean:>14.3f}")
    print(f"{'ratio full / lean':<40} {full / lean:>14.1f}x")


if __name__ == "__main__":
    main()
