"""Notebook 00 (introduction): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb00`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (output frames)": (
        "**100.** Two seconds at 16 kHz are 32,000 samples; centred frames every 160 samples "
        "give 1 + 32,000 // 160 = 201 feature frames, and the 2×2 max-pool keeps "
        "⌊201 / 2⌋ = 100 of them (`model.output_lengths`)."),
    "Exercise 2 (held-out speaker)": (
        "**theo** (`datasets.DIGITS_TEST_SPEAKER`). The digits split trains on four FSDD voices, "
        "validates on george and tests on theo. `digits_no_theo.keras` and "
        "`digits_heldout.keras` never heard him; the shipped `digits_model.keras` did (it "
        "learned from every voice: `checkpoint.read_meta(path)[\"info\"][\"speakers\"]`)."),
    "Exercise 3 (word error rate)": (
        "**0.4.** The alignment is three = three, one = one, four → for (a substitution), "
        "one = one, five → nothing (a deletion): 2 edits over the 5 reference words. The "
        "hypothesis's length does not enter the denominator."),
}
