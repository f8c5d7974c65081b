"""One reveal.js slide deck per notebook, for projecting in class (nbconvert's SlidesExporter).

    .venv/bin/python book/slides.py [OUT] [--only NN ...] [--reveal-url URL]   # or: make slides

OUT defaults to ``book/_build/slides`` (git-ignored): ``NN_name.slides.html`` per notebook and an
``index.html`` listing them. Decks are made from the outputs stored in the notebooks (nothing is
executed), so a build takes seconds and needs no speech data. book/README.md ("Slides") says how
to present and print them.

The notebooks carry no slide metadata and are never edited: each is read into memory and its
cells are given ``metadata.slideshow.slide_type`` here (``plan``):

- a markdown heading ``#`` or ``##`` starts a slide (left to right), ``###`` a subslide (down);
  a markdown cell holding several headings (a summary followed by "## Exercises") is split at
  each one first;
- every other cell continues the current (sub)slide ("-"), unless the slide would overflow the
  960×700 reveal.js page (an estimate of each cell's height, ``_height``, checked against the
  rendered decks in Chromium): then it starts a subslide, so a long explanation and the code after
  it land on two slides, one below the other. A cell taller than a slide is split (``_pieces``):
  markdown at paragraphs and list items, code at a blank line before a top-level statement, and
  outputs go to their own subslide (code hidden). No fragments: nothing to click through;
- text outputs longer than ``MAX_OUTPUT_LINES`` keep their first and last lines, with a line
  saying how many the notebook has; a slide that still overflows scrolls (CSS), never cut off;
- **skipped** ("skip"): the setup cell (the first code cell, ``# Setup: …``), which only imports;
  and the exercises ("## Exercises" up to the next ``##`` heading), replaced by one slide saying
  they are in the notebook (the decks are for the lecture, the exercises are done in Jupyter).
  Cells tagged ``nbval-ignore-output`` are kept: their outputs are cut like any other;
- the check cells (``# Check: …`` or tagged ``nbval-check-output``) show only their verdict
  ("✓ …"), not their asserts;
- an interactive widget (the apps of 08 and 10) cannot run in a deck: its output is replaced by a
  note; audio players and figures are kept, embedded in the HTML.

Legibility: text is 20 px and code 19 px on the 960 px page; code or output whose longest line
would not fit gets a smaller font (a cell tag the CSS reads), never below ``MIN_CODE_PX`` (15 px:
the same share of the width as 9 pt of an 8-inch figure); longer lines wrap.

reveal.js: when the ``sphinx-revealjs`` wheel is installed (``make slides`` installs it; it ships
reveal.js 5, MIT licensed, as plain files), the files a deck needs are copied into
``OUT/reveal.js`` (0.7 MB) and the decks load them from there: they open offline, from disk.
Without it the decks load reveal.js from nbconvert's CDN default and need internet to show as
slides (without it they show as one long page). ``--reveal-url`` chooses another copy (a URL, or
a path relative to OUT). Formulas are typeset by MathJax from its CDN in either case: offline,
they show as their TeX source.
"""

from __future__ import annotations

import argparse
import base64
import copy
import html
import re
import shutil
import struct
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
OUT = ROOT / "book" / "_build" / "slides"
CDN = "https://unpkg.com/reveal.js@4.0.2"  # nbconvert's default reveal_url_prefix
LOCAL = "reveal.js"  # where a local copy goes, relative to OUT

# The reveal.js page is 960×700 CSS px, scaled to the screen; the template's fonts (20 px text,
# 19 px code) are what make it legible from the back of a room, so they are not shrunk: content
# is spread over more slides instead. BUDGET leaves room for the page's padding and for the
# estimate's error (measured in Chromium over all decks: it is about 25 px low on average).
WIDTH, BUDGET = 900, 600
MAX_OUTPUT_LINES = 16
TEXT_LINE, LIST_LINE, TEXT_CHARS = 26, 32, 86  # 20 px text: px per line, characters per line
CODE_CHARS, MIN_CODE_PX = 82, 15  # 19 px code: characters per line; smallest size for long lines
CELL_GAP = 12
MAX_IMAGE_PX = 580  # a taller figure or screenshot is shown smaller (CSS max-height)

HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
LIST_ITEM = re.compile(r"^([-*+]|\d+\.)\s")
EXERCISES = re.compile(r"^exercises?\b", re.IGNORECASE)
CHECK_TAG = "nbval-check-output"  # the cells that assert what the text claims
WIDGET = "application/vnd.jupyter.widget-view+json"
WIDGET_NOTE = ("*(An interactive app: it runs in Jupyter, not in the slides. Open the notebook "
               "to use it.)*")

# The reveal template, less what a deck of these notebooks does not use and that only loads from
# a CDN (jQuery, RequireJS, Mermaid): reveal.js and its speaker-notes plugin are plain scripts,
# so a local copy works from a file:// URL, and an overlong slide scrolls.
TEMPLATE = r"""{%- extends 'index.html.j2' -%}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block html_head_css -%}
<style type="text/css">
:root { --jp-cell-prompt-width: 0px; }  /* no "In [3]:" column: the width goes to the code */
.reveal .jp-OutputPrompt, .reveal .jp-InputPrompt { display: none; }
.reveal .jp-RenderedMarkdown h1, .reveal .jp-RenderedMarkdown h2,
.reveal .jp-RenderedMarkdown h3 { text-transform: none; }  /* not the theme's capitals: α ≠ A */
.reveal .slides > section, .reveal .slides > section > section {
  max-height: 700px; overflow-y: auto; overflow-x: hidden;
}
.reveal section img { max-width: 100%; max-height: {{ resources.max_image_px }}px;
  width: auto; height: auto; object-fit: contain; }
.reveal .jp-RenderedHTMLCommon table { font-size: 18px; }
.reveal .jp-InputArea pre, .reveal .jp-OutputArea-output pre {
  white-space: pre-wrap; overflow-wrap: anywhere;  /* a long line wraps: nothing scrolls sideways */
}
.reveal div.jp-OutputArea-output > pre { width: auto; }  /* the full width, not 90 % */
.reveal .jp-RenderedText.jp-OutputArea-output { padding-left: 5px; }
{%- for px in range(15, 19) %}
.reveal .celltag_slides-code-{{ px }} .jp-InputArea pre { font-size: {{ px }}px; }
.reveal .celltag_slides-out-{{ px }} .jp-OutputArea-output pre { font-size: {{ px }}px; }
{%- endfor %}
</style>
{%- endblock html_head_css -%}
{% block footer_js %}
<script src="{{ resources.reveal.url_prefix }}/dist/reveal.js"></script>
<script src="{{ resources.reveal.url_prefix }}/plugin/notes/notes.js"></script>
<script>
Reveal.initialize({
  controls: true, progress: true, history: true, center: false,
  transition: "{{ resources.reveal.transition }}",
  slideNumber: "c/t",
  width: {{ resources.reveal.width }}, height: {{ resources.reveal.height }},
  plugins: [RevealNotes],
});
Reveal.on('slidechanged', function () {
  if (window.MathJax && MathJax.Hub && MathJax.Hub.getAllJax(Reveal.getCurrentSlide())) {
    MathJax.Hub.Rerender(Reveal.getCurrentSlide());
  }
});
</script>
{% endblock footer_js %}
"""


def _units(source: str) -> list[list[str]]:
    """A markdown source as lines grouped into units that may go on different slides: a new
    unit starts at each heading, blank line and top-level list item (outside fences and $$)."""
    units, fenced = [[]], False
    for line in source.splitlines():
        stripped = line.strip()
        boundary = not fenced and (HEADING.match(line) or not stripped or LIST_ITEM.match(line))
        if boundary and any(u.strip() for u in units[-1]):
            units.append([])
        units[-1].append(line)
        if stripped.startswith(("```", "~~~")) or stripped == "$$":
            fenced = not fenced
    return [u for u in units if any(line.strip() for line in u)]


def _markdown_parts(source: str) -> list[str]:
    """A markdown source split before each heading, then, where a part would not fit on a
    slide, at blank lines and list items into parts that do."""
    parts = []
    for unit in _units(source):
        if HEADING.match(next(line for line in unit if line.strip())) or not parts:
            parts.append([unit])
        else:
            parts[-1].append(unit)
    out = []
    for part in parts:
        chunk: list[str] = []
        for unit in part:
            if chunk and _markdown_height("\n".join(chunk + unit)) > BUDGET:
                out.append("\n".join(chunk).strip("\n"))
                chunk = []
            chunk += unit
        out.append("\n".join(chunk).strip("\n"))
    return [p for p in out if p.strip()]


