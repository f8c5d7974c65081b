"""The notebooks are executed, clean, small, and follow the series template.

nbval (run by ``make test``) re-executes them and compares outputs; these checks
catch what nbval does not: a notebook saved unexecuted or out of order, stderr
noise, oversized outputs, a section without a check, exercises without checkers.
"""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("[0-9][0-9]_*.ipynb"))
MAX_BYTES = 1_500_000  # whole notebook with outputs
MAX_IMAGE_BYTES = 200_000  # one stored picture (base64)


def _code(nb):
    return [c for c in nb.cells if c.cell_type == "code"]


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 5


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.stem)
def notebook(request):
    return request.param, nbformat.read(request.param, as_version=4)


def test_listed_in_readme(notebook):
    path, _ = notebook
    assert path.stem in (path.parent / "README.md").read_text()


def test_executed_top_to_bottom_in_one_run(notebook):
    _, nb = notebook
    counts = [c.execution_count for c in _code(nb)]
    assert counts == list(range(1, len(counts) + 1)), "re-run it: make notebooks NB=<path>"


def _tags(cell) -> list[str]:
    return list(cell.metadata.get("tags", []))


# The tags that let a cell raise: nbval reads both, nbclient (make notebooks) only the second.
RAISES = {"nbval-raises-exception", "raises-exception"}


def test_no_errors_or_stderr(notebook):
    _, nb = notebook
    for cell in _code(nb):
        raises = bool(RAISES & set(_tags(cell)))
        for out in cell.outputs:
            assert not (out.output_type == "stream" and out.name == "stderr"), cell.source[:80]
            if out.output_type == "error":
                assert raises, f"unexpected error in cell: {cell.source[:80]}"


def test_nbval_markers_are_tags(notebook):
    """nbval's markers are cell tags (``nbval-check-output`` …), which a student does not see,
    never ``# NBVAL_…`` comments in the code; and every ``nbval-`` tag is one nbval knows."""
    from nbval.plugin import metadata_tags

    path, nb = notebook
    for index, cell in enumerate(_code(nb)):
        comments = [line for line in cell.source.splitlines() if line.lstrip().startswith("#")]
        markers = [c for c in comments if c.lstrip("# \t").startswith(("NBVAL", "PYTEST_VALIDATE"))]
        assert not markers, f"{path.name} code cell {index}: {markers} (tag the cell instead)"
        unknown = [t for t in _tags(cell) if t.startswith("nbval-") and t not in metadata_tags]
        assert not unknown, f"{path.name} code cell {index}: tags nbval does not know: {unknown}"


def test_small(notebook):
    path, nb = notebook
    assert path.stat().st_size < MAX_BYTES
    assert "widgets" not in nb.metadata, "stored widget state (audio!): run notebooks/tidy.py"
    for cell in _code(nb):
        for out in cell.outputs:
            for mime, data in out.get("data", {}).items():
                if mime.startswith("image/"):
                    assert len(data) < MAX_IMAGE_BYTES, f"large {mime} in {cell.source[:60]}"


def test_template(notebook):
    path, nb = notebook
    first = _code(nb)[0].source
    assert "runtime.setup(" in first and "FAST" in first, "first code cell must be the setup"
    text = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert nb.cells[0].cell_type == "markdown" and "You will learn" in nb.cells[0].source
    assert "## Summary" in text and "## Exercises" in text
    checker = f"nb{path.stem[:2]}."
    exercises = [c for c in _code(nb) if checker in c.source]
    assert exercises, f"exercises must call asrlib.checks.{checker[:-1]}"
    for cell in exercises:  # a checker's True/False would be echoed below the printed verdict
        assert not any(o.output_type == "execute_result" for o in cell.outputs), cell.source


def test_every_section_ends_in_a_check(notebook):
    _, nb = notebook
    sections: dict[str, list[str]] = {}
    current = None
    for cell in nb.cells:
        heading = re.match(r"## (\d+\..*)", cell.source) if cell.cell_type == "markdown" else None
        if heading:
            current = heading.group(1)
            sections[current] = []
        elif current and cell.cell_type == "code":
            sections[current].append(cell.source)
    assert sections, "numbered sections (## 1. …) expected"
    for title, cells in sections.items():
        assert any("assert" in src or "checks" in src for src in cells), f"no check in {title!r}"


IMAGE = re.compile(r"!\[[^\]]*\]\(\s*<?([^)\s>]+)>?|<img[^>]*\ssrc=[\"']([^\"']+)[\"']")


def test_images_lie_beside_the_notebooks(notebook):
    """Voilà serves only files under the notebook's folder, and its page fails to render (HTTP
    404, no app at all) on a markdown image outside it, such as ``../docs/x.jpg``."""
    path, nb = notebook
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for groups in IMAGE.findall(cell.source):
            target = next(g for g in groups if g)
            if re.match(r"^(https?:|data:|attachment:)", target):
                continue
            file = (path.parent / target).resolve()
            if not file.is_relative_to(path.parent.resolve()) or not file.is_file():
                problems.append(f"cell {index}: {target}")
    assert not problems, (f"{path.name}: images outside notebooks/ or missing (put them in "
                          f"notebooks/images/): " + "; ".join(problems))


LESSONS = [p for p in NOTEBOOKS if p.stem[:2] not in ("09", "11")]  # 00-08 and 10
SETUP = re.compile(r"runtime\.setup\([^)]*corpora=\[([^\]]*)\]")
LESSON_BUDGET = 100_000_000  # bytes: the lessons' first-run downloads, all together


def _setup_corpora(nb) -> list[str]:
    """The teaching sets a notebook's setup cell fetches on first use."""
    found = SETUP.search(_code(nb)[0].source)
    return re.findall(r'"([^"]+)"', found.group(1)) if found else []


def test_every_setup_cell_names_registered_teaching_sets(notebook):
    from asrlib import corpora

    path, nb = notebook
    for name in _setup_corpora(nb):
        assert name in corpora.subsets(), f"{path.name}: unknown teaching set {name!r}"


def test_the_lessons_download_little_and_the_big_corpora_only_on_request():
    """00-08 and 10 together fetch at most 100 MB on first use; no setup cell (09 and 11
    included) fetches a corpus of more than 100 MB unasked."""
    from asrlib import corpora

    archives = {}
    for path in NOTEBOOKS:
        for name in _setup_corpora(nbformat.read(path, as_version=4)):
            archive = corpora.subset(name).archive
            assert archive.size <= LESSON_BUDGET, f"{path.name} fetches {archive.describe()}"
            if path in LESSONS:
                archives[archive.file] = archive.size
    assert sum(archives.values()) <= LESSON_BUDGET, archives
