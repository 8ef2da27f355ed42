"""The report page's own text lines, drawn without matplotlib's per-string text machinery.

Issue 20 asks for a year of nights in ≤ 500 ms. With matplotlib 3.11 most of a page's time was
its text: each string is shaped by libraqm (`ft2font._layout`/`set_text`, ~0.1 ms a string plus
~20 µs a character), once to measure it and again to draw it, and every glyph is rasterised
anew by FreeType, for the PNG and again for the PDF. The page's text is one monospaced font,
left-aligned, one line per string, so none of that is needed for it:

- PNG (Agg): each glyph is rasterised once per process, size and quarter-pixel phase and kept;
  a line is the glyphs' bitmaps put side by side at the font's fixed advance into one coverage
  array, handed to Agg in one call. The drawing process keeps the cache between reports.
- PDF: :func:`pdf_core_fonts` says whether every string of the report is in the PDF's standard
  (WinAnsi) encoding once the few symbols we print are spelled out; then the PDF uses the
  standard Courier, which every PDF reader has: nothing to embed or subset (a fontTools pass of
  250–300 ms per font), and each string is one text operator, still real, searchable text.
  A note in, say, Cyrillic keeps the embedded DejaVu Sans Mono (slower, every character right).

Anything else (a character the font lacks, a rotated or multi-line string) takes matplotlib's
ordinary path, so the fast path never changes what a line says.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from typing import Any

import numpy as np
from matplotlib.backends.backend_agg import RendererAgg, get_hinting_flag
from matplotlib.figure import Figure
from matplotlib.ft2font import RenderMode
from matplotlib.text import Text

# Spelled out for the PDF's standard fonts, whose encoding (WinAnsi, i.e. cp1252) lacks them.
CORE_SPELLING = str.maketrans({"≥": ">=", "≤": "<=", "→": "->", "●": "•", "−": "-"})
PHASES = 4  # glyph positions kept per pixel, horizontally
MAX_GLYPHS = 20_000  # a year's page in Latin script keeps ~700 (sizes × characters × phases)

# (font file, size, dpi, glyph, phase) -> (coverage, left, top) relative to the pen's pixel.
_glyphs: dict[tuple[str, float, float, int, int], tuple[np.ndarray, int, int]] = {}
# (font file, size, dpi) -> (advance in pixels, ascent of "lp" in pixels)
_metrics: dict[tuple[str, float, float], tuple[float, float]] = {}


def core_text(text: str) -> str:
    return text.translate(CORE_SPELLING)


def pdf_core_fonts(figures: Iterable[Figure]) -> bool:
    """Whether every text of `figures` can be written in the PDF's standard fonts (cp1252, the
    symbols above spelled out); if so, spells them out in the figures (once their PNG is
    saved: the PNG keeps them)."""
    texts = [t for figure in figures for t in _texts(figure)]
    try:
        for text in texts:
            core_text(text.get_text()).encode("cp1252")
    except UnicodeEncodeError:
        return False
    for text in texts:
        original = text.get_text()
        if (spelled := core_text(original)) != original:
            text.set_text(spelled)
    return True


def _texts(figure: Figure) -> Iterator[Text]:
    """The figure's own texts, its axes' (the page's lines among them), labels and legends.
    Tick labels are left out (walking every artist took 30 ms): the report's are dates, numbers,
    times and region names, all in cp1252."""
    yield from figure.texts
    for ax in figure.axes:
        yield from ax.texts
        yield ax.title
        yield ax.xaxis.label
        yield ax.yaxis.label
        if (legend := ax.get_legend()) is not None:
            yield from legend.texts


class PageText(Text):
    """A left-aligned, top-anchored line of the page (see the module's docstring)."""

    def draw(self, renderer: Any) -> None:
        if not self.get_visible() or not self.get_text():
            return
        agg = isinstance(renderer, RendererAgg)
        if self._draw_agg(renderer) if agg else self._draw_core(renderer):
            self.stale = False
        else:
            super().draw(renderer)

    def _gc(self, renderer: Any) -> Any:
        """The graphics context Text.draw sets up: colour, alpha, clipping."""
        gc = renderer.new_gc()
        gc.set_foreground(self.get_color())
        gc.set_alpha(self.get_alpha())
        self._set_gc_clip(gc)  # type: ignore[attr-defined]
        return gc

    def _simple(self) -> bool:
        return not (
            "\n" in self.get_text()
            or self.get_rotation()
            or self.get_horizontalalignment() != "left"
            or self.get_verticalalignment() != "top"
            or self.get_usetex()
        )

    def _draw_core(self, renderer: Any) -> bool:
        """PDF in a standard font: the string as one text operator at its baseline, without
        measuring it first (a left-aligned line needs no width)."""
        metrics = getattr(renderer, "_get_font_height_metrics", None)
        if metrics is None or not self._simple():
            return False
        ascent, _, _ = metrics(self.get_fontproperties())
        if ascent is None:  # an embedded font: matplotlib's own path
            return False
        x, y = self.get_transform().transform(self.get_unitless_position())
        gc = self._gc(renderer)
        renderer.open_group("text", self.get_gid())
        renderer.draw_text(gc, x, y - ascent, self.get_text(), self.get_fontproperties(), 0)
        renderer.close_group("text")
        gc.restore()
        return True

    def _draw_agg(self, renderer: RendererAgg) -> bool:
        text = self.get_text()
        if not self._simple():
            return False
        prop = self.get_fontproperties()
        font = renderer._prepare_font(prop)
        size = prop.get_size_in_points()
        dpi = renderer.dpi
        indices = [font.get_char_index(ord(c)) for c in text]
        if 0 in indices and text.strip():
            return False  # a character the font lacks: matplotlib's fallback fonts draw it
        key = (font.fname, size, dpi)
        if key not in _metrics:
            # The ascent matplotlib gives a one-line text (the font's typographic ascender), so
            # a line sits where a Text with va="top" would; the advance of the monospaced font.
            scale = size * dpi / 72 / font.get_sfnt_table("head")["unitsPerEm"]
            ascent = font.get_sfnt_table("OS/2")["sTypoAscender"] * scale
            glyph = font.load_char(ord("0"), flags=get_hinting_flag())
            _metrics[key] = (glyph.linearHoriAdvance / 65536, ascent)
            font.set_size(size, dpi)
        advance, ascent = _metrics[key]
        x, y = self.get_transform().transform(self.get_unitless_position())
        baseline = round(y - ascent)  # pixels up from the bottom, snapped to a whole pixel
        flags = get_hinting_flag()
        pieces = []
        for i, index in enumerate(indices):
            if text[i] == " ":
                continue
            pen = x + i * advance
            whole = math.floor(pen)
            phase = min(PHASES - 1, round((pen - whole) * PHASES))
            glyph = _glyphs.get((font.fname, size, dpi, index, phase))
            if glyph is None:
                if len(_glyphs) >= MAX_GLYPHS:
                    _glyphs.clear()  # a bound on the drawing process's memory (~200 B a glyph)
                glyph = _render(font, size, dpi, index, phase, flags)
                _glyphs[(font.fname, size, dpi, index, phase)] = glyph
            coverage, left, top = glyph
            if coverage.size:
                pieces.append((coverage, whole + left, baseline + top))
        if not pieces:
            return True
        left = min(p[1] for p in pieces)
        right = max(p[1] + p[0].shape[1] for p in pieces)
        top = max(p[2] for p in pieces)
        bottom = min(p[2] - p[0].shape[0] for p in pieces)
        line = np.zeros((top - bottom, right - left), np.uint8)
        for coverage, gx, gy in pieces:
            rows, cols = coverage.shape
            r0, c0 = top - gy, gx - left
            target = line[r0 : r0 + rows, c0 : c0 + cols]
            np.maximum(target, coverage, out=target)
        gc = self._gc(renderer)
        # Agg's y is downwards, to the bitmap's bottom side.
        renderer._renderer.draw_text_image(line, left, int(renderer.height) - bottom, 0, gc)
        gc.restore()
        return True


def _render(
    font: Any, size: float, dpi: float, index: int, phase: int, flags: Any
) -> tuple[np.ndarray, int, int]:
    font.set_size(size, dpi)
    font._set_transform([[0x10000, 0], [0, 0x10000]], [round(0x40 * phase / PHASES), 0])
    bitmap = font._render_glyph(index, flags, RenderMode.NORMAL)
    return np.array(bitmap.buffer, np.uint8), bitmap.left, bitmap.top
