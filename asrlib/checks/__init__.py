"""Checks: friendly pass/fail for the notebooks' exercises.

Each notebook has its own module (``from asrlib.checks import nb01``). A check
prints one line a student can act on and returns ``True``/``False``, so the
tests can prove that it accepts the reference answer and rejects a wrong one.
Leaving the ``...`` placeholder in place is reported as "not tried yet".

No answer ships with the checks: a check computes what it expects from the library (the
function the exercise asks the student to rebuild, or the numbers behind the question), from
properties the answer must have, or, where neither says it without saying the answer, compares
a hash of the normalised answer (:func:`digest`). The answer key and the reference solutions
are the teacher's, in ``book/teacher/answers/`` beside the book (``make book`` renders them);
they are not part of the installed package.
"""

from __future__ import annotations

import hashlib
import json
import math

import numpy as np

PASS, FAIL, TODO = "✅", "❌", "⏳"


def report(exercise: str, ok: bool, hint: str = "", praise: str = "") -> bool:
    """Print the verdict for ``exercise`` and return ``ok``."""
    if ok:
        print(f"{PASS} {exercise}: correct." + (f" {praise}" if praise else ""))
    else:
        print(f"{FAIL} {exercise}: not yet." + (f" Hint: {hint}" if hint else ""))
    return ok


def untried(exercise: str, answer) -> bool:
    """True (and says so) when the answer is still the ``...`` placeholder or None."""
    if answer is Ellipsis or answer is None:
        print(f"{TODO} {exercise}: replace the ... with your answer, then run the cell again.")
        return True
    return False


def close(a, b, tol: float = 1e-5) -> bool:
    """Same shape and equal within ``tol`` (absolute, and relative for large values)."""
    try:
        a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == b.shape and bool(np.allclose(a, b, atol=tol, rtol=tol))


def normalise(answer):
    """``answer`` in a canonical form for :func:`digest`: text stripped and lower-cased, a
    whole number as an int (``7.0`` → 7), other numbers rounded to 9 decimals, sequences
    element by element; anything else by its ``repr``."""
    if isinstance(answer, str):
        return answer.strip().lower()
    if isinstance(answer, (bool, np.bool_)):
        return bool(answer)
    if isinstance(answer, (int, float, np.number)):
        value = float(answer)
        if not math.isfinite(value):
            return repr(value)
        whole = round(value)
        return int(whole) if abs(value - whole) <= 1e-9 * max(1.0, abs(value)) else round(value, 9)
    if isinstance(answer, (list, tuple, np.ndarray)):
        return [normalise(a) for a in answer]
    return repr(answer)


def digest(answer) -> str:
    """The SHA-256 of the normalised ``answer``: what a check keeps instead of the answer
    itself when nothing in the library computes it without giving it away."""
    text = json.dumps(normalise(answer), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
