"""Exercise checks for notebook 04 (the CTC loss)."""

from __future__ import annotations

from asrlib import checks, ctc
from asrlib.text import Alphabet

COLLAPSE_PATH = "mmii_sss_s_iiss__ssii_pp_pii"  # exercise 3's frame path, blank written "_"


def n_alignments(answer, text: str = "ab", n_frames: int = 4) -> bool:
    """Exercise 1: how many frame paths of ``n_frames`` collapse to ``text``."""
    name = "Exercise 1 (alignments)"
    if checks.untried(name, answer):
        return False
    alphabet = Alphabet()
    paths = ctc.alignments(alphabet.encode(text), n_frames)
    shown = ", ".join("".join(alphabet.symbols[i] for i in p) for p in paths[:3])
    return checks.report(
        name,
        answer == len(paths),
        hint=f"list them: which frames hold 'a', which 'b', where can blanks go? "
        f"ctc.alignments(labels, {n_frames}) lists them all.",
        praise=f"{len(paths)} paths, e.g. {shown}, …",
    )


def min_frames(answer, text: str = "bookkeeper") -> bool:
    """Exercise 2: the fewest CTC frames that can emit ``text``."""
    name = "Exercise 2 (minimum frames)"
    if checks.untried(name, answer):
        return False
    labels = Alphabet().encode(text)
    expected = ctc.min_frames(labels)
    repeats = expected - len(labels)
    return checks.report(
        name,
        answer == expected,
        hint="one frame per letter, plus one blank between every pair of equal neighbours.",
        praise=f"{len(labels)} letters + {repeats} blanks between doubled letters = {expected}.",
    )


def collapsed(answer, path: str = COLLAPSE_PATH) -> bool:
    """Exercise 3: the text that the frame path ``path`` ("_" = blank) collapses to."""
    name = "Exercise 3 (collapse)"
    if checks.untried(name, answer):
        return False
    alphabet = Alphabet()
    expected = alphabet.decode(ctc.collapse([alphabet.symbols.index(c) for c in path]))
    return checks.report(
        name,
        isinstance(answer, str) and answer.strip() == expected,
        hint="first merge runs of the same symbol, THEN drop the blanks ('ss_ss' stays 'ss').",
        praise=f"'{path}' → '{expected}'.",
    )
