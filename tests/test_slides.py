"""The slide decks (book/slides.py, `make slides`) and text legible on a projector.

Builds one short deck into a temporary folder from the stored outputs (nothing is executed), and
checks that no figure code, in asrlib/ or in a notebook's code cells, sets text under 9 pt.
"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from asrlib import plots

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
DECK = "04_ctc_loss"  # short, deterministic (strict nbval), with figures and formulas
MAX_DECK_BYTES = 3_000_000  # its outputs are about 0.3 MB; the page's CSS about 0.3 MB


def _slides():
    spec = importlib.util.spec_from_file_location("book_slides", ROOT / "book" / "slides.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def deck(tmp_path_factory):
    out = tmp_path_factory.mktemp("slides")
    assert _slides().main([str(out), "--only", DECK[:2]]) == 0
    return out


def _headings(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    found = []
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                match = re.match(r"^#{1,3}\s+(.*)$", line)
                if match:
                    found.append(match.group(1).strip())
    return found


def _text(markup: str) -> str:
    """Visible text of an HTML fragment, entities decoded, whitespace collapsed."""
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def test_deck_has_slides_headings_and_embedded_images(deck):
    page = (deck / f"{DECK}.slides.html").read_text(encoding="utf-8")
    sections = page.count("<section")
    assert sections >= 20, f"only {sections} <section> elements"
    assert page.count("<section") == page.count("</section>")
    text = _text(page)
    for heading in _headings(ROOT / "notebooks" / f"{DECK}.ipynb"):
        plain = _text(re.sub(r"`([^`]*)`", r"\1", heading))  # `inf` is <code>inf</code>
        assert plain in text, f"heading {heading!r} is not in the deck"
    assert page.count('src="data:image/png;base64,') >= 5  # the figures, inside the file
    assert not re.search(r'<img[^>]+src="(?!data:)', page), "an image that is not embedded"
    assert (deck / f"{DECK}.slides.html").stat().st_size < MAX_DECK_BYTES
    index = (deck / "index.html").read_text(encoding="utf-8")
    assert f'href="{DECK}.slides.html"' in index


def test_deck_leaves_out_setup_and_exercises_but_says_where_they_are(deck):
    page = (deck / f"{DECK}.slides.html").read_text(encoding="utf-8")
    assert "FAST mode" not in _text(page)  # the setup cell prints it
    assert "nb04.n_alignments" not in page  # an exercise's check
    assert f"notebooks/{DECK}.ipynb" in _text(page)  # the slide that points to them


def test_deck_loads_reveal_without_cdn_scripts(deck):
    page = (deck / f"{DECK}.slides.html").read_text(encoding="utf-8")
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', page)
    assert any(s.endswith("/dist/reveal.js") for s in scripts)
    assert not [s for s in scripts if "require" in s or "jquery" in s]  # not needed any more
    if _slides().local_reveal() is not None:  # the sphinx-revealjs wheel is installed
        assert (deck / "reveal.js" / "dist" / "reveal.js").is_file()
        assert (deck / "reveal.js" / "plugin" / "notes" / "notes.js").is_file()
        assert [s for s in scripts if s.startswith("reveal.js/")] == [
            "reveal.js/dist/reveal.js", "reveal.js/plugin/notes/notes.js"]


def test_plan_marks_cells_without_touching_the_notebook():
    import nbformat

    slides = _slides()
    nb = nbformat.read(ROOT / "notebooks" / f"{DECK}.ipynb", as_version=4)
    before = nbformat.writes(nb)
    planned = slides.plan(nb, DECK)
    assert nbformat.writes(nb) == before
    types = [c.metadata.slideshow.slide_type for c in planned.cells]
    assert set(types) <= {"slide", "subslide", "-", "skip"}
    heads = [c for c in planned.cells if c.cell_type == "markdown" and c.source.startswith("## ")]
    shown = [c.metadata.slideshow.slide_type for c in heads if "Exercises" not in c.source]
    assert shown and set(shown) == {"slide"}
    exercises = [c for c in heads if c.source.startswith("## Exercises")]
    assert [c.metadata.slideshow.slide_type for c in exercises] == ["slide", "skip"]
    assert len({c.id for c in planned.cells}) == len(planned.cells)


def test_markdown_is_split_at_headings_and_to_fit():
    slides = _slides()
    parts = slides._markdown_parts("## Summary\n- a\n- b\n\n## Exercises\n1. one\n2. two")
    assert parts == ["## Summary\n- a\n- b", "## Exercises\n1. one\n2. two"]
    long = "## Title\n\n" + "\n\n".join(f"Paragraph {k}. " + "word " * 60 for k in range(12))
    parts = slides._markdown_parts(long)
    assert len(parts) > 1 and parts[0].startswith("## Title")
    assert all(slides._markdown_height(p) <= slides.BUDGET for p in parts)


# --- text legible from the back of a room ------------------------------------------------------

# A font size set in figure code: a keyword (fontsize=, labelsize=, titlesize=, and size= in a
# call that draws text), an rcParams key, or a matplotlib size name smaller than "medium".
_KEYWORD = re.compile(r"\b(fontsize|labelsize|titlesize)\s*=\s*([^,)\n]+)")
_SIZE = re.compile(r"(?<![\w.])size\s*=\s*([^,)\n]+)")
_DICT = re.compile(r"""["'](size|fontsize|font\.size|[xy]tick\.labelsize|legend\.fontsize|"""
                   r"""legend\.title_fontsize|axes\.(?:title|label)size|figure\.titlesize)["']"""
                   r"""\s*[:\]]\s*=?\s*([^,}\n]+)""")
