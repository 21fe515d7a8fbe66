#!/usr/bin/python3
"""Makes the bundled faces lighter: Fandol outlines simplified, the fallback cut to what it adds.

The Fandol outlines were traced with many short segments: about 500 bytes a character, so a
report's body face alone was 150-200 KB embedded. Each glyph is simplified within ERROR font
units (1/1000 em: 0.02 mm at 16 pt, invisible in print) and kept only if its bounds and
filled area stay within tolerance of the original; any glyph that fails keeps its original
outline. Hints are dropped: printed and PDF output is rendered unhinted at any useful size.

The fallback face (Noto Serif CJK SC) is only asked for characters the Fandol faces lack, so
it keeps just the characters FandolFang lacks (Hangul left out), without hints: 24 MB -> ~9 MB.

Run with Debian's python3-fontforge and python3-fonttools:
    /usr/bin/python3 scripts/slim-fonts.py SRC_DIR fonts/
where SRC_DIR holds the original Fandol .otf files (texlive-lang-chinese,
fonts/opentype/public/fandol/) and NotoSerifCJKsc-Regular.otf (the SC face of Debian
fonts-noto-cjk's NotoSerifCJK-Regular.ttc). Prints, per face, what it did.
"""
import os
import sys

import fontforge
from fontTools.pens.statisticsPen import StatisticsPen
from fontTools.pens.boundsPen import BoundsPen
from fontTools import subset
from fontTools.ttLib import TTFont

ERROR = 3  # font units
FLAGS = ("smoothcurves", "mergelines", "removesingletonpoints")
BOUNDS_TOLERANCE = ERROR + 3  # font units
AREA_TOLERANCE = 0.02  # relative

FACES = [
    "FandolFang-Regular.otf",
    "FandolHei-Regular.otf",
    "FandolKai-Regular.otf",
    "FandolSong-Bold.otf",
    "FandolSong-Regular.otf",
]


def cid(name):
    """The CID of a glyph of a CID-keyed font as fontTools names it (`cid01234`)."""
    return 0 if name == ".notdef" else int(name[3:])


def measure(path):
    """Bounds and filled area of every glyph by CID, or None for one that cannot be drawn."""
    font = TTFont(path)
    glyphs = font.getGlyphSet()
    out = {}
    for name in font.getGlyphOrder():
        try:
            b = BoundsPen(glyphs)
            glyphs[name].draw(b)
            s = StatisticsPen(glyphs)
            glyphs[name].draw(s)
            out[cid(name)] = (b.bounds, abs(s.area))
        except Exception:  # a malformed charstring: treat as failed
            out[cid(name)] = None
    return out


def close(a, b):
    if a is None or b is None:
        return False
    (ba, aa), (bb, ab) = a, b
    if (ba is None) != (bb is None):
        return False
    if ba is not None and max(abs(x - y) for x, y in zip(ba, bb)) > BOUNDS_TOLERANCE:
        return False
    return abs(aa - ab) <= AREA_TOLERANCE * max(aa, 1.0)


def slim(src, dst):
    before = measure(src)
    reverted = set()
    for attempt in range(3):
        font = fontforge.open(src)
        for glyph in font.glyphs():
            if glyph.encoding in reverted:  # the CID, in a CID-keyed font
                continue
            glyph.simplify(ERROR, FLAGS)
            glyph.round()
        font.generate(dst, flags=("opentype", "omit-instructions", "no-hints"))
        font.close()
        after = measure(dst)
        bad = {n for n in before if n in after and not close(before[n], after[n])}
        bad -= reverted
        if not bad:
            break
        reverted |= bad
    print(f"{os.path.basename(dst)}: {os.path.getsize(src)} -> {os.path.getsize(dst)} bytes, "
          f"{len(before) - len(reverted)} glyphs simplified, {len(reverted)} kept as they were")


FALLBACK = "NotoSerifCJKsc-Regular.otf"


def hangul(c):
    return (0xAC00 <= c <= 0xD7FF or 0x1100 <= c <= 0x11FF or 0x3130 <= c <= 0x318F
            or 0xA960 <= c <= 0xA97F)


def cut_fallback(src, body, dst):
    have = set(TTFont(body).getBestCmap())
    font = TTFont(src)
    keep = sorted(c for c in font.getBestCmap() if c not in have and not hangul(c))
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["BASE", "VORG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=keep)
    subsetter.subset(font)
    font.save(dst)
    print(f"{os.path.basename(dst)}: {os.path.getsize(src)} -> {os.path.getsize(dst)} bytes, "
          f"{len(keep)} characters the body face lacks")


def main():
    src_dir, dst_dir = sys.argv[1], sys.argv[2]
    for face in FACES:
        slim(os.path.join(src_dir, face), os.path.join(dst_dir, face))
    cut_fallback(os.path.join(src_dir, FALLBACK), os.path.join(src_dir, FACES[0]),
                 os.path.join(dst_dir, FALLBACK))


if __name__ == "__main__":
    main()
