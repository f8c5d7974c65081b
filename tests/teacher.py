"""The teacher's side of the book for the tests: ``book/answer_key.py`` loaded by path once, and
through it each notebook's ``book/teacher/answers/nbNN.py`` (neither is an installed package)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def _answer_key() -> ModuleType:
    if "answer_key" not in sys.modules:
        spec = importlib.util.spec_from_file_location("answer_key", ROOT / "book" / "answer_key.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules["answer_key"] = module
        spec.loader.exec_module(module)
    return sys.modules["answer_key"]


answer_key = _answer_key()


def answers(name: str) -> ModuleType:
    """``book/teacher/answers/<name>.py`` (its ``KEY`` and ``solution_…``), the same module object
    for every test and for ``answer_key``."""
    module = answer_key.answers(name)
    assert module is not None, f"book/teacher/answers/{name}.py is missing"
    return module
