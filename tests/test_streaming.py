"""Streaming: causal features and a causal network fed chunk by chunk give what the whole
utterance gives; the live transcriber grows a partial transcript and finalises on silence."""

from dataclasses import replace

import numpy as np
import pytest

from asrlib import checkpoint, datasets, decoding, streaming
from asrlib.config import Spec
from asrlib.decoding import DecoderSpec
from asrlib.features import FeatureConfig, compute, running_normalize, running_prior
from asrlib.model import ModelConfig, build_model
from asrlib.recipes import VOICE_RECIPES

CAUSAL = VOICE_RECIPES["voices-causal"]


@pytest.fixture
def clip(mirror):
    return datasets.connected_digits(1, ["theo"], seed=3)[0].load()


@pytest.mark.parametrize("chunk_ms", [10, 100, 200, 300, 47])
def test_streaming_features_equal_the_whole_utterances(clip, chunk_ms):
    config = CAUSAL.features
    whole = compute(clip, config)
    live = streaming.StreamingFeatures(config)
    step = round(chunk_ms * 16)
    parts = [live.push(clip[k:k + step]) for k in range(0, len(clip), step)] + [live.flush()]
    got = np.concatenate(parts)
    assert got.shape == whole.shape == (config.n_frames(len(clip)), 13)
    np.testing.assert_allclose(got, whole, atol=1e-5)


def test_causal_features_never_look_ahead(clip):
    config = CAUSAL.features
    whole = compute(clip, config)
    changed = clip.copy()
    changed[8000:] = np.random.default_rng(0).normal(0, 0.1, len(clip) - 8000)
    other = compute(changed, config)
    # frames that end before sample 8000 (+ the padding) cannot know what came after it
    last_unchanged = (8000 + config.pad_samples - config.n_fft // 2) // config.hop_length
    np.testing.assert_array_equal(whole[:last_unchanged], other[:last_unchanged])
    assert not np.allclose(whole[last_unchanged + 2:], other[last_unchanged + 2:])


def test_running_normalisation_carries_its_sums():
    config = CAUSAL.features
    x = np.random.default_rng(1).normal(-100, 30, size=(50, 13))
    whole, _ = running_normalize(x, config)
    first, sums = running_normalize(x[:17], config)
    rest, _ = running_normalize(x[17:], config, sums)
    np.testing.assert_allclose(np.concatenate([first, rest]), whole, atol=1e-6)
    # frame t is normalised by frames up to t only
    np.testing.assert_array_equal(running_normalize(x[:5], config)[0], whole[:5])


@pytest.mark.slow  # transcribes or trains for several seconds
def test_the_prior_is_what_its_comment_says(mirror):
    utts = [u for u in datasets.librispeech("sample")
            if u.speaker != datasets.SENTENCE_TEST_SPEAKER][:200]
    mean, std = running_prior([u.load() for u in utts], CAUSAL.features)
    np.testing.assert_allclose(mean, CAUSAL.features.norm_mean, atol=2e-3)
    np.testing.assert_allclose(std, CAUSAL.features.norm_std, atol=2e-3)


@pytest.fixture(scope="module")
def trained_causal():
    """A causal model with non-trivial weights (random, scaled up so the softmax is peaked)."""
    import keras

    keras.utils.set_random_seed(0)
    model = build_model(CAUSAL.model)
    weights = [w * 3.0 for w in model.get_weights()]
    weights[-2] *= 10.0  # the softmax layer's kernel
    model.set_weights(weights)
    return model


@pytest.mark.parametrize("frames_per_chunk", [1, 5, 10, 20, 30, 7])
def test_streaming_network_equals_the_whole_utterance(clip, trained_causal, frames_per_chunk):
    feats = compute(clip, CAUSAL.features)
    want = trained_causal.predict(feats[None], verbose=0)[0]
    assert want.max(axis=1).mean() > 0.5  # peaked posteriors: a real comparison
    net = streaming.StreamingNetwork(trained_causal, CAUSAL.model)
    got = np.concatenate([net.push(feats[k:k + frames_per_chunk])
                          for k in range(0, len(feats), frames_per_chunk)])
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-4)


