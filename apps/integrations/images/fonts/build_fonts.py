"""Rebuild the bundled fonts from Debian's font packages (see README.md in this folder).

Not used at run time and not a project dependency: run it in a throwaway virtualenv with
fontTools, from a folder holding the extracted packages:

    apt-get download fonts-inter fonts-noto-core fonts-noto-cjk
    for f in *.deb; do dpkg-deb -x "$f" x; done
    python -m venv ftv && ftv/bin/pip install fonttools
    ftv/bin/python build_fonts.py x/usr/share/fonts  # writes next to this script

What it does: copies three Inter faces as they are; merges a Latin subset of Noto Sans into Noto
Sans Arabic, Devanagari, Hebrew and Thai (those fonts have no Latin letters or European digits,
so a headline mixing scripts, such as an Arabic sentence with a brand name, would show empty
boxes; a merged font lets raqm lay out and reorder the whole line in one pass); subsets the
Simplified-Chinese face of Noto Sans CJK to the commonly used characters (GB 2312, JIS X 0208,
Big5 level 1, KS X 1001 Hangul, kana, CJK punctuation and full-width forms), which brings the
two weights from 40 MB to about 10 MB.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

HERE = Path(__file__).resolve().parent

INTER = ["Inter-Regular.otf", "Inter-SemiBold.otf", "InterDisplay-Bold.otf"]
MERGED_SCRIPTS = ["Arabic", "Devanagari", "Hebrew", "Thai"]
LATIN_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x20A0, 0x20BF), (0x2100, 0x2122)]
CJK_RANGES = [
    (0x20, 0x7E),
    (0xA0, 0x17F),
    (0x2000, 0x206F),
    (0x20A0, 0x20BF),
    (0x2100, 0x214F),
    (0x2190, 0x21FF),
    (0x2460, 0x24FF),
    (0x25A0, 0x26FF),
    (0x2E80, 0x2EFF),
    (0x3000, 0x30FF),
    (0x3130, 0x318F),
    (0x31F0, 0x32FF),
    (0xFF00, 0xFFEF),
]


def _codepoints(ranges) -> set[int]:
    return {cp for start, end in ranges for cp in range(start, end + 1)}


def _double_byte(codec: str, cp: int) -> bool:
    try:
        return len(chr(cp).encode(codec)) == 2
    except UnicodeEncodeError:
        return False


def cjk_codepoints() -> set[int]:
    han = range(0x4E00, 0xA000)
    chosen = {cp for cp in han if _double_byte("gb2312", cp) or _double_byte("shift_jis", cp)}
    for cp in han:  # Big5 level 1: the 5,401 frequent traditional characters
        if _double_byte("big5", cp) and 0xA440 <= int.from_bytes(chr(cp).encode("big5"), "big") <= 0xC67E:
            chosen.add(cp)
    hangul = {cp for cp in range(0xAC00, 0xD7A4) if _double_byte("euc_kr", cp)}
    return chosen | hangul | _codepoints(CJK_RANGES)


def _subset(font: TTFont, codepoints: set[int], *, hinting: bool = True) -> TTFont:
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.hinting = hinting
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints)
    subsetter.subset(font)
    return font


def build(source: Path) -> None:
    for name in INTER:
        shutil.copy(source / "opentype/inter" / name, HERE / name)

    noto = source / "truetype/noto"
    for weight in ("Regular", "Bold"):
        latin = HERE / f"_latin-{weight}.ttf"
        _subset(TTFont(noto / f"NotoSans-{weight}.ttf"), _codepoints(LATIN_RANGES)).save(latin)
        for script in MERGED_SCRIPTS:
            merged = Merger().merge([str(noto / f"NotoSans{script}-{weight}.ttf"), str(latin)])
            merged.save(HERE / f"NotoSans{script}Latin-{weight}.ttf")
        latin.unlink()

        cjk = TTFont(source / f"opentype/noto/NotoSansCJK-{weight}.ttc", fontNumber=2)  # the SC face
        _subset(cjk, cjk_codepoints(), hinting=False).save(HERE / f"NotoSansCJKsc-{weight}-subset.otf")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    build(Path(sys.argv[1]))
