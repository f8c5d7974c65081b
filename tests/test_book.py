"""The book's table of contents and links, checked without building it (``make book`` builds it,
with Sphinx warnings as errors): every notebook and every page is listed, every entry exists,
and what the notebooks link to or show is there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
BOOK = ROOT / "book"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
GENERATED = {"book/answer_key"}  # written by book/answer_key.py at build time (git-ignored)
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
HTML_SRC = re.compile(r"<img[^>]*\ssrc=[\"']([^\"']+)[\"']")


def toc_entries() -> list[str]:
    """Every page of book/_toc.yml (the root first), as repository paths without suffix."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    entries = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk({k: v for k, v in toc.items() if k != "root"})
    return entries


def test_the_toc_lists_every_notebook_once():
    entries = toc_entries()
    assert len(entries) == len(set(entries)), [e for e in entries if entries.count(e) > 1]
    missing = [p.name for p in NOTEBOOKS if f"notebooks/{p.stem}" not in entries]
    assert not missing, f"book/_toc.yml does not list {missing}"
    notebooks = [e for e in entries if e.startswith("notebooks/")]
    assert notebooks == sorted(notebooks), "the notebooks are listed out of order"


def test_the_toc_lists_every_page_of_the_book_folder():
    entries = set(toc_entries())
    pages = {f"book/{p.stem}" for p in BOOK.glob("*.md") if p.name != "README.md"} | GENERATED
    assert pages <= entries, f"book/_toc.yml does not list {sorted(pages - entries)}"


@pytest.mark.parametrize("entry", toc_entries())
def test_every_toc_entry_exists(entry):
    if entry in GENERATED:
        ignored = (ROOT / ".gitignore").read_text(encoding="utf-8")
        assert f"/{entry}.md" in ignored, f"{entry}.md is generated: it must be git-ignored"
        assert (BOOK / "answer_key.py").is_file()
        return
    found = [ROOT / f"{entry}{suffix}" for suffix in (".md", ".ipynb")
             if (ROOT / f"{entry}{suffix}").is_file()]
    assert found, f"book/_toc.yml lists {entry}, which is neither {entry}.md nor {entry}.ipynb"


def test_the_book_never_executes_a_notebook():
    config = yaml.safe_load((BOOK / "_config.yml").read_text(encoding="utf-8"))
    assert config["execute"]["execute_notebooks"] == "off"
    assert config["only_build_toc_files"] is True


def _markdown_cells(path: Path) -> list[tuple[int, str]]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return [(i, "".join(c["source"])) for i, c in enumerate(cells) if c["cell_type"] == "markdown"]


def _local_targets(text: str) -> list[str]:
    text = re.sub(r"```.*?```", "", text, flags=re.S)  # links inside code are not links
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = LINK.findall(text) + HTML_SRC.findall(text)
    return [t for t in targets if not re.match(r"^(https?:|mailto:|#|data:)", t)]


def _pages() -> list[Path]:
    """The notebooks and the written pages of book/ (the generated answer key is checked by
    tests/test_answer_key.py, from the KEY texts it is made of)."""
    written = [p for p in sorted(BOOK.glob("*.md"))
               if p.name != "README.md" and f"book/{p.stem}" not in GENERATED]
    return [*NOTEBOOKS, *written]


@pytest.mark.parametrize("path", _pages(), ids=lambda p: p.name)
def test_local_links_and_images_resolve(path):
    """A link from a page to another page (.ipynb/.md) must name a page of the book; a link to
    any other file, or an image, must name a file that exists. (The build fails on both; this
    says which cell.)"""
    entries = set(toc_entries())
    if path.suffix == ".ipynb":
        cells = _markdown_cells(path)
    else:
        cells = [(0, path.read_text(encoding="utf-8"))]
    problems = []
    for index, text in cells:
        for target in _local_targets(text):
            file = (path.parent / target.split("#")[0]).resolve()
            rel = file.relative_to(ROOT).as_posix() if file.is_relative_to(ROOT) else str(file)
            if file.suffix in (".md", ".ipynb"):
                page = rel.rsplit(".", 1)[0]
                if page not in entries:
                    problems.append(f"cell {index}: {target} is not a page of the book")
                elif not file.is_file() and page not in GENERATED:
                    problems.append(f"cell {index}: {target} does not exist (yet)")
            elif not file.is_file():
                problems.append(f"cell {index}: {target} does not exist")
    assert not problems, f"{path.name}: " + "; ".join(problems)


def test_glossary_terms_used_in_the_book_are_defined():
    glossary = (BOOK / "glossary.md").read_text(encoding="utf-8")
    body = glossary.split("```{glossary}", 1)[1]
    defined = {line.strip().lower() for line in body.splitlines()
               if line and not line[0].isspace() and not line.startswith((":", "```"))}
    assert {"blank", "ctc", "wer", "the seed", "fast mode", "posteriorgram"} <= defined
    used = set()
    for page in BOOK.glob("*.md"):
        for ref in re.findall(r"\{term\}`([^`]+)`", page.read_text(encoding="utf-8")):
            used.add(re.sub(r".*<([^>]+)>$", r"\1", ref).strip().lower())
    assert used - defined == set(), f"terms used but not in the glossary: {used - defined}"


def test_make_test_builds_the_book():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    test_recipe = makefile.split("\ntest:", 1)[1].split("\n\n", 1)[0]
    assert "$(MAKE) book" in test_recipe
    book_recipe = makefile.split("\nbook:", 1)[1].split("\n\n", 1)[0]
    assert "-W" in book_recipe and "--keep-going" in book_recipe and "answer_key.py" in book_recipe


def test_the_syllabus_class_times_are_the_formulas():
    """The syllabus's table is what ``benchmarks/class_times.py`` computes from the notebooks
    (words, code cells, exercises) and the measured run times: rerun it with ``--write`` after
    changing a notebook."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("class_times",
                                                  ROOT / "benchmarks" / "class_times.py")
    class_times = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(class_times)
    found = class_times.rows()
    assert len(found) == len(NOTEBOOKS) and all(r["fast"] and r["full"] for r in found)
    text = (BOOK / "syllabus.md").read_text(encoding="utf-8")
    assert class_times.table(found) in text
