"""Notebook 03 (the model, layer by layer): answer key and reference solutions, for teachers.

Not part of the ``asrlib`` package (see ``book/teacher/README.md``). ``KEY`` maps each
exercise title, exactly as its check in ``asrlib.checks.nb03`` prints it, to the answer
in MyST Markdown with the reason; ``solution_X`` is the reference implementation that
check ``X`` accepts. ``book/answer_key.py`` renders both into the book."""

from __future__ import annotations

from asrlib import ctc
from asrlib.text import Alphabet


def solution_too_few_frames(n_frames: int, text: str, stride: int) -> bool:
    """True when ``n_frames // stride`` output frames are fewer than CTC needs for ``text``."""
    output_frames = n_frames // stride  # each 2×2 'valid' pool keeps floor(T / 2) frames
    return ctc.min_frames(Alphabet().encode(text)) > output_frames


KEY = {
    "Exercise 1 (output frames)":
        "**150.** The 2×2 max-pool keeps ⌊301 / 2⌋ = 150 frames: with `'valid'` padding an "
        "incomplete block, here the odd last frame, is dropped (`output_lengths(301) == 150`).",
    "Exercise 2 (LSTM parameters)":
        "**459,776** = 4 · (192 + 256 + 1) · 256. Each of the four gate blocks has input weights "
        "(192), recurrent weights (256: the layer's own, now wider, state) and a bias, for each "
        "of the 256 units.",
    "Exercise 3 (reshape width)":
        "**1,280** = (40 // 2) · 64. The pool halves the frequency axis (40 → 20), and the "
        "Reshape glues frequency and the 64 filter channels of each frame into one vector.",
    "Exercise 4 (too few frames)":
        "`solution_too_few_frames` divides the input frames by the stride, rounding down "
        "(every 2×2 `'valid'` pool keeps ⌊T / 2⌋ frames), and compares that with "
        "`ctc.min_frames` of the encoded transcript: one frame per character plus a blank "
        "between equal neighbours. At stride 4, 'three' in 0.23 s and 'seven seven' in 0.43 s "
        "no longer fit; 'three' in 0.24 s does.",
}
