"""Notebook 02 (text, padding and batches): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb02`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

KEY = {  # the answer key: exercise title as the check prints it → the answer, with the reason
    "Exercise 1 (encode by hand)": (
        "**[15, 10, 15, 6, 1, 21, 24, 16].** n i n e = 15 10 15 6 (a = 2, so a letter's id is "
        "its place in the alphabet plus one), the space is 1, t w o = 21 24 16. No id is 0: "
        "the blank never appears in a label."),
    "Exercise 2 (padded frames)": (
        "**224.** The batch is 4 × 231 = 924 frames; the true lengths 127 + 231 + 132 + 210 = "
        "700 are speech, so 924 − 700 = 224 frames (24 %) are zero padding."),
    "Exercise 3 (training speakers)": (
        "**jackson, lucas, nicolas, yweweler.** `datasets.digits_split` keeps george for "
        "validation and theo for testing, so only the other four of the six FSDD voices are "
        "trained on; no voice is in two splits."),
    "Exercise 4 (WER by dynamic programming)": (
        "`solution_word_error_rate` splits both texts into words and fills a table whose cell "
        "(i, j) is the fewest edits turning the first i reference words into the first j "
        "hypothesis words: row 0 and column 0 are j insertions and i deletions, every other "
        "cell the minimum of diagonal + (0 if the words match else 1), above + 1 and left + 1. "
        "The corner, divided by the number of reference words, is the WER; nothing caps it at "
        "1, so extra words push it past 100 %."),
}


def solution_word_error_rate(ref: str, hyp: str) -> float:
    """Word error rate of one pair: the edit distance between the word lists / reference words."""
    r, h = ref.split(), hyp.split()
    cost = [[i + j if i == 0 or j == 0 else 0 for j in range(len(h) + 1)]
            for i in range(len(r) + 1)]  # row 0: j insertions; column 0: i deletions
    for i in range(1, len(r) + 1):
        for j in range(1, len(h) + 1):
            cost[i][j] = min(cost[i - 1][j - 1] + (r[i - 1] != h[j - 1]),  # match or substitute
                             cost[i - 1][j] + 1,  # delete a reference word
                             cost[i][j - 1] + 1)  # insert a hypothesis word
    return cost[len(r)][len(h)] / len(r)
