"""Notebook 06 (decoding): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb06`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

import math

from asrlib.checks.nb06 import DIGIT_WORDS

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (summing the paths)": (
        "**0.64.** Three paths collapse to \"a\": `a a` (0.4 × 0.4 = 0.16), `a _` and `_ a` "
        "(0.4 × 0.6 = 0.24 each); together 0.64, more than the 0.36 of the best path `_ _`, "
        "which collapses to the empty transcript."),
    "Exercise 2 (perplexity)": (
        "**10.** Every word has P = 1/10, so exp(−mean log P) = exp(log 10) = 10: the model is "
        "as unsure as a choice among ten equally likely words, which is all a random digit "
        "string allows."),
    "Exercise 3 (a lexicon scorer)": (
        "`solution_lexicon_scorer` splits the text so far at its last space: what follows is "
        "the word being spelled. A space is allowed (0.0) only when that word is a whole digit "
        "word, so no empty word and no non-word is ever finished; a letter is allowed only when "
        "the word with that letter added is still the beginning of some digit word. Everything "
        "else gets −inf, which removes the extension from the beam."),
}


def solution_lexicon_scorer(prefix_text: str, next_char: str) -> float:
    """0.0 if ``prefix_text + next_char`` can still be read as digit words, else -inf."""
    word = prefix_text.split(" ")[-1]  # the word being spelled ("" right after a space)
    if next_char == " ":
        return 0.0 if word in DIGIT_WORDS else -math.inf
    grown = word + next_char
    return 0.0 if any(w.startswith(grown) for w in DIGIT_WORDS) else -math.inf
