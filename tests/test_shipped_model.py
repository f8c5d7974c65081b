"""The model in data/ must load, describe itself, and really recognise an unseen speaker."""

import json

import pytest
from conftest import SHIPPED_DIGITS

from asrlib import checkpoint, cli, datasets, metrics
from asrlib.transcriber import Transcriber

# Measured on 300 strings of the held-out speaker when the model was made (data/README.md);
# this bound leaves room for the smaller sample below, not for a broken model.
MAX_HELD_OUT_WER = 0.30


@pytest.fixture(scope="module")
def shipped():
    if not SHIPPED_DIGITS.exists():
        pytest.fail(f"{SHIPPED_DIGITS} is missing: the project ships a trained digits model")
    return checkpoint.load(SHIPPED_DIGITS)


def test_shipped_model_is_small_and_documented(shipped):
    assert SHIPPED_DIGITS.stat().st_size < 5 * 2**20
    info = shipped.info
    assert info["data"] == "digits" and "command" in info
    assert datasets.DIGITS_TEST_SPEAKER not in info["speakers"]["train"]
    assert shipped.alphabet.size == 28 and shipped.features.n_mfcc == 13


def test_shipped_model_recognises_the_held_out_speaker(shipped, mirror):
    utts = datasets.connected_digits(40, [datasets.DIGITS_TEST_SPEAKER], seed=11)
    transcriber = Transcriber(shipped)
    assert transcriber.decoder == "task"  # the digit-word decoder saved in the file
    hyps = [transcriber.transcribe(u.load()) for u in utts]
    wer = metrics.wer([u.text for u in utts], hyps)
    assert wer <= MAX_HELD_OUT_WER, (wer, list(zip([u.text for u in utts], hyps))[:5])
    assert {w for h in hyps for w in h.split()} <= set(datasets.DIGIT_WORDS)
    greedy = Transcriber(shipped, "greedy")
    assert metrics.wer([u.text for u in utts], [greedy.transcribe(u.load()) for u in utts]) >= wer


def test_evaluate_line_on_the_held_out_speaker(capsys, mirror, tmp_path):
    manifest = tmp_path / "theo.jsonl"
    assert (
        cli.main(["make-manifest", "--corpus", "digits", "--n", "10", "--out", str(manifest)]) == 0
    )
    assert (
        cli.main(
            ["evaluate", "--model", str(SHIPPED_DIGITS), "--manifest", str(manifest), "--beam", "8"]
        )
        == 0
    )
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["utterances"] == 10 and line["decoder"] == "beam" and line["rtf"] < 1.0


def test_sentence_baseline_never_saw_its_test_speaker():
    path = SHIPPED_DIGITS.parent / "sentence_baseline.keras"
    info = checkpoint.read_meta(path)["info"]
    assert info["data"] == "sentences"
    assert cli.SENTENCE_TEST_SPEAKER not in info["speakers"]["train"] + info["speakers"]["val"]
    assert info["speakers"]["test"] == [cli.SENTENCE_TEST_SPEAKER]
