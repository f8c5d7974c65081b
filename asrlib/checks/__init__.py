"""Checks: friendly pass/fail for the notebooks' exercises.

Each notebook has its own module (``from asrlib.checks import nb01``). A check
prints one line a student can act on and returns ``True``/``False``, so the
tests can prove that it accepts the reference answer and rejects a wrong one.
Leaving the ``...`` placeholder in place is reported as "not tried yet".
"""

from __future__ import annotations

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
