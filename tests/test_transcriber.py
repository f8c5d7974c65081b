"""transcriber: a model's own decoder is the default, and asking for a missing one is clear."""

import shutil

import pytest
from conftest import tone

from asrlib import checkpoint, cli, lm
from asrlib.text import DIGIT_WORDS
from asrlib.transcriber import Transcriber


@pytest.fixture
def model_with_decoder(untrained_model, tmp_path):
    path = shutil.copy(untrained_model, tmp_path / "digits.keras")
    decoder = lm.LexiconDecoder(lm.NGramLM.train([" ".join(DIGIT_WORDS)], order=2),
                                alpha=0.5, beta=2.0, beam_width=4)
    checkpoint.set_decoder(path, decoder.spec)
    return path


def test_the_saved_decoder_is_the_default(model_with_decoder, untrained_model):
    with_lm = Transcriber.from_file(model_with_decoder)
    assert with_lm.kind == "lexicon" and with_lm.decoder.spec.beam_width == 4
    text = with_lm.transcribe(tone())
    assert all(word in DIGIT_WORDS for word in text.split())  # the lexicon: digit words only
    assert Transcriber.from_file(model_with_decoder, "greedy").kind == "greedy"
    assert Transcriber.from_file(untrained_model).kind == "greedy"
    with pytest.raises(ValueError, match="no word LM saved"):
        Transcriber.from_file(untrained_model, "lexicon")


def test_cli_lexicon_decoder_errors_in_one_line(capsys, untrained_model, tmp_path):
    wav = tmp_path / "tone.wav"
    import soundfile as sf

    sf.write(wav, tone(), 16_000)
    assert cli.main(["transcribe", "--model", str(untrained_model), "--decoder", "lexicon",
                     str(wav)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: this model has no word LM saved")
