"""Metrics: edit distance and corpus-level word and character error rates.

The definitions match ``jiwer.wer`` and ``jiwer.cer`` called on lists: errors
(substitutions + deletions + insertions) are summed over the corpus and divided
by the summed reference length, so long utterances weigh more than short ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

UNITS = ("word", "char")  # what error_counts can count


def edit_distance(ref: Sequence, hyp: Sequence) -> int:
    """Levenshtein distance between two sequences (each edit costs 1), two-row DP."""
    vocab: dict = {}
    a = np.array([vocab.setdefault(x, len(vocab)) for x in ref], dtype=np.int64)
    b = np.array([vocab.setdefault(x, len(vocab)) for x in hyp], dtype=np.int64)
    if len(a) > len(b):  # the distance is symmetric: loop over the shorter one
        a, b = b, a
    cols = np.arange(len(b) + 1)
    prev = cols.copy()  # row 0: turning an empty prefix into b[:j] takes j insertions
    for i, token in enumerate(a, start=1):
        cur = np.empty_like(prev)
        cur[0] = i
        # deletion from the row above, or substitution/match from the diagonal
        cur[1:] = np.minimum(prev[1:] + 1, prev[:-1] + (b != token))
        # insertions along the row: cur[j] = min over k <= j of cur[k] + (j - k)
        prev = np.minimum.accumulate(cur - cols) + cols
    return int(prev[-1])


@dataclass(frozen=True)
class ErrorRate:
    """Summed edit operations over a corpus and the summed reference length."""

    errors: int
    total: int

    @property
    def rate(self) -> float:
        """``errors / total``; with an empty reference it is ``float(errors)`` (as jiwer 4)."""
        return self.errors / self.total if self.total else float(self.errors)


def _as_list(texts: list[str] | str) -> list[str]:
    return [texts] if isinstance(texts, str) else list(texts)


def _units(text: str, unit: str) -> list[str]:
    words = text.split()
    return words if unit == "word" else list(" ".join(words))


def error_counts(refs: list[str] | str, hyps: list[str] | str, unit: str = "word") -> ErrorRate:
    """Total edits and reference length over a corpus, counted in words or characters.

    Words are whitespace-separated. Characters are those of the text after runs of
    whitespace are collapsed to one space and the ends stripped, so the spaces
    between words count as characters (jiwer's CER strips but does not collapse;
    the two agree on normalised text such as ``asrlib.text.normalize`` returns).
    An empty total reference never raises: see :attr:`ErrorRate.rate`.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    refs, hyps = _as_list(refs), _as_list(hyps)
    if len(refs) != len(hyps):
        raise ValueError(f"{len(refs)} references but {len(hyps)} hypotheses")
    errors = total = 0
    for ref, hyp in zip(refs, hyps):
        ref_units = _units(ref, unit)
        errors += edit_distance(ref_units, _units(hyp, unit))
        total += len(ref_units)
    return ErrorRate(errors, total)


def wer(refs: list[str] | str, hyps: list[str] | str) -> float:
    """Corpus word error rate: summed word edits / summed reference words."""
    return error_counts(refs, hyps, unit="word").rate


def cer(refs: list[str] | str, hyps: list[str] | str) -> float:
    """Corpus character error rate, spaces between words included (see error_counts)."""
    return error_counts(refs, hyps, unit="char").rate


OPERATIONS = ("=", "S", "D", "I")  # match, substitution, deletion, insertion


class Aligned(NamedTuple):
    """One column of an alignment: a reference token, a hypothesis token and the operation
    between them (``None`` on the side that a deletion or an insertion lacks)."""

    ref: str | None
    hyp: str | None
    op: str


def align(ref: str | Sequence, hyp: str | Sequence, unit: str = "word") -> list[Aligned]:
    """A minimum-edit alignment of ``ref`` and ``hyp``, column by column, left to right.

    Strings are cut into words or characters as :func:`error_counts` cuts them; any other
    sequence is taken as tokens already. Dynamic programming fills ``cost[i][j]``, the fewest
    edits turning ``ref[i:]`` into ``hyp[j:]``, from the ends backwards; walking forwards from
    ``cost[0][0]`` along cheapest steps recovers the alignment (on a tie: match or
    substitution first, then deletion, then insertion). Its S + D + I is
    :func:`edit_distance`, so its counts give the same WER and CER.
    """
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, got {unit!r}")
    r = _units(ref, unit) if isinstance(ref, str) else list(ref)
    h = _units(hyp, unit) if isinstance(hyp, str) else list(hyp)
    n, m = len(r), len(h)
    cost = [[(n - i) + (m - j) for j in range(m + 1)] for i in range(n + 1)]  # edges: all D or I
    for i in range(n - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            cost[i][j] = min(cost[i + 1][j + 1] + (r[i] != h[j]),  # match or substitute
                             cost[i + 1][j] + 1,  # delete r[i]
                             cost[i][j + 1] + 1)  # insert h[j]
    pairs, i, j = [], 0, 0
    while i < n or j < m:
        if i < n and j < m and cost[i][j] == cost[i + 1][j + 1] + (r[i] != h[j]):
            pairs.append(Aligned(r[i], h[j], "=" if r[i] == h[j] else "S"))
            i, j = i + 1, j + 1
        elif i < n and cost[i][j] == cost[i + 1][j] + 1:
            pairs.append(Aligned(r[i], None, "D"))
            i += 1
        else:
            pairs.append(Aligned(None, h[j], "I"))
            j += 1
    return pairs


def operation_counts(pairs: Sequence[Aligned]) -> dict[str, int]:
    """How many columns of an alignment are each operation: ``{"=": …, "S": …, "D": …, "I": …}``.

    The errors are S + D + I; the reference length is = + S + D."""
    counts = dict.fromkeys(OPERATIONS, 0)
    for pair in pairs:
        counts[pair.op] += 1
    return counts