def test_only_causal_models_and_features_stream(trained_causal):
    with pytest.raises(ValueError, match="causal"):
        streaming.StreamingFeatures(FeatureConfig())
    with pytest.raises(ValueError, match="bidirectional"):
        streaming.StreamingNetwork(build_model(ModelConfig()), ModelConfig())
    with pytest.raises(ValueError, match="cannot look ahead"):
        ModelConfig(causal=True, bidirectional=True)


def test_prefix_beam_fed_by_chunks_equals_the_whole_search():
    rng = np.random.default_rng(2)
    probs = rng.dirichlet(np.ones(6) * 0.3, size=40)
    whole = decoding.prefix_beam_search(probs, 8)
    search = decoding.PrefixBeam(8)
    for k in range(0, 40, 7):
        search.advance(probs[k:k + 7])
    assert search.result() == whole
    assert search.best() == whole[0][0]


def test_live_transcriber_partial_then_final(tmp_path, clip, trained_causal):
    path = checkpoint.save(tmp_path / "causal.keras", trained_causal,
                           Spec(CAUSAL.features, CAUSAL.model))
    bundle = checkpoint.load(path)
    updates = streaming.stream(bundle, clip, chunk_ms=200)
    assert [u.final for u in updates] == [False] * (len(updates) - 1) + [True]
    assert updates[-1].audio_seconds == pytest.approx(len(clip) / 16000)
    # with no decoder saved, the final transcript is greedy over all frames
    probs = bundle.model.predict(compute(clip, bundle.features)[None], verbose=0)[0]
    assert updates[-1].text == bundle.alphabet.decode(decoding.greedy(probs))


def test_silence_ends_an_utterance(tmp_path, clip, trained_causal):
    path = checkpoint.save(tmp_path / "causal.keras", trained_causal,
                           Spec(CAUSAL.features, CAUSAL.model))
    live = streaming.LiveTranscriber.from_file(path, end_ms=500)
    audio = np.concatenate([clip, np.zeros(16000, np.float32), clip])
    finals = [u for k in range(0, len(audio), 3200) if (u := live.push(audio[k:k + 3200])).final]
    assert len(finals) == 1  # the second clip is still going when the audio stops
    assert 0 < finals[0].audio_seconds < len(clip) / 16000 + 1.0


def test_recorder_chunks_reach_the_live_app(tmp_path, clip, trained_causal):
    from asrlib.live import LiveApp

    path = checkpoint.save(tmp_path / "causal.keras", trained_causal,
                           Spec(CAUSAL.features, CAUSAL.model))
    app = LiveApp(streaming.LiveTranscriber.from_file(path), chunk_ms=200)
    assert app.recorder.stream_ms == 200
    step = 3200
    starts = list(range(0, len(clip), step))
    lines = []
    for seq, k in enumerate(starts):
        end = k == starts[-1]
        data = clip[k:k + step].astype("<f4").tobytes()
        app.recorder._handle_custom_msg({"type": "chunk", "seq": seq, "rate": 16000,
                                         "end": end}, [memoryview(data)])
        lines.append(app.line.value)
    assert all("asrlib-partial" in line for line in lines[:-1])
    assert "asrlib-final" in lines[-1] and "asrlib-partial" not in lines[-1]
    assert len(app.timeline) == len(starts) and app.timeline[-1][1].final
    # a broken chunk is one line, not a traceback
    app.recorder._handle_custom_msg({"type": "chunk", "rate": 16000, "end": False},
                                    [b"\x00\x00\x00"])
    assert "Could not transcribe" in app.line.value and "float32" in app.line.value