def _heading(cell) -> tuple[int, str] | None:
    """(level, text) of the heading a markdown cell starts with, or None."""
    if cell.cell_type != "markdown":
        return None
    lines = cell.source.lstrip().splitlines()
    match = HEADING.match(lines[0]) if lines else None
    return (len(match.group(1)), match.group(2).strip()) if match else None


def _code_size(text: str) -> int:
    """Font size (px) for code or text output: 19, or smaller (not below MIN_CODE_PX) when that
    makes its longest line fit the slide's width; text that would not fit even then stays at
    19 px and its long lines wrap."""
    longest = max((len(line) for line in text.splitlines()), default=0)
    size = 19 * CODE_CHARS // max(longest, 1)
    return 19 if size >= 19 or size < MIN_CODE_PX else size


def _lines(text: str, size: int = 19) -> float:
    """Height of ``text`` in a <pre> at ``size`` px, its long lines wrapped."""
    width = CODE_CHARS * 19 // size
    rows = sum(max(1, -(-len(line) // width)) for line in text.splitlines()) if text else 0
    return rows * 1.2 * size


def _png_height(data: str) -> int:
    """Height the image takes on a slide: its pixel size, scaled down to fit the width."""
    try:
        head = base64.b64decode(data[:64])
        w, h = struct.unpack(">II", head[16:24])
    except (ValueError, struct.error):
        return 300
    return min(MAX_IMAGE_PX, h * min(1.0, WIDTH / max(w, 1)))


def _image_height(markdown: str) -> float:
    """Height of a markdown image ``![…](images/x.jpg)`` (a path beside the notebooks)."""
    match = re.search(r"\]\(([^)\s]+)", markdown)
    try:
        from PIL import Image

        with Image.open(NOTEBOOKS / match.group(1)) as image:
            w, h = image.size
    except (AttributeError, ImportError, OSError):
        return 350
    return min(MAX_IMAGE_PX, h * min(1.0, WIDTH / max(w, 1)))


def _output_text(output) -> str:
    if output.output_type == "stream":
        return output.text
    data = output.get("data", {})
    if output.output_type == "error" or set(data) - {"text/plain"}:
        return ""
    return data.get("text/plain", "")


def _output_height(output, size: int = 19) -> float:
    if output.output_type == "error":
        return _lines("\n".join(output.traceback), size) + 8
    text = _output_text(output)
    if text:
        return _lines(text, size) + 8
    data = output.get("data", {})
    if "image/png" in data:
        return _png_height(data["image/png"])
    if "text/html" in data:
        markup = data["text/html"]
        if "<audio" in markup:
            return 130 if "<table" in markup else 60 * markup.count("<audio")
        if "<pre" in markup:
            return 23 * (markup.count("\n") + 1)
        return 100
    if "text/markdown" in data:
        return _markdown_height(data["text/markdown"])
    return 100


def _markdown_height(source: str) -> float:
    """Height of markdown once rendered: paragraphs and list items reflowed and wrapped at
    TEXT_CHARS, table rows and display formulas a line each, headings and images more."""
    height, paragraph, item = 0.0, "", False

    def flush():
        nonlocal height, paragraph, item
        if paragraph:
            height += (LIST_LINE if item else TEXT_LINE) * -(-len(paragraph) // TEXT_CHARS)
        paragraph, item = "", False

    for line in source.splitlines():
        stripped = line.strip()
        match = HEADING.match(stripped)
        if not stripped:
            flush()
            height += TEXT_LINE / 2
        elif match:
            flush()
            level = len(match.group(1))
            px = {1: 50, 2: 32, 3: 26}.get(level, 22)  # the template's heading sizes
            rows = -(-len(match.group(2)) // int(WIDTH / (0.52 * px)))
            height += rows * 1.2 * px + 0.8 * px
        elif stripped.startswith("!["):
            flush()
            height += _image_height(stripped)
        elif stripped.startswith(("|", "$$")):
            flush()
            height += TEXT_LINE + 8
        elif LIST_ITEM.match(stripped):
            flush()
            paragraph, item = stripped, True
        else:
            paragraph = f"{paragraph} {stripped}" if paragraph else stripped
    flush()
    return height


def _tags(cell) -> list:
    return cell.metadata.setdefault("tags", [])


def _height(cell, with_outputs: bool = True) -> float:
    """Estimated height of a cell on a slide, in the page's CSS px."""
    if cell.metadata.get("slideshow", {}).get("slide_type") == "skip":
        return 0
    if cell.cell_type == "markdown":
        return _markdown_height(cell.source) + CELL_GAP
    height = 0.0
    if not cell.metadata.get("transient", {}).get("remove_source", False):
        height += _lines(cell.source, _code_size(cell.source)) + 20
    if with_outputs:
        out_size = min([19, *(int(t[len("slides-out-"):]) for t in cell.metadata.get("tags", [])
                              if t.startswith("slides-out-"))])
        height += sum(_output_height(o, out_size) for o in cell.get("outputs", []))
    return height + CELL_GAP


def _fit(cell) -> None:
    """Make a code cell's outputs fit a slide: long text cut at MAX_OUTPUT_LINES (saying how much
    is left out), a widget replaced by a note, and a smaller font (a tag the CSS reads) for
    code or text whose lines are too long for 19 px."""
    outputs = []
    for output in cell.get("outputs", []):  # consecutive prints to one stream: one output
        if (output.output_type == "stream" and outputs and outputs[-1].output_type == "stream"
                and outputs[-1].name == output.name):
            outputs[-1].text += output.text
        else:
            outputs.append(output)
    cell.outputs = outputs
    for output in outputs:
        if output.output_type in ("display_data", "execute_result") and WIDGET in output.data:
            output.data = {"text/markdown": WIDGET_NOTE}
            continue
        if output.output_type == "error":  # the exception, not the traceback
            output.traceback = [f"\x1b[0;31m{output.ename}\x1b[0m: {output.evalue}"]
            continue
        lines = _output_text(output).splitlines()
        if len(lines) > MAX_OUTPUT_LINES:  # the first lines and the last (often the result)
            head, tail = lines[:MAX_OUTPUT_LINES - 4], lines[-3:]
            more = len(lines) - len(head) - len(tail)
            text = "\n".join([*head, f"… ({more} more lines in the notebook) …", *tail])
            if output.output_type == "stream":
                output.text = text + "\n"
            else:
                output.data["text/plain"] = text
    code_size = _code_size(cell.source)
    if code_size < 19:
        _tags(cell).append(f"slides-code-{code_size}")
    texts = "\n".join(_output_text(o) for o in cell.get("outputs", []))
    out_size = _code_size(texts)
    if out_size < 19:
        _tags(cell).append(f"slides-out-{out_size}")


def _code_chunks(source: str) -> list[str]:
    """Code split at blank lines followed by a top-level statement, grouped into chunks that
    fit a slide (a chunk that cannot be split stays whole: its slide scrolls)."""
    blocks, lines = [[]], source.splitlines()
    for k, line in enumerate(lines):
        nxt = next((x for x in lines[k + 1:] if x.strip()), "")
        blocks[-1].append(line)
        if not line.strip() and nxt and not nxt[0].isspace() and not nxt.startswith(")"):
            blocks.append([])
    size = _code_size(source)
    chunks: list[list[str]] = []
    for block in blocks:
        if chunks and _lines("\n".join(chunks[-1] + block), size) + 20 + CELL_GAP <= BUDGET:
            chunks[-1] += block
        else:
            chunks.append(list(block))
    return ["\n".join(c).strip("\n") for c in chunks if "".join(c).strip()]


def _pieces(cell) -> list:
    """A cell as one or more cells, each (when possible) no taller than a slide: a long code
    cell's code in chunks, then its outputs in groups, each group shown without the code."""
    if cell.cell_type != "code" or _height(cell) <= BUDGET:
        return [cell]
    hidden = cell.metadata.get("transient", {}).get("remove_source", False)
    pieces = []
    for chunk in ([] if hidden else _code_chunks(cell.source)):
        piece = copy.deepcopy(cell)
        piece.source, piece.outputs = chunk, []
        pieces.append(piece)
    for output in cell.outputs:
        last = pieces[-1] if pieces else None
        if last is not None and _height(last) + _output_height(output) <= BUDGET:
            last.outputs.append(output)
        else:
            piece = copy.deepcopy(cell)
            piece.outputs = [output]
            piece.metadata["transient"] = {"remove_source": True}
            pieces.append(piece)
    return pieces


def _set(cell, slide_type: str) -> None:
    cell.metadata["slideshow"] = nbformat.NotebookNode({"slide_type": slide_type})


def plan(nb, name: str):
    """A copy of ``nb`` with slide metadata (module docstring); ``nb`` is not changed."""
    nb = copy.deepcopy(nb)
    cells = []
    for cell in nb.cells:  # one heading per markdown cell, at its start; none taller than a slide
        if cell.cell_type == "markdown":
            for part in _markdown_parts(cell.source):
                piece = copy.deepcopy(cell)
                piece.source = part
                cells.append(piece)
        elif cell.cell_type == "code":
            cells.append(cell)

    out, used, exercises, setup_seen = [], 0.0, 0, False
    for cell in cells:
        head = _heading(cell)
        if exercises and head and head[0] <= exercises and not EXERCISES.match(head[1]):
            exercises = 0
        if head and head[0] <= 2 and EXERCISES.match(head[1]):
            exercises = head[0]  # from here to the next heading as high: one slide instead
            pointer = nbformat.v4.new_markdown_cell(
                f"{'#' * head[0]} {head[1]}\n\nThe exercises are in the notebook, "
                f"`notebooks/{name}.ipynb`: answer each in its cell and run its check.")
            _set(pointer, "slide")
            out.append(pointer)
            used = _height(pointer)
        if exercises:
            _set(cell, "skip")
            out.append(cell)
            continue
        if cell.cell_type == "code":
            first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            if not setup_seen and first.startswith("# Setup"):
                setup_seen = True
                _set(cell, "skip")
                out.append(cell)
                continue
            if first.startswith("# Check") or CHECK_TAG in cell.metadata.get("tags", []):
                cell.metadata["transient"] = {"remove_source": True}
                if not cell.get("outputs"):  # nothing to show
                    _set(cell, "skip")
                    out.append(cell)
                    continue
            _fit(cell)
        if head and head[0] <= 3:
            _set(cell, "slide" if head[0] <= 2 else "subslide")
            used = _height(cell)
            out.append(cell)
            continue
        for piece in _pieces(cell):  # a cell taller than a slide: in pieces that fit
            need = _height(piece)
            if used and used + need > BUDGET:
                _set(piece, "subslide")
                used = need
            else:
                _set(piece, "-")
                used += need
            out.append(piece)
    for i, cell in enumerate(out):  # split cells are copies: make every id unique again
        cell.id = f"slide-cell-{i}"
    nb.cells = out
    return nb


def reveal_files(src: Path, dest: Path, theme: str = "white") -> None:
    """Copy the files a deck loads from a reveal.js 4/5 distribution ``src`` to ``dest``."""
    wanted = ["dist/reveal.js", "dist/reveal.css", "dist/reset.css", f"dist/theme/{theme}.css",
              "plugin/notes/notes.js"]
    for rel in wanted:
        if (src / rel).is_file():
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src / rel, dest / rel)
    fonts = src / "dist" / "theme" / "fonts"
    theme_css = (src / "dist" / "theme" / f"{theme}.css").read_text(encoding="utf-8")
    for folder in sorted(set(re.findall(r"fonts/([\w-]+)/", theme_css))):
        for font in sorted((fonts / folder).glob("*")):  # WOFF is enough for any current browser
            if font.suffix in (".css", ".woff") or font.name.startswith("LICENSE"):
                target = dest / "dist" / "theme" / "fonts" / folder / font.name
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(font, target)
    for licence in ("LICENSE", "LICENSE.txt"):
        if (src / licence).is_file():
            shutil.copy2(src / licence, dest / licence)


def local_reveal() -> Path | None:
    """reveal.js as shipped in the sphinx-revealjs wheel, when it is installed."""
    try:
        import sphinx_revealjs
    except ImportError:
        return None
    path = Path(sphinx_revealjs.__file__).parent / "_static" / "revealjs"
    return path if (path / "dist" / "reveal.js").is_file() else None


def exporter(reveal_url: str):
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter
    from traitlets.config import Config

    config = Config()
    config.SlidesExporter.reveal_url_prefix = reveal_url
    config.SlidesExporter.reveal_theme = "white"
    config.SlidesExporter.reveal_transition = "none"  # instant: nothing moves on a projector
    config.SlidesExporter.reveal_width = "960"  # the template's page size, set here because the
    config.SlidesExporter.reveal_height = "700"  # template above reads them from resources
    config.SlidesExporter.embed_images = True  # markdown images (images/…) inside the HTML
    config.SlidesExporter.exclude_input_prompt = True  # "In [3]:" costs width on a slide
    config.SlidesExporter.exclude_output_prompt = True
    return SlidesExporter(config=config, extra_loaders=[DictLoader({"asr_slides.j2": TEMPLATE})],
                          template_file="asr_slides.j2")


def title(nb, fallback: str) -> str:
    for cell in nb.cells:
        head = _heading(cell)
        if head and head[0] == 1:
            return head[1]
    return fallback


def build(path: Path, out: Path, slides_exporter) -> dict:
    """Write ``out/<stem>.slides.html`` for one notebook; returns what the index shows."""
    nb = nbformat.read(path, as_version=4)
    planned = plan(nb, path.stem)
    body, _ = slides_exporter.from_notebook_node(
        planned, resources={"metadata": {"name": path.stem, "path": str(path.parent)},
                            "max_image_px": MAX_IMAGE_PX})
    target = out / f"{path.stem}.slides.html"
    target.write_text(body, encoding="utf-8")
    types = [c.metadata.get("slideshow", {}).get("slide_type") for c in planned.cells]
    return {"file": target.name, "title": title(nb, path.stem), "bytes": target.stat().st_size,
            "slides": types.count("slide") + types.count("subslide")}


def index(out: Path, decks: list[dict], reveal_url: str) -> None:
    offline = not re.match(r"^[a-z]+://", reveal_url)
    rows = "\n".join(
        f'<li><a href="{html.escape(d["file"])}">{html.escape(d["title"])}</a> '
        f'<span class="meta">{d["slides"]} slides, {d["bytes"] / 1e6:.1f} MB</span></li>'
        for d in decks)
    note = ("reveal.js is copied beside the decks: they open offline." if offline else
            f"reveal.js loads from {html.escape(reveal_url)}: showing a deck needs internet "
            "(or build with the sphinx-revealjs wheel installed: <code>make slides</code>).")
    (out / "index.html").write_text(f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>asr-notebooks: slides</title>
<style>body {{ font: 20px/1.5 sans-serif; max-width: 900px; margin: 2em auto; }}
.meta {{ color: #777; font-size: 16px; }} kbd {{ border: 1px solid #aaa; padding: 0 .3em; }}</style>
</head><body>
<h1>Slides, one deck per notebook</h1>
<ul>
{rows}
</ul>
<p>Arrows move between slides (→ next section, ↓ the rest of a section); <kbd>f</kbd> full
screen, <kbd>s</kbd> speaker view, <kbd>Esc</kbd> overview. Print to PDF: open a deck with
<code>?print-pdf</code> after <code>.html</code> and print it from Chromium. {note}
Formulas are typeset by MathJax from the web; offline they show as TeX.</p>
</body></html>
""", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", type=Path, default=OUT, help=f"default: {OUT}")
    parser.add_argument("--only", nargs="+", metavar="NN",
                        help="only these notebooks, by number (e.g. --only 04 06)")
    parser.add_argument("--reveal-url", help="reveal.js to load (URL, or path relative to OUT)")
    args = parser.parse_args(argv)

    notebooks = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.only:
        wanted = {n.zfill(2) for n in args.only}
        notebooks = [p for p in notebooks if p.name[:2] in wanted]
        missing = wanted - {p.name[:2] for p in notebooks}
        if missing:
            parser.error(f"no notebook numbered {', '.join(sorted(missing))}")
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)

    reveal_url = args.reveal_url
    if reveal_url is None:
        source = local_reveal()
        if source is not None:
            reveal_files(source, out / LOCAL)
            reveal_url = LOCAL
        else:
            reveal_url = CDN
            print("note: sphinx-revealjs is not installed, so the decks load reveal.js from "
                  f"{CDN} (internet needed to show them); `make slides` installs it.")
    slides_exporter = exporter(reveal_url)
    start = time.perf_counter()
    decks = []
    for path in notebooks:
        decks.append(build(path, out, slides_exporter))
        d = decks[-1]
        print(f"{out / d['file']}: {d['slides']} slides, {d['bytes'] / 1e6:.2f} MB")
    index(out, decks, reveal_url)
    print(f"{len(decks)} decks in {time.perf_counter() - start:.1f} s: {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
