"""The recorder widget's Python half and the transcription app, without a browser."""

import numpy as np
import pytest

from asrlib import audio, checkpoint, datasets, decoders, decoding, runtime, transcriber
from asrlib.app import Mode, TranscribeApp, analyse, confidence_html
from asrlib.recorder import Recorder, decode_pcm
from asrlib.text import Alphabet
from asrlib.transcriber import Transcriber, word_confidence


def test_decode_pcm_checks_and_resamples():
    x = np.sin(np.linspace(0, 200, 48_000)).astype("<f4") * 0.1
    out = decode_pcm(x.tobytes(), 48_000)
    assert out.dtype == np.float32 and len(out) == 16_000
    with pytest.raises(audio.AudioError, match="not whole float32 samples"):
        decode_pcm(b"abc", 16_000)
    with pytest.raises(audio.AudioError, match="not a microphone's"):
        decode_pcm(x.tobytes(), 100)
    with pytest.raises(audio.AudioError, match="too short"):
        decode_pcm(x[:10].tobytes(), 16_000)
    with pytest.raises(audio.AudioError, match="NaN"):
        decode_pcm(np.full(8_000, np.nan, "<f4").tobytes(), 16_000, "mic")


def test_recorder_reports_a_broken_buffer_instead_of_raising():
    rec, heard, errors = Recorder(), [], []
    rec.on_audio(heard.append, on_error=errors.append)
    assert rec.samples is None
    rec.audio = b"\x00\x01\x02"  # what a truncated message would look like
    assert not heard and "float32" in errors[0] and rec.error == errors[0]
    rec.audio = np.zeros(1600, "<f4").tobytes()
    assert len(heard) == 1 and len(heard[0]) == 1600


@pytest.fixture(scope="module")
def app():
    return TranscribeApp({"digits": Transcriber.from_file(runtime.shipped_model("digits"))},
                         plots=False)


def test_app_transcribes_a_voice_from_recordings_it_never_trained_on(app, mirror):
    utt = datasets.connected_digits(5, ["theo"], seed=2, takes=range(5))[1]
    app.recorder.rate, app.recorder.source = 16_000, "test"
    app.recorder.audio = utt.load().astype("<f4").tobytes()
    assert f'data-model="digits">{utt.text}</span>' in app.transcript.value
    (text, words), = [app.last["digits"]["transcripts"]["lexicon"]]
    assert text == utt.text and all(0 < c <= 1 for _, c in words)


def test_app_says_one_line_for_silence_and_junk(app):
    app.recorder.rate = 16_000
    app.recorder.audio = np.zeros(16_000, "<f4").tobytes()
    assert "silent" in app.transcript.value and "asrlib-transcript" not in app.transcript.value
    app.recorder.audio = b"12345"
    assert "Could not transcribe" in app.transcript.value


def test_confidence_colours():
    html = confidence_html([("one", 0.95), ("two", 0.6), ("<b>", 0.1)])
    assert "#2e7d32" in html and "#e65100" in html and "#b00020" in html
    assert "&lt;b&gt;" in html  # words are escaped
    assert "nothing recognised" in confidence_html([])


def test_word_confidence_survives_odd_spacing():
    # a decoder can write leading, trailing and double spaces: the words are what count
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(40, Alphabet().size))
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    words = word_confidence(probs, "  ab  c ", Alphabet())
    assert [w for w, _ in words] == ["ab", "c"] and all(0 < c <= 1 for _, c in words)
    assert word_confidence(probs, "   ", Alphabet()) == []


def test_transcriber_accepts_exactly_the_decoder_kinds(untrained_model):
    bundle = checkpoint.load(untrained_model)
    for name in ("greedy", "beam", "keras_beam"):
        assert transcriber.Transcriber(bundle, name).kind == name
    with pytest.raises(ValueError, match="decoder kind must be one of"):
        transcriber.Transcriber(bundle, "viterbi")
    assert set(decoding.KINDS) == {"greedy", "beam", "keras_beam", "lexicon", "lm"}