def test_streamed_chunks_at_another_rate_are_resampled():
    from asrlib.recorder import decode_chunk

    tone = np.sin(np.arange(4800) / 48000 * 2 * np.pi * 440).astype("<f4")
    out = decode_chunk(tone.tobytes(), 48000)
    assert len(out) == 1600 and out.dtype == np.float32


def test_the_shipped_streaming_model_streams_what_it_decodes_offline(mirror):
    """data/digits_streaming.keras: the causal recipe's fold 0 (never heard the held-out voices),
    streamed over a shipped demo clip, equals the whole utterance and the offline decoder."""
    from asrlib import crossval, demo, runtime, voices
    from asrlib.transcriber import Transcriber

    bundle = checkpoint.load(runtime.shipped_model("streaming"))
    info = bundle.info
    assert info["recipe"] == "voices-causal" and bundle.spec.decoder.kind == "lexicon"
    assert replace(bundle.spec, decoder=DecoderSpec()) == CAUSAL.spec()  # and its own decoder
    fold = voices.folds(voices.speakers(), crossval.K)[0]
    # fold 0 of the 124 voices pooled before AN4's joined: its test voices are all still fold
    # 0's, and it heard none of fold 0's voices (AN4's included: it never heard AN4)
    assert set(voices.HELD_OUT) <= set(info["speakers"]["test"]) <= set(fold.test)
    assert not set(info["speakers"]["train"] + info["speakers"]["val"]) & set(fold.test)
    _, _, samples = demo.phone_numbers(demo.embedded_clips())[2]
    feats = compute(samples, bundle.features)
    want = bundle.model.predict(feats[None], verbose=0)[0]
    net = streaming.StreamingNetwork(bundle.model, bundle.spec.model)
    got = np.concatenate([net.push(feats[k:k + 20]) for k in range(0, len(feats), 20)])
    np.testing.assert_allclose(got, want, atol=1e-4)
    updates = streaming.stream(bundle, samples, chunk_ms=200)
    assert updates[-1].text == Transcriber(bundle).transcribe(samples)
    assert any(u.words and not u.final for u in updates)  # words before the end


def test_two_passes_stream_the_causal_partials_and_end_with_the_whole_utterance_model(mirror):
    """TwoPassTranscriber: while audio comes, the causal model's partials (the same as streaming
    it alone); at the end, the bidirectional model's offline transcript of the utterance."""
    from asrlib import demo, latency, metrics, runtime
    from asrlib.text import Alphabet
    from asrlib.transcriber import Transcriber

    causal = checkpoint.load(runtime.shipped_model("streaming"))
    whole = checkpoint.load(runtime.shipped_model("digits-heldout"))
    _, text, samples = demo.phone_numbers(demo.embedded_clips())[2]
    two = streaming.stream(streaming.TwoPassTranscriber(causal, whole, end_ms=1e9), samples, 200)
    alone = streaming.stream(causal, samples, chunk_ms=200)
    assert [u.text for u in two[:-1]] == [u.text for u in alone[:-1]]
    assert two[-1].final and two[-1].text == Transcriber(whole).transcribe(samples)
    live = streaming.TwoPassTranscriber(causal, whole)
    live.push(np.zeros(8000, np.float32))
    assert live.finish().text == ""  # nothing said: nothing read
    row, = latency.measure(causal, whole, [(text, samples)], chunk_ms=(200,), final=whole)
    assert row["wer"] == metrics.wer([text], [two[-1].text])  # the final: the whole-utterance's
    assert row["partial_wer"] == metrics.wer([text], [alone[-2].text])  # the last partial
    assert row["final_compute_ms"] > 0
    symbols = whole.alphabet.symbols
    other = Alphabet(tuple("é" if c == "q" else c for c in symbols))  # q spells no digit
    with pytest.raises(ValueError, match="another alphabet"):
        streaming.TwoPassTranscriber(causal, replace(whole, spec=replace(whole.spec,
                                                                           alphabet=other)))


