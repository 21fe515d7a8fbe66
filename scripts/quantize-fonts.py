#!/usr/bin/env python3
"""Puts the bundled Fandol faces on a 250-unit em, so a report's embedded subsets are smaller.

After `slim-fonts.py`, a report's body face was still 100-137 KB embedded: about 300 bytes a
character after deflate, and deflate gains little on CFF charstrings. Most of those bytes are
coordinates, and a 1000-unit em gives them more precision than print can show: on a 250-unit
em a coordinate moves by at most half a unit, 0.011 mm at 16 pt (a 600 dpi dot is 0.042 mm),
and the charstrings deflate to about three quarters of their size.

Rounding alone bends very short curves into spikes, so each outline is re-drawn on the new
grid first: a curve that becomes shorter than two units, or loses its handles, is drawn as a
line, and a segment that collapses to a point is dropped. Then every glyph of the new face is
rendered beside the old one (FreeType, unhinted, 266 px to the em: 16 pt at 1200 dpi) and the
pixels that differ more than one pixel away from the old outline's edge are counted. The
script prints, per face, how many glyphs differ and the worst, and refuses a face (keeps the
old file) where a glyph differs in more than MAX_OFF pixels. Seen: at most 43 pixels, a
hairline opened between two strokes that overlapped by less than a unit (0.02 mm at 16 pt).

Needs fontTools >= 4.68 (its scaleUpem handles CFF), freetype-py, numpy and scipy (PyPI):
    python3 scripts/quantize-fonts.py fonts/ [FACE.otf ...]
rewrites the named faces (FACES by default) in place.
"""
import math
import os
import sys

import freetype
import numpy as np
from fontTools.pens.recordingPen import RecordingPen
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont
from fontTools.ttLib.scaleUpem import scale_upem
from scipy import ndimage

EM = 160
PPEM = 266
MAX_OFF = 60  # pixels of one glyph at PPEM, beyond the one-pixel band around the old edge

# The faces whose subsets are most of a report (body, headings, title). FandolKai was
# refused (one glyph 398 px off); FandolSong-Regular draws only the page numbers.
FACES = [
    "FandolFang-Regular.otf",
    "FandolHei-Regular.otf",
    "FandolSong-Bold.otf",
]


def on_grid(recording, scale):
    """The outline's segments with points rounded onto the grid of the new em."""
    out = []
    cur = None

    def snap(p):
        return (round(p[0] * scale), round(p[1] * scale))

    for op, args in recording:
        if op == "moveTo":
            cur = snap(args[0])
            out.append(("moveTo", [cur]))
        elif op == "lineTo":
            p = snap(args[0])
            if p != cur:
                out.append(("lineTo", [p]))
                cur = p
        elif op == "curveTo":
            c1, c2, p = (snap(a) for a in args)
            handles_gone = c1 in (cur, p) and c2 in (cur, p)
            if math.dist(cur, p) < 2 or handles_gone:
                if p != cur:
                    out.append(("lineTo", [p]))
                    cur = p
                continue
            out.append(("curveTo", [c1, c2, p]))
            cur = p
        elif op in ("closePath", "endPath"):
            out.append((op, []))
            cur = None
        else:
            raise ValueError(f"unexpected outline operator {op}")
    return out


def quantize(src, dst):
    font = TTFont(src)
    cff = font["CFF "].cff
    cff.desubroutinize()
    charstrings = cff.topDictIndex[0].CharStrings
    glyphs = font.getGlyphSet()
    hmtx = font["hmtx"]
    scale = EM / font["head"].unitsPerEm
    for name in font.getGlyphOrder():
        recording = RecordingPen()
        glyphs[name].draw(recording)
        private = charstrings[name].private
        advance = hmtx[name][0]
        width = None
        if advance != getattr(private, "defaultWidthX", 0):
            width = advance - getattr(private, "nominalWidthX", 0)
        pen = T2CharStringPen(width, None)
        # Drawn in the old units on the new grid, so scale_upem's own rounding is exact.
        for op, points in on_grid(recording.value, scale):
            getattr(pen, op)(*[(x / scale, y / scale) for x, y in points])
        charstrings[name] = pen.getCharString(private=private, globalSubrs=cff.GlobalSubrs)
    scale_upem(font, EM)
    font.save(dst)


def raster(face, gid):
    face.load_glyph(gid, freetype.FT_LOAD_NO_HINTING | freetype.FT_LOAD_NO_BITMAP)
    face.glyph.render(freetype.FT_RENDER_MODE_NORMAL)
    bm = face.glyph.bitmap
    size = 2 * PPEM
    img = np.zeros((size, size), bool)
    if bm.rows == 0:
        return img
    ink = np.array(bm.buffer, np.uint8).reshape(bm.rows, bm.pitch)[:, : bm.width] >= 128
    x0 = face.glyph.bitmap_left + PPEM // 2
    y0 = PPEM + PPEM // 2 - face.glyph.bitmap_top
    img[max(y0, 0) : y0 + bm.rows, max(x0, 0) : x0 + bm.width] = ink[
        max(-y0, 0) : size - y0, max(-x0, 0) : size - x0
    ]
    return img


def compare(old, new):
    """Pixels off the old edge band by glyph id, for the glyphs that have any."""
    faces = []
    for path in (old, new):
        face = freetype.Face(path)
        face.set_pixel_sizes(0, PPEM)
        faces.append(face)
    square = np.ones((3, 3), bool)
    offs = {}
    for gid in range(1, faces[0].num_glyphs):
        a, b = raster(faces[0], gid), raster(faces[1], gid)
        band = ndimage.binary_dilation(a, square) & ~ndimage.binary_erosion(a, square)
        off = int(((a ^ b) & ~band).sum())
        if off:
            offs[gid] = off
    return offs


def main():
    folder = sys.argv[1]
    faces = sys.argv[2:] or FACES
    failed = False
    for name in faces:
        path = os.path.join(folder, name)
        tmp = path + ".tmp"
        before = os.path.getsize(path)
        quantize(path, tmp)
        offs = compare(path, tmp)
        off, gid = max(((o, g) for g, o in offs.items()), default=(0, 0))
        verdict = "ok" if off <= MAX_OFF else "REFUSED"
        print(f"{name}: {before} -> {os.path.getsize(tmp)} bytes; {len(offs)} glyphs differ off the "
              f"edge band at {PPEM} ppem, the most by {off} px (glyph {gid}): {verdict}", flush=True)
        if off <= MAX_OFF:
            os.replace(tmp, path)
        else:
            os.remove(tmp)
            failed = True
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