def test_analyse_runs_every_decoder_through_the_factory(app, mirror):
    utt = datasets.connected_digits(5, ["theo"], seed=2, takes=range(5))[1]
    digits = app.transcribers["digits"]
    result = analyse(digits, utt.load())
    probs, texts = result["probs"], {k: t for k, (t, _) in result["transcripts"].items()}
    assert list(texts) == ["greedy", "beam", "lexicon"] and result["main"] == "lexicon"
    assert texts["lexicon"] == digits.decode(probs) == utt.text  # the main line: the model's own
    alphabet = digits.bundle.alphabet
    assert texts["greedy"] == decoders.decode(probs, "greedy", alphabet)
    assert texts["beam"] == decoders.decode(probs, "beam", alphabet, beam_width=16)


@pytest.fixture(scope="module")
def two_modes(app):
    """The app of notebook 08: digits, and spelling with the AN4 model."""
    an4 = Transcriber.from_file(runtime.shipped_model("an4"))
    return TranscribeApp({
        "digits": Mode("say a few digits", {"digits": app.transcribers["digits"]}),
        "spell": Mode("spell your name, say your zip code", {"an4": an4},
                      label="spell (names, zip codes)"),
    }, plots=False)


def test_switching_mode_reads_the_last_clip_again(two_modes, mirror):
    app = two_modes
    assert app.picker.options == (("digits", "digits"), ("spell (names, zip codes)", "spell"))
    assert app.picker.layout.display != "none" and "say a few digits" in app.prompt.value
    app.mode = "spell"  # before any recording: nothing to read again
    assert "No recording yet" in app.transcript.value and "zip code" in app.prompt.value
    app.mode = "digits"
    utt = datasets.connected_digits(5, ["theo"], seed=2, takes=range(5))[1]
    clip = utt.load()
    app.recorder.rate, app.recorder.source = 16_000, "test"
    app.recorder.audio = clip.astype("<f4").tobytes()
    assert f'data-mode="digits" data-model="digits">{utt.text}</span>' in app.transcript.value
    app.picker.value = "spell"  # what pressing the button does
    heard = Transcriber.from_file(runtime.shipped_model("an4")).transcribe(clip)
    assert f'data-mode="spell" data-model="an4">{heard}</span>' in app.transcript.value
    assert list(app.last) == ["an4"] and app.last["an4"]["transcripts"]["lexicon"][0] == heard
    assert 'data-model="digits"' not in app.transcript.value
    # read() and render() give another mode's line without switching the app
    line = app.render(clip, app.read(clip, "digits"), "digits")
    assert f'data-mode="digits" data-model="digits">{utt.text}</span>' in line
    assert app.mode == "spell"
    app.mode = "digits"
    assert f'data-model="digits">{utt.text}</span>' in app.transcript.value
    with pytest.raises(ValueError, match="no mode 'sentence'"):
        app.mode = "sentence"


def test_a_failing_model_is_one_line_in_the_app(app, mirror):
    broken = Transcriber(app.transcribers["digits"].bundle)

    def fail(samples):
        raise RuntimeError("the model broke\n  Traceback (most recent call last):\n  more")

    broken.probs = fail
    failing = TranscribeApp({"digits": Mode("say a few digits", {"digits": app.transcribers[
        "digits"]}), "broken": Mode("say anything", {"broken": broken})}, plots=False)
    failing.recorder.rate = 16_000
    failing.recorder.audio = datasets.connected_digits(1, ["theo"], seed=2)[0].load(
        ).astype("<f4").tobytes()
    assert "asrlib-transcript" in failing.transcript.value
    failing.mode = "broken"
    assert "Could not transcribe: the model broke</div>" in failing.transcript.value
    assert "Traceback" not in failing.transcript.value and "\n" not in failing.transcript.value
    assert failing.last == {}


def test_one_dict_of_models_is_one_mode_and_modes_need_models(app):
    assert list(app.modes) == [""] and app.picker.layout.display == "none"
    assert list(app.transcribers) == ["digits"]
    with pytest.raises(ValueError, match="at least one model"):
        Mode("say a few digits", {})
    with pytest.raises(ValueError, match="at least one mode"):
        TranscribeApp({})
    with pytest.raises(TypeError, match="Mode"):
        TranscribeApp({"digits": Mode("say a few digits", dict(app.transcribers)),
                       "other": app.transcribers["digits"]})
