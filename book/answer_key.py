"""Render the teachers' answer key (``book/answer_key.md``) from ``book/teacher/answers``.

The student's notebooks keep ``...`` placeholders, and the checks they import
(``asrlib.checks.nbXX``) hold no answer. The answers are on the teacher's side, outside the
installed package: each ``book/teacher/answers/nbXX.py`` defines ``KEY`` (exercise title,
exactly as its check prints it → the answer in Markdown) and, for a code-writing exercise
whose check is ``X``, a reference implementation ``solution_X``. This script loads them by
path and collects them, in the order the notebook asks the exercises, into one Markdown page
of the book. ``make book`` runs it before every build (the page is generated, git-ignored,
never edited by hand):

    python book/answer_key.py [OUT]        # default: book/answer_key.md

The helpers (``exercise_checks``, ``solutions`` …) are also what ``tests/test_answer_key.py``
uses to check that every exercise has an answer and every solution passes its check.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import json
import re
import sys
import textwrap
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
CHECKS = ROOT / "asrlib" / "checks"
ANSWERS = ROOT / "book" / "teacher" / "answers"  # KEY and solution_*: not installed
OUT = ROOT / "book" / "answer_key.md"
CALL = re.compile(r"\b(nb\d\d)\.(\w+)\(")


def notebooks() -> dict[str, Path]:
    """``{"nb00": notebooks/00_introduction.ipynb, …}`` for every numbered notebook."""
    return {f"nb{p.name[:2]}": p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))}


def check_modules() -> list[str]:
    """The names of the per-notebook checks modules, ``["nb00", …]``."""
    return sorted(p.stem for p in CHECKS.glob("nb[0-9][0-9].py"))


def load(name: str) -> ModuleType:
    """Import ``asrlib.checks.<name>`` (the repository's own copy)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return importlib.import_module(f"asrlib.checks.{name}")


def answers(name: str) -> ModuleType | None:
    """The teacher's ``book/teacher/answers/<name>.py`` (its ``KEY`` and ``solution_…``),
    loaded by path: it is not part of the installed package. None when there is no file.
    Loaded once per process (``sys.modules``), so every caller sees the same module."""
    qualified = f"asrlib_teacher_answers_{name}"
    if qualified in sys.modules:
        return sys.modules[qualified]
    path = ANSWERS / f"{name}.py"
    if not path.is_file():
        return None
    load(name)  # the checks module first: an answer module may import from it
    spec = importlib.util.spec_from_file_location(qualified, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[qualified]
        raise
    return module


def key(name: str) -> dict[str, str]:
    """``KEY`` of the teacher's answers for notebook module ``name`` ({} when none)."""
    return getattr(answers(name), "KEY", None) or {}


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def notebook_title(path: Path) -> str:
    """The notebook's first heading, without the ``#``."""
    for cell in _cells(path):
        if cell["cell_type"] == "markdown":
            for line in "".join(cell["source"]).splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return path.stem


def exercise_title(func) -> str | None:
    """The title a check prints: the string it assigns to ``name`` (``"Exercise 1 (…)"``),
    read from its source; None for a helper that is not a check."""
    try:
        tree = ast.parse(textwrap.dedent(inspect.getsource(func)))
    except (OSError, TypeError, SyntaxError):
        return None
    for node in ast.walk(tree):
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
                and any(isinstance(t, ast.Name) and t.id == "name" for t in node.targets)
                and node.value.value.startswith("Exercise")):
            return node.value.value
    return None


def exercise_checks(module: str) -> dict[str, str]:
    """``{check function name: exercise title}`` for every check the notebook's code cells
    call (``nbXX.check(...)``), in the order the notebook calls them."""
    path = notebooks().get(module)
    if path is None:
        return {}
    mod, found = load(module), {}
    for cell in _cells(path):
        if cell["cell_type"] != "code":
            continue
        for prefix, func in CALL.findall("".join(cell["source"])):
            title = exercise_title(getattr(mod, func, None)) if prefix == module else None
            if title and func not in found:
                found[func] = title
    return found


def exercise_headers(module: str) -> list[str]:
    """The ``**Exercise N.**`` headers (or numbered items under "## Exercises") of the
    notebook's markdown, as ``"1"``, ``"2"`` …: what a student is asked."""
    path = notebooks().get(module)
    numbers: list[str] = []
    in_exercises = False
    for cell in _cells(path) if path else []:
        if cell["cell_type"] != "markdown":
            continue
        text = "".join(cell["source"])
        in_exercises = in_exercises or "## Exercises" in text
        if "## Exercises" in text:
            text = text[text.index("## Exercises"):]
        if not in_exercises:
            continue
        numbers += re.findall(r"^\*\*(?:Exercise )?(\d+)[ .(]", text, flags=re.M)
        numbers += re.findall(r"^(\d+)\. ", text, flags=re.M)
    return numbers


def module_checks(module: str) -> dict[str, str]:
    """``{exercise title: check function name}`` for every check the module defines, called
    by the notebook or not."""
    mod = load(module)
    found = {}
    for name, func in vars(mod).items():
        if inspect.isfunction(func) and func.__module__ == mod.__name__:
            title = exercise_title(func)
            if title and not name.startswith("solution_"):
                found.setdefault(title, name)
    return found


def solutions(module: str) -> dict[str, object]:
    """``{check name X: solution_X}`` for the reference implementations in the teacher's
    answers for ``module``."""
    mod = answers(module)
    if mod is None:
        return {}
    return {name.removeprefix("solution_"): func for name, func in vars(mod).items()
            if name.startswith("solution_") and inspect.isfunction(func)
            and func.__module__ == mod.__name__}


def _answer(module: str, title: str, key: dict[str, str], check: str | None) -> list[str]:
    lines = [f"### {title}", ""]
    text = key.get(title)
    lines += [text.strip() if text else
              f"*No answer yet: `KEY` in `book/teacher/answers/{module}.py` has no entry for "
              "this title.*", ""]
    solution = solutions(module).get(check) if check else None
    if solution is not None:
        source = textwrap.dedent(inspect.getsource(solution)).rstrip()
        lines += [f"Reference implementation (`solution_{check}` in "
                  f"`book/teacher/answers/{module}.py`):", "",
                  "```python", source, "```", ""]
    return lines


def render() -> str:
    """The whole answer key, as MyST Markdown."""
    lines = [
        "# Answer key",
        "",
        "For teachers: the answer to every exercise of the series, with the reasoning, and the",
        "reference implementation of each code-writing exercise. The notebooks a student runs",
        "keep `...` placeholders, and the checks they import hold no answer. The answers live",
        "on the teacher's side, in `book/teacher/answers/nbXX.py` (`KEY` and the `solution_…`",
        "functions), which is not installed with `asrlib`; this page is generated from them by",
        "`book/answer_key.py` each time the book is built.",
        "",
    ]
    nbs = notebooks()
    for module in check_modules():
        path, answers_key = nbs.get(module), key(module)
        checks = exercise_checks(module)
        titles = list(checks.values()) + [t for t in answers_key if t not in checks.values()]
        by_title = module_checks(module) | {t: c for c, t in checks.items()}
        heading = notebook_title(path) if path else f"asrlib.checks.{module}"
        lines += [f"(answer-key-{module})=", f"## {heading}", ""]
        if path:
            lines += [f"Notebook: [{path.stem}](../notebooks/{path.name})", ""]
        if not titles:
            lines += ["*No exercises found.*", ""]
        for title in titles:
            lines += _answer(module, title, answers_key, by_title.get(title))
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else OUT
    text = render()
    if not out.exists() or out.read_text(encoding="utf-8") != text:  # unchanged: keep the
        out.write_text(text, encoding="utf-8")  # old file, so a warm build skips the page
    missing = text.count("*No answer yet:")
    print(f"answer key: {out} ({len(text.split())} words"
          + (f"; {missing} exercise(s) without a KEY entry" if missing else "") + ")")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