def test_whole_utterance_configs_serialise_as_before_the_streaming_fields():
    """Model records, feature-cache keys and shard manifests of whole-utterance features do not
    change: the streaming fields appear only when set, as JSON lists."""
    import json

    plain = FeatureConfig().to_dict()
    assert not {"causal", "norm_mean", "norm_std", "norm_frames"} & set(plain)
    assert FeatureConfig.from_dict(plain) == FeatureConfig()
    causal = CAUSAL.features.to_dict()
    assert causal["causal"] is True and isinstance(causal["norm_mean"], list)
    assert json.loads(json.dumps(causal)) == causal
    assert FeatureConfig.from_dict(json.loads(json.dumps(causal))) == CAUSAL.features


@pytest.fixture(scope="module")
def an4_bundle():
    """The shipped AN4 model: a bidirectional LSTM, which cannot stream."""
    from asrlib import runtime

    return checkpoint.load(runtime.shipped_model("an4"))


def test_a_whole_utterance_model_reads_live_and_ends_on_the_offline_transcript(an4_bundle,
                                                                                clip):
    from asrlib.transcriber import Transcriber

    assert an4_bundle.spec.model.bidirectional
    with pytest.raises(ValueError, match="bidirectional"):
        streaming.LiveTranscriber(an4_bundle)
    reader = Transcriber(an4_bundle)
    live = streaming.RereadingTranscriber(an4_bundle, end_ms=1e9)
    updates = streaming.stream(live, clip, chunk_ms=300)
    assert [u.final for u in updates] == [False] * (len(updates) - 1) + [True]
    step = 300 * 16
    for k, u in enumerate(updates[:-1]):  # each partial: everything so far, read again
        so_far = clip[:(k + 1) * step]
        assert u.audio_seconds == pytest.approx(len(so_far) / 16000)
        assert u.text == reader.decode(reader.probs(so_far))
    assert updates[-1].text == reader.transcribe(clip) != ""  # the offline transcript
    assert updates[-1].greedy == an4_bundle.alphabet.decode(decoding.greedy(reader.probs(clip)))
    assert len({u.text for u in updates}) > 2  # the partial grew
    # a recording that is all silence reads as nothing, as offline; so does a quiet room
    assert streaming.stream(live, np.zeros(8000, np.float32))[-1].text == ""
    room = np.random.default_rng(0).normal(0, 5e-4, 16000).astype(np.float32)
    assert all(u.text == "" for u in streaming.stream(live, room))


def test_rereading_every_n_ms_reads_less_often(an4_bundle, clip, monkeypatch):
    live = streaming.RereadingTranscriber(an4_bundle, end_ms=1e9, every_ms=600)
    reads = []
    probs = live.reader.probs
    monkeypatch.setattr(live.reader, "probs", lambda x: reads.append(len(x)) or probs(x))
    updates = streaming.stream(live, clip[:7 * 3200], chunk_ms=200)  # 7 chunks, then finish
    assert reads == [3 * 3200, 6 * 3200, 7 * 3200]  # every third chunk, and at the end
    assert updates[2].text == updates[3].text == updates[4].text  # between readings: the same


def test_an_utterance_is_capped_and_says_so(an4_bundle, clip):
    from asrlib.transcriber import Transcriber

    live = streaming.RereadingTranscriber(an4_bundle, end_ms=1e9, max_seconds=1.0)
    audio = np.concatenate([clip, clip])[:16 * 1500]
    updates = [live.push(audio[k:k + 3000]) for k in range(0, len(audio), 3000)]
    capped = [u for u in updates if u.final]
    assert len(capped) == 1 and "1 s is the longest utterance" in capped[0].note
    assert capped[0].audio_seconds == 1.0
    assert capped[0].text == Transcriber(an4_bundle).transcribe(audio[:16000])
    # the rest of that chunk starts the next utterance: nothing is lost
    assert updates[-1].audio_seconds == pytest.approx((len(audio) - 16000) / 16000)
    assert live.finish().text == Transcriber(an4_bundle).transcribe(audio[16000:])
    with pytest.raises(ValueError, match="max_seconds"):
        streaming.RereadingTranscriber(an4_bundle, max_seconds=0)


