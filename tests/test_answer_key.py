"""The answer key: every exercise a notebook asks has an answer in the teacher's ``KEY``
(``book/teacher/answers/nbXX.py``), every reference ``solution_X`` passes check ``X`` and a
wrong function fails it, ``book/answer_key.py`` renders them, and none of it ships with
``asrlib``: the checks a student imports hold no key and no solution, and the wheel
``pip install .`` builds holds neither them nor anything of ``book/``."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import pkgutil
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import teacher

import asrlib.checks

ROOT = Path(__file__).resolve().parents[1]
answer_key = teacher.answer_key

NOTEBOOK_MODULES = sorted(answer_key.notebooks())
SOLUTIONS = [(m, check) for m in answer_key.check_modules() for check in answer_key.solutions(m)]


def _number(title: str) -> str:
    match = re.match(r"Exercise (\d+)\b", title)
    return match.group(1) if match else title


@pytest.mark.parametrize("module", NOTEBOOK_MODULES)
def test_every_exercise_of_the_notebook_has_a_check(module):
    """Each exercise the markdown asks (**Exercise N.** or a numbered item under
    "## Exercises") is answered in a code cell that calls a check printing "Exercise N (…)"."""
    asked = set(answer_key.exercise_headers(module))
    checked = {_number(t) for t in answer_key.exercise_checks(module).values()}
    assert asked, f"{module}: no exercises found in the notebook's markdown"
    assert asked == checked, f"{module}: exercises asked {sorted(asked)}, checked {sorted(checked)}"


@pytest.mark.parametrize("module", NOTEBOOK_MODULES)
def test_every_exercise_has_a_key_entry(module):
    answers = answer_key.answers(module)
    assert answers is not None, f"book/teacher/answers/{module}.py is missing"
    key = getattr(answers, "KEY", None)
    assert isinstance(key, dict), f"book/teacher/answers/{module}.py defines no KEY"
    missing = [t for t in answer_key.exercise_checks(module).values() if t not in key]
    assert not missing, f"book/teacher/answers/{module}.py: KEY lacks {missing}"
    empty = [t for t, text in key.items() if not isinstance(text, str) or not text.strip()]
    assert not empty, f"book/teacher/answers/{module}.py: KEY has empty answers for {empty}"


def test_every_answer_module_belongs_to_a_checks_module():
    """An answers file without its checks module would answer exercises nobody can check."""
    files = sorted(p.stem for p in answer_key.ANSWERS.glob("nb[0-9][0-9].py"))
    assert files == answer_key.check_modules()


@pytest.mark.parametrize("module", NOTEBOOK_MODULES)
def test_key_entries_are_exercises_the_notebook_asks(module):
    """A KEY entry for an exercise the notebook no longer (or not yet) asks would sit in the
    answer key under no question a student sees."""
    key = answer_key.key(module)
    asked = set(answer_key.exercise_checks(module).values())
    stale = [t for t in key if t not in asked]
    assert not stale, f"{module}: KEY answers exercises not in the notebook: {stale}"


@pytest.mark.parametrize("module", answer_key.check_modules())
def test_key_titles_are_titles_a_check_prints(module):
    """A KEY entry whose title no check prints (a typo, a renamed exercise) is never shown
    next to the right exercise."""
    key = answer_key.key(module)
    printed = answer_key.module_checks(module)
    stray = [t for t in key if t not in printed]
    assert not stray, f"{module}: KEY has titles no check in asrlib.checks.{module} prints: {stray}"


@pytest.mark.parametrize("module", answer_key.check_modules())
def test_key_answers_have_no_accidental_links(module):
    """KEY texts are MyST Markdown: `x[i](y)` outside backticks is read as a link to a file
    "y", which does not exist, and the book's build fails. Formulas and code go in backticks."""
    key = answer_key.key(module)
    bad = []
    for title, text in key.items():
        prose = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))
        for target in re.findall(r"\]\(([^)\s]*)", prose):
            if not re.match(r"^(https?:|mailto:|#)", target) and not (
                    ROOT / "book" / target.split("#")[0]).exists():
                bad.append(f"{title!r}: ({target})")
    assert not bad, f"{module}: KEY: put these in backticks or fix the link: {bad}"


def _double(answer) -> bool:
    name = "Exercise 1 (double)"
    return answer(2) == 4 if name else False


def solution__double(x):
    return 2 * x


def test_discovery_on_a_made_up_module(monkeypatch):
    """Titles are read from the ``name = "Exercise …"`` of a check, helpers without one are
    not checks, and ``solution_X`` is filed under check ``X``."""
    import types

    fake = types.ModuleType(__name__)
    fake._double, fake.solution__double, fake.helper = _double, solution__double, _number
    monkeypatch.setattr(answer_key, "load", lambda name: fake)
    monkeypatch.setattr(answer_key, "answers", lambda name: fake)
    assert answer_key.module_checks("nb99") == {"Exercise 1 (double)": "_double"}
    assert answer_key.solutions("nb99") == {"_double": solution__double}
    assert answer_key.exercise_title(_number) is None


