"""Notebook 06's exercises: the lexicon-scorer check accepts the reference, rejects scorers
that allow too much or too little, reports a raising or empty one in one line; the reference
agrees with asrlib's own lexicon scorer; the answer key covers every exercise."""

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
import teacher

from asrlib import decoding, lm
from asrlib.checks import nb06
from asrlib.text import Alphabet

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb06")  # the teacher's KEY and solution_*

NOTEBOOK = ROOT / "notebooks" / "06_decoding.ipynb"


def _no_space_rule(text, ch):  # checks letters, but lets any word end
    return 0.0 if ch == " " else answers.solution_lexicon_scorer(text, ch)


def _whole_text(text, ch):  # matches the whole text, not the word being spelled
    grown = text + ch
    return 0.0 if any(w.startswith(grown) for w in nb06.DIGIT_WORDS) else -math.inf


@pytest.mark.parametrize("wrong", [lambda t, c: 0.0, lambda t, c: -math.inf, _no_space_rule,
                                   _whole_text, lambda t, c: "0"])
def test_lexicon_scorer_rejects_wrong_scorers(wrong, capsys):
    assert nb06.lexicon_scorer(wrong) is False
    out = capsys.readouterr().out
    assert "❌" in out and out.count("\n") == 1


def test_lexicon_scorer_accepts_the_reference(capsys):
    assert nb06.lexicon_scorer(answers.solution_lexicon_scorer) is True
    assert "✅" in capsys.readouterr().out


def test_lexicon_scorer_raising_or_empty(capsys):
    assert nb06.lexicon_scorer(...) is False
    assert "⏳" in capsys.readouterr().out
    assert nb06.lexicon_scorer(lambda t, c: None) is False
    assert "⏳" in capsys.readouterr().out
    assert nb06.lexicon_scorer(lambda t, c: 1 / 0) is False
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "ZeroDivisionError" in out


def test_the_reference_decodes_like_asrlibs_lexicon_scorer():
    alphabet, rng = Alphabet(), np.random.default_rng(1)
    word_lm = lm.NGramLM.train(nb06.DIGIT_WORDS, order=1)
    library = lm.LMScorer(word_lm, alphabet, alpha=0.0, beta=0.0, lexicon=True)
    for text in nb06.LEXICON_TEXTS:
        probs = nb06._posteriorgram(text, rng, alphabet)
        ours = nb06._decode(answers.solution_lexicon_scorer, probs, alphabet)
        theirs = decoding.prefix_beam_search(probs, 8, scorer=library, prune=1e-3)[0][0]
        assert ours == alphabet.decode(theirs) == text


def test_key_covers_every_exercise(capsys):
    checks = (nb06.two_frame_prob, nb06.uniform_perplexity, nb06.lexicon_scorer)
    for check in checks:
        check(...)
    titles = re.findall(r"⏳ (Exercise \d+ \([^)]*\))", capsys.readouterr().out)
    assert sorted(titles) == sorted(answers.KEY)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    calls = {m for c in cells if c["cell_type"] == "code"
             for m in re.findall(r"nb06\.(\w+)\(", "".join(c["source"]))}
    assert calls == {c.__name__ for c in checks}