def test_both_live_transcribers_end_an_utterance_by_the_same_rule(tmp_path, clip, an4_bundle,
                                                                   trained_causal):
    path = checkpoint.save(tmp_path / "causal.keras", trained_causal,
                           Spec(CAUSAL.features, CAUSAL.model))
    audio = np.concatenate([clip, np.zeros(16000, np.float32), clip])
    ends = []
    for live in (streaming.LiveTranscriber.from_file(path, end_ms=500),
                 streaming.RereadingTranscriber(an4_bundle, end_ms=500)):
        assert isinstance(live.end, streaming.UtteranceEnd)
        ends.append([u.audio_seconds for k in range(0, len(audio), 3200)
                     if (u := live.push(audio[k:k + 3200])).final])
    assert ends[0] == ends[1] and len(ends[0]) == 1


def test_the_live_app_switches_modes_and_keeps_errors_to_one_line(tmp_path, clip, an4_bundle,
                                                                  trained_causal):
    from asrlib.app import Mode
    from asrlib.live import LiveApp

    path = checkpoint.save(tmp_path / "causal.keras", trained_causal,
                           Spec(CAUSAL.features, CAUSAL.model))
    spell = streaming.RereadingTranscriber(an4_bundle)
    app = LiveApp({"digits": Mode("say a few digits",
                                  {"digits": streaming.LiveTranscriber.from_file(path)},
                                  label="digits (streaming)"),
                   "spell": Mode("spell your name, say your zip code", {"an4": spell},
                                 label="spell (names, zip codes)")})
    assert app.picker.options == (("digits (streaming)", "digits"),
                                  ("spell (names, zip codes)", "spell"))
    app.receive(clip[:3200], end=False)  # half an utterance in digits mode, then the switch
    app.mode = "spell"
    assert app.live is spell and not app.timeline and "zip code" in app.prompt.value
    starts = list(range(0, len(clip), 3200))
    for k in starts:
        app.receive(clip[k:k + 3200], end=k == starts[-1])
    assert 'data-mode="spell" data-model="an4"' in app.line.value
    from asrlib.transcriber import Transcriber

    final = app.timeline[-1][1]
    assert final.final and final.text == Transcriber(an4_bundle).transcribe(clip)
    assert f'<span class="asrlib-final">{final.text}</span>' in app.line.value
    assert sum(not u.final for _, u in app.timeline) == len(starts) - 1

    def fail(samples):
        raise RuntimeError("out of memory\nTraceback (most recent call last): ...")

    spell.reader.probs = fail
    app.receive(clip[3200:6400], end=False)
    assert "Could not transcribe: out of memory</div>" in app.line.value
    assert "\n" not in app.line.value


def test_a_recording_that_never_pauses_is_cut_into_bounded_utterances():
    """The streaming transcriber ends an utterance after max_seconds (by default the longest
    recording the library reads at once): an endless, never-silent stream keeps its frames and
    beam bounded, and says why it ended."""
    from asrlib import audio, runtime

    live = streaming.LiveTranscriber(checkpoint.load(runtime.shipped_model("streaming")),
                                     max_seconds=3.0)
    assert streaming.LiveTranscriber.__init__.__defaults__[-1] == audio.MAX_SECONDS
    noise = np.random.default_rng(0).normal(0, 0.1, 16_000 * 10).astype(np.float32)
    updates = [live.push(noise[k:k + 3200]) for k in range(0, len(noise), 3200)]
    finals = [u for u in updates if u.final]
    assert len(finals) == 3 and all("3 s is the longest utterance" in u.note for u in finals)
    assert max(u.audio_seconds for u in updates) <= 3.0
    assert sum(len(p) for p in live.probs) <= 3.0 * 50  # frames held: at most 3 s of 20 ms
    assert updates[-1].audio_seconds == pytest.approx(1.0)
