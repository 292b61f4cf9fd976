"""The lean CJK font for PDFs: a GB2312 subset of a system font without layout tables.

WeasyPrint spends seconds subsetting a full CJK font per document; a small, table-light font
built once makes a one-page ticket render in well under a second. ``python -m core.fonts``
builds it (the install script does); ``lean_font_path`` builds it on first use otherwise.
"""
from __future__ import annotations

import os
import subprocess
from pathlib import Path

FONT_NAME = "guanxi-cjk-gb2312.ttf"
FAMILY = "Guanxi CJK"
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
)
LAYOUT_TABLES = ["GSUB", "GPOS", "GDEF", "BASE", "JSTF", "MATH", "morx", "kern", "vhea", "vmtx", "FFTM"]


def cache_dir() -> Path:
    base = os.environ.get("GUANXI_FONT_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME", os.path.expanduser("~/.cache")), "guanxi", "fonts")
    return Path(base)


def source_font() -> Path:
    for candidate in CANDIDATES:
        if Path(candidate).exists():
            return Path(candidate)
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True,
                             check=False).stdout
    except FileNotFoundError:
        out = ""
    for line in out.splitlines():
        path = line.split(":")[0].strip()
        if path:
            return Path(path)
    raise RuntimeError("No CJK font found: install fonts-wqy-microhei (apt-get install fonts-wqy-microhei).")


def gb2312_text() -> str:
    """ASCII, the GB2312 repertoire (symbols and the 6 763 hanzi) and common full-width marks."""
    chars = {chr(c) for c in range(0x20, 0x7F)}
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(bytes([high, low]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    chars.update("¥°±×÷—–‘’“”…‰€·　、。《》「」『』【】〔〕（）：；，．？！")
    return "".join(sorted(chars))


def build_lean_font(target: Path, source: Path | None = None) -> Path:
    from fontTools import subset

    source = source or source_font()
    options = subset.Options()
    options.font_number = 0
    options.layout_features = []
    options.drop_tables += LAYOUT_TABLES
    options.hinting = False
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=gb2312_text())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    subset.save_font(font, str(tmp), options)
    tmp.replace(target)
    return target


def lean_font_path() -> Path:
    target = cache_dir() / FONT_NAME
    if not target.exists():
        build_lean_font(target)
    return target


if __name__ == "__main__":
    path = lean_font_path()
    print(f"PDF font ready: {path} ({path.stat().st_size // 1024} KiB)")