@pytest.mark.parametrize(("module", "check"), SOLUTIONS, ids=[f"{m}.{c}" for m, c in SOLUTIONS])
def test_every_solution_passes_its_check(module, check, capsys):
    mod = answer_key.load(module)
    assert hasattr(mod, check), f"{module}: solution_{check} has no check asrlib.checks.{check}"
    ok = getattr(mod, check)(answer_key.solutions(module)[check])
    out = capsys.readouterr().out
    assert ok is True, out
    assert out.startswith("✅"), out
    title = answer_key.exercise_title(getattr(mod, check))
    assert title in answer_key.key(module), f"{module}: {title!r} has a solution but no KEY text"


@pytest.mark.parametrize(("module", "check"), SOLUTIONS, ids=[f"{m}.{c}" for m, c in SOLUTIONS])
def test_every_check_with_a_solution_rejects_a_wrong_function(module, check, capsys):
    """Without the solution beside it, a check still tells a wrong function (a constant) from
    the right one, and a function whose body is still ``...`` is not tried yet."""
    run = getattr(answer_key.load(module), check)
    assert run(lambda *args: 0.5) is False
    out = capsys.readouterr().out
    assert out.startswith("❌") and out.count("\n") == 1, out
    assert run(lambda *args: None) is False
    assert capsys.readouterr().out.startswith("⏳")


def _checks_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(asrlib.checks.__path__, "asrlib.checks."))


def test_no_checks_module_holds_an_answer():
    """What a student imports (``from asrlib.checks import nb04``) has no ``KEY`` and no
    ``solution_…``: tab completion finds the checks, not the answers."""
    names = _checks_modules()
    assert names == [f"asrlib.checks.{m}" for m in answer_key.check_modules()]
    for name in ["asrlib.checks", *names]:
        module = importlib.import_module(name)
        found = [a for a in dir(module) if a == "KEY" or a.startswith("solution_")]
        assert not found, f"{name} holds {found}"
        source = inspect.getsource(module)
        assert not re.search(r"^KEY\b|\bdef solution_|\bsolution_\w+\(", source, flags=re.M), name


def test_the_installed_package_ships_no_answer(tmp_path):
    """Build the wheel that ``pip install .`` installs (from a copy of the packaging files,
    ``asrlib/`` and ``book/``, so the checkout is left alone) and read it: the checks are in
    it, the teacher's folder is not, and no file defines a ``KEY`` or a ``solution_…``."""
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "setup.py", "setup.cfg", "MANIFEST.in"):
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "_build")
    for folder in ("asrlib", "book"):
        shutil.copytree(ROOT / folder, src / folder, ignore=ignore)
    assert (src / "book" / "teacher" / "answers" / "nb04.py").is_file()
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(tmp_path / "wheel"), str(src)],
        capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    (wheel,) = (tmp_path / "wheel").glob("asrlib-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        texts = {n: archive.read(n).decode("utf-8", "replace") for n in names}
    assert "asrlib/checks/nb04.py" in names and "asrlib/checks/__init__.py" in names
    outside = [n for n in names if not n.startswith(("asrlib/", "asrlib-"))]
    assert not outside, f"the wheel installs files outside asrlib: {outside}"
    assert not [n for n in names if "teacher" in n or "answer" in n], names
    leaks = [n for n, text in texts.items()
             if re.search(r"^\s*KEY\s*(:[^=\n]*)?=|\bdef solution_", text, flags=re.M)]
    assert not leaks, f"these installed files define a KEY or a solution: {leaks}"


def test_the_renderer_writes_every_notebook_answer_and_solution(tmp_path):
    out = tmp_path / "answer_key.md"
    assert answer_key.main([str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Answer key\n")
    for module, path in answer_key.notebooks().items():
        assert f"## {answer_key.notebook_title(path)}" in text
        assert f"(../notebooks/{path.name})" in text
        for title in answer_key.exercise_checks(module).values():
            assert f"### {title}\n" in text
        for title, answer in answer_key.key(module).items():
            assert answer.strip() in text, (module, title)
    for module, check in SOLUTIONS:
        assert f"def solution_{check}(" in text
        assert f"(`solution_{check}` in `book/teacher/answers/{module}.py`)" in text
    assert text.count("```python") == len(SOLUTIONS)


def test_a_missing_answer_is_shown_not_hidden(tmp_path, monkeypatch):
    """An exercise without a KEY entry still gets its heading and says so."""
    monkeypatch.setattr(answer_key.answers("nb00"), "KEY", {})
    text = answer_key.render()
    assert ("### Exercise 1 (word error rate)\n\n*No answer yet: `KEY` in "
            "`book/teacher/answers/nb00.py`") in text
