"""Notebook 00 (introduction): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb00`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (word error rate)": (
        "**0.4.** The alignment is three = three, one = one, four → for (a substitution), "
        "one = one, five → nothing (a deletion): 2 edits over the 5 reference words. The "
        "hypothesis's length does not enter the denominator."),
}
