"""Notebook 02's exercises: the WER exercise's check accepts the reference function, rejects
wrong ones (capped, wrong denominator, position by position), reports a raising or empty one in
one line; the answer key covers every exercise."""

import json
import random
import re
from pathlib import Path

import pytest
import teacher

from asrlib import metrics
from asrlib.checks import nb02

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb02")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "02_text_and_batches.ipynb"
CHECKS = (nb02.encode_by_hand, nb02.padded_frames, nb02.training_speakers, nb02.word_error_rate)


def _capped(ref, hyp):
    return min(1.0, answers.solution_word_error_rate(ref, hyp))


def _longer_length(ref, hyp):
    edits = answers.solution_word_error_rate(ref, hyp) * len(ref.split())
    return edits / max(len(ref.split()), len(hyp.split()))


def _position_by_position(ref, hyp):
    r, h = ref.split(), hyp.split()
    return (sum(a != b for a, b in zip(r, h)) + abs(len(r) - len(h))) / len(r)


@pytest.mark.parametrize("wrong", [_capped, _longer_length, _position_by_position])
def test_word_error_rate(wrong, capsys):
    assert nb02.word_error_rate(answers.solution_word_error_rate) is True
    assert "✅" in capsys.readouterr().out
    assert nb02.word_error_rate(wrong) is False
    out = capsys.readouterr().out
    assert "❌" in out and out.count("\n") == 1
    assert nb02.word_error_rate(...) is False
    assert "⏳" in capsys.readouterr().out


def test_a_capped_wer_is_told_about_insertions(capsys):
    nb02.word_error_rate(_capped)
    assert "Insertions count too" in capsys.readouterr().out


def test_the_hidden_pairs_pass_100_percent():
    rates = [metrics.wer(ref, hyp) for ref, hyp in nb02.WER_CASES]
    assert max(rates) > 2 and 0 in rates and 1 in rates


def test_the_solution_is_metrics_wer_on_random_pairs():
    rng = random.Random(2)
    words = ["one", "two", "three", "oh"]
    for _ in range(200):
        ref = " ".join(rng.choice(words) for _ in range(rng.randint(1, 6)))
        hyp = " ".join(rng.choice(words) for _ in range(rng.randint(0, 9)))
        assert answers.solution_word_error_rate(ref, hyp) == pytest.approx(metrics.wer(ref, hyp))


def test_raising_or_empty(capsys):
    def empty(ref, hyp):
        ...

    assert nb02.word_error_rate(empty) is False
    assert "⏳" in capsys.readouterr().out
    assert nb02.word_error_rate(lambda ref, hyp: ref / 2) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "TypeError" in out


def test_key_covers_every_exercise(capsys):
    for check in CHECKS:
        check(...)
    titles = re.findall(r"⏳ (Exercise \d+ \([^)]*\))", capsys.readouterr().out)
    assert sorted(titles) == sorted(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb02\.(\w+)\(", "".join(c["source"]))}
    assert calls == {check.__name__ for check in CHECKS} | {"exercise_batch"}