_TEXT_CALL = re.compile(r"\.(text|annotate|set_title|suptitle|set_[xy]label|legend|"
                        r"set_[xy]ticklabels|set_[xy]ticks|tick_params|rc|table|clabel)\(|"
                        r"prop\s*=|fontdict|FontProperties")
_SMALL_NAMES = {"xx-small", "x-small", "small", "smaller"}


def _small(expression: str) -> list[str]:
    """The sizes under MIN_FONT_PT in an expression (numbers, or names like "small"); a number
    in arithmetic (``MIN_FONT_PT + 1``) is not a size by itself."""
    found = [name for name in re.findall(r"""["']([a-z-]+)["']""", expression)
             if name in _SMALL_NAMES]
    arithmetic = re.compile(r"[\w.]+\s*[-+*/]\s*[\w.]+")
    while arithmetic.search(expression):
        expression = arithmetic.sub("", expression)
    found += [n for n in re.findall(r"(?<![\w.])\d+(?:\.\d+)?(?![\w.])", expression)
              if float(n) < plots.MIN_FONT_PT]
    return found


def small_fonts(source: str) -> list[tuple[int, str]]:
    """(line number, line) of each line of Python that sets a font size under 9 pt."""
    hits = []
    for number, line in enumerate(source.splitlines(), 1):
        code = line.split("#", 1)[0] if "#" in line and "'#" not in line and '"#' not in line \
            else line
        expressions = [m.group(2) for m in _KEYWORD.finditer(code)]
        expressions += [m.group(2) for m in _DICT.finditer(code)]
        if _TEXT_CALL.search(code):
            expressions += [m.group(1) for m in _SIZE.finditer(code)]
        if any(_small(e) for e in expressions):
            hits.append((number, line.strip()))
    return hits


def notebook_small_fonts(path: Path) -> list[tuple[int, int, str]]:
    """(cell index, line number in the cell, line) for each code cell line under 9 pt."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [(index, number, line)
            for index, cell in enumerate(nb["cells"]) if cell["cell_type"] == "code"
            for number, line in small_fonts("".join(cell["source"]))]


def test_the_scanner_finds_small_sizes_and_only_those():
    assert small_fonts("ax.legend(frameon=False, fontsize=7)")
    assert small_fonts('ax.set_yticklabels(names, fontsize=6 if keep is None else 8)')
    assert small_fonts('ax.tick_params(labelsize=8)')
    assert small_fonts('ax.text(0, 0, "x", size=7)')
    assert small_fonts('mpl.rcParams.update({"font.size": 8})')
    assert small_fonts('plt.rcParams["legend.fontsize"] = "small"')
    assert small_fonts('ax.legend(prop={"size": 8})')
    assert small_fonts('ax.set_title("t", fontsize="x-small")')
    assert not small_fonts("ax.legend(frameon=False, fontsize=9)")
    assert not small_fonts("ax.text(0, 0, 'x', fontsize=MIN_FONT_PT)")
    assert not small_fonts("x = rng.normal(size=5)")  # not text
    assert not small_fonts("ax.plot(x, y, markersize=3)")
    assert not small_fonts("fig, ax = plt.subplots(figsize=(8, 3))")
    assert not small_fonts('"axes.titlesize": MIN_FONT_PT + 1,')


def test_no_text_under_9_pt_in_asrlib():
    hits = [f"{path.relative_to(ROOT)}:{number}: {line}"
            for path in sorted((ROOT / "asrlib").rglob("*.py"))
            for number, line in small_fonts(path.read_text(encoding="utf-8"))]
    assert not hits, "text under 9 pt:\n" + "\n".join(hits)


def test_style_sets_no_text_under_9_pt():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.font_manager import FontProperties

    plots.style()
    keys = ["font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize",
            "ytick.labelsize", "legend.fontsize", "figure.titlesize"]
    for key in keys:
        size = FontProperties(size=matplotlib.rcParams[key]).get_size_in_points()
        assert size >= plots.MIN_FONT_PT, (key, size)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_text_under_9_pt_in_notebooks(path):
    hits = [f"cell {index}, line {number}: {line}"
            for index, number, line in notebook_small_fonts(path)]
    assert not hits, f"{path.name}: text under 9 pt:\n" + "\n".join(hits)
