"""Every notebook's exercise checks accept the reference answer, reject a wrong one, and say
"not tried yet" for the ``...`` placeholder; odd answers are wrong, never an error."""

import numpy as np
import pytest

from asrlib import checks, results
from asrlib.checks import nb00, nb01, nb02, nb03, nb04, nb05, nb06, nb07, nb08, nb09, nb10

CASES = [  # checker, reference answer, a wrong answer
    (nb00.word_error_rate, 0.4, 0.2),
    (nb01.frames, 151, 150),
    (nb01.mel_filter, 22, 21),
    (nb01.mfcc_shape, (81, 13), (80, 13)),
    (nb02.encode_by_hand, [15, 10, 15, 6, 1, 21, 24, 16], [14, 9, 14, 5, 0, 20, 23, 15]),
    (nb02.padded_frames, 224, 700),  # needs the mirror: the batch is built from FSDD
    (nb02.training_speakers, ["jackson", "lucas", "nicolas", "yweweler"], ["theo", "george"]),
    (nb03.output_frames, 150, 151),
    (nb03.lstm_params, 459_776, 4 * (192 + 256) * 256),
    (nb03.sequence_width, 1280, 40 * 64),
    (nb04.n_alignments, 15, 6),
    (nb04.min_frames, 13, 10),
    (nb04.collapsed, "mississippi", "misisipi"),
    (nb05.steps_per_epoch, 125, 124),
    (nb05.resumed_epoch, 5, 4),
    (nb06.two_frame_prob, 0.64, 0.36),
    (nb06.uniform_perplexity, 10, 11),
    (nb07.validation_speaker, "nicolas", "lucas"),
    (nb07.times_in_training, 4, 5),
    (nb08.recording_bytes, 192_000, 48_000),
    (nb08.which_decoder, "lexicon", "beam"),
    (nb09.per_replica_batch, 32, 64),
    (nb09.scaled_learning_rate, 8e-3, 1e-3),
    (nb10.running_mean, lambda x: np.cumsum(x) / np.arange(1, len(x) + 1),
     lambda x: np.full(len(x), np.mean(x))),  # the utterance's mean: it needs the future
    (nb10.lstm_step, lambda x, h, c, w, u, b: _lstm(x, h, c, w, u, b),
     lambda x, h, c, w, u, b: (h, c)),
]


def _lstm(x, h, c, w, u, b):
    z = x @ w + h @ u + b
    i, f, g, o = np.split(z, 4)
    sig = lambda v: 1 / (1 + np.exp(-v))  # noqa: E731
    c = sig(f) * c + sig(i) * np.tanh(g)
    return sig(o) * np.tanh(c), c


@pytest.mark.parametrize(
    ("check", "right", "wrong"), CASES, ids=[f"{c.__module__[-4:]}.{c.__name__}" for c, *_ in CASES]
)
def test_check(check, right, wrong, capsys, mirror):
    assert check(right) is True
    assert "✅" in capsys.readouterr().out
    assert check(wrong) is False
    assert "❌" in capsys.readouterr().out
    assert check(...) is False
    assert "⏳" in capsys.readouterr().out


def test_numpy_and_whole_float_answers_are_accepted(capsys):
    assert nb01.frames(np.int64(151)) and nb01.frames(151.0)  # 1 + 1.5 * 16000 // 160
    assert nb01.mfcc_shape(np.array([81, 13]))
    assert nb01.mel_filter(np.int64(22))


def test_librosa_layout_gets_its_own_hint(capsys):
    assert nb01.mfcc_shape((13, 81)) is False
    assert "librosa" in capsys.readouterr().out


@pytest.mark.parametrize("junk", ["151", 151.5, True, None])
def test_frames_rejects_non_integers(junk, capsys):
    assert nb01.frames(junk) is False


def test_odd_answers_are_wrong_not_errors(capsys):
    assert nb01.mfcc_shape(81) is False
    assert nb02.encode_by_hand("nine two") is False
    assert nb02.encode_by_hand([15, 10]) is False
    assert nb02.training_speakers(42) is False
    assert nb02.training_speakers("lucas") is False
    assert capsys.readouterr().out.count("❌") == 5


def test_hardest_speaker_reads_the_stored_folds(tmp_path, capsys):
    for speaker, wer in (("theo", 0.02), ("lucas", 0.09), ("george", 0.05)):
        results.FoldResult("v4", speaker, "x", [], 300.0, 9, 9, 300.0, 20.0, 300,
                               {"wer": wer * 3, "cer": wer}, {"wer": wer, "cer": wer / 2}
                               ).save(results.fold_path(tmp_path, "v4", speaker))
    assert nb07.hardest_speaker("lucas", out_dir=tmp_path) is True
    assert "✅" in capsys.readouterr().out
    assert nb07.hardest_speaker("theo", out_dir=tmp_path) is False
    assert nb07.hardest_speaker(..., out_dir=tmp_path) is False
    assert nb07.hardest_speaker("lucas", recipe="none", out_dir=tmp_path) is False
    assert "python -m asrlib loso --recipe none" in capsys.readouterr().out


def test_end_of_blank_phase_reads_a_keras_log(tmp_path, capsys):
    log = tmp_path / "run.log.csv"
    log.write_text("epoch,loss,val_cer,val_wer\n0,80,1.0,1.0\n1,40,0.95,1.0\n2,20,0.5,0.9\n")
    assert nb05.first_epoch_below(3, log=log) is True
    assert nb05.first_epoch_below(2, log=log) is False  # the CSV's 0-based epoch
    assert nb05.first_epoch_below(..., log=log) is False
    assert nb05.first_epoch_below(3, log=tmp_path / "none.csv") is False
    assert "python -m asrlib loso --recipe seed" in capsys.readouterr().out


def test_code_exercises_treat_an_empty_function_as_untried(capsys):
    def empty(*args):
        ...

    assert nb10.running_mean(empty) is False and nb10.lstm_step(empty) is False
    assert capsys.readouterr().out.count("⏳") == 2
    assert nb10.running_mean(lambda x: 1 / 0) is False  # a function that raises: one line
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_digest_compares_normalised_answers():
    """What a check keeps instead of an answer: text, whole numbers and sequences compare by
    value, whatever their type or spacing; a near miss does not."""
    assert checks.digest(" Lexicon ") == checks.digest("lexicon")
    assert checks.digest(151.0) == checks.digest(np.int64(151)) == checks.digest(151)
    assert checks.digest([1.0, 2]) == checks.digest((1, 2)) == checks.digest(np.array([1, 2]))
    assert checks.digest(151.5) != checks.digest(151) != checks.digest("151")
    assert checks.digest(True) != checks.digest(1)


def test_which_decoder_accepts_any_spelling_of_the_answer(capsys):
    assert nb08.which_decoder("  LEXICON ") is True
    assert "✅ Exercise 2 (which decoder): correct. the lexicon decoder" in capsys.readouterr().out
    assert nb08.which_decoder(["lexicon"]) is False
