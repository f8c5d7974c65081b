"""The answer key: every exercise a notebook asks has an answer in its checks module's ``KEY``,
every reference ``solution_X`` passes check ``X``, and ``book/answer_key.py`` renders them."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("answer_key", ROOT / "book" / "answer_key.py")
answer_key = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(answer_key)

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
    mod = answer_key.load(module)
    key = getattr(mod, "KEY", None)
    assert isinstance(key, dict), f"asrlib.checks.{module} defines no KEY"
    missing = [t for t in answer_key.exercise_checks(module).values() if t not in key]
    assert not missing, f"asrlib.checks.{module}.KEY lacks {missing}"
    empty = [t for t, text in key.items() if not isinstance(text, str) or not text.strip()]
    assert not empty, f"asrlib.checks.{module}.KEY has empty answers for {empty}"


@pytest.mark.parametrize("module", NOTEBOOK_MODULES)
def test_key_entries_are_exercises_the_notebook_asks(module):
    """A KEY entry for an exercise the notebook no longer (or not yet) asks would sit in the
    answer key under no question a student sees."""
    key = getattr(answer_key.load(module), "KEY", {}) or {}
    asked = set(answer_key.exercise_checks(module).values())
    stale = [t for t in key if t not in asked]
    assert not stale, f"asrlib.checks.{module}.KEY answers exercises not in the notebook: {stale}"


@pytest.mark.parametrize("module", answer_key.check_modules())
def test_key_titles_are_titles_a_check_prints(module):
    """A KEY entry whose title no check prints (a typo, a renamed exercise) is never shown
    next to the right exercise."""
    key = getattr(answer_key.load(module), "KEY", {}) or {}
    printed = answer_key.module_checks(module)
    stray = [t for t in key if t not in printed]
    assert not stray, f"asrlib.checks.{module}.KEY: no check prints {stray}"


@pytest.mark.parametrize("module", answer_key.check_modules())
def test_key_answers_have_no_accidental_links(module):
    """KEY texts are MyST Markdown: `x[i](y)` outside backticks is read as a link to a file
    "y", which does not exist, and the book's build fails. Formulas and code go in backticks."""
    key = getattr(answer_key.load(module), "KEY", {}) or {}
    bad = []
    for title, text in key.items():
        prose = re.sub(r"`[^`]*`", "", re.sub(r"```.*?```", "", text, flags=re.S))
        for target in re.findall(r"\]\(([^)\s]*)", prose):
            if not re.match(r"^(https?:|mailto:|#)", target) and not (
                    ROOT / "book" / target.split("#")[0]).exists():
                bad.append(f"{title!r}: ({target})")
    assert not bad, f"asrlib.checks.{module}.KEY: put these in backticks or fix the link: {bad}"


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
    assert answer_key.module_checks("nb99") == {"Exercise 1 (double)": "_double"}
    assert answer_key.solutions("nb99") == {"_double": solution__double}
    assert answer_key.exercise_title(_number) is None


@pytest.mark.parametrize(("module", "check"), SOLUTIONS, ids=[f"{m}.{c}" for m, c in SOLUTIONS])
def test_every_solution_passes_its_check(module, check, capsys):
    mod = answer_key.load(module)
    assert hasattr(mod, check), f"asrlib.checks.{module}.solution_{check} has no check {check}"
    ok = getattr(mod, check)(getattr(mod, f"solution_{check}"))
    out = capsys.readouterr().out
    assert ok is True, out
    assert out.startswith("✅"), out
    title = answer_key.exercise_title(getattr(mod, check))
    assert title in getattr(mod, "KEY", {}), f"{module}: {title!r} has a solution but no KEY text"


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
        for title, answer in (getattr(answer_key.load(module), "KEY", {}) or {}).items():
            assert answer.strip() in text, (module, title)
    for module, check in SOLUTIONS:
        assert f"def solution_{check}(" in text
        assert f"`asrlib.checks.{module}.solution_{check}`" in text
    assert text.count("```python") == len(SOLUTIONS)


def test_a_missing_answer_is_shown_not_hidden(tmp_path, monkeypatch):
    """An exercise without a KEY entry still gets its heading and says so."""
    mod = answer_key.load("nb00")
    monkeypatch.setattr(mod, "KEY", {}, raising=False)
    text = answer_key.render()
    assert "### Exercise 1 (output frames)\n\n*No answer yet: `asrlib.checks.nb00.KEY`" in text
