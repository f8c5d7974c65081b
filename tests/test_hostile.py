"""Files built to harm: to escape a folder, to run code, or to exhaust memory and disk. Each is
built here by the test itself (no such file is stored in the repository) and must end in one
line naming the file, before the expensive work starts.

The other classes are tested beside the code they guard:
- a model archive that inflates (4 GiB member, too many members, huge record):
  ``test_checkpoint.py::test_a_model_archive_that_would_inflate_is_refused_before_reading``;
- a corpus archive that inflates, served by a mirror with no pinned checksum:
  ``test_download.py::test_extract_refuses_an_archive_that_would_unpack_past_its_bound`` and
  ``test_ensure_bounds_extraction_by_the_corpus_declared_size``;
- archive members with ``..``, absolute paths or links pointing outside:
  ``test_download.py::test_extract_rejects_unsafe_tar`` / ``test_extract_rejects_unsafe_zip``;
- an utterance that never pauses in the live transcriber:
  ``test_streaming.py`` (``max_seconds``).
``benchmarks/hostile.py`` measures each class (time, peak memory, disk written).
"""

from __future__ import annotations

import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from asrlib import audio, checkpoint, manifest
from asrlib.checkpoint import ModelFileError
from asrlib.recorder import Recorder, decode_chunk, decode_pcm
from asrlib.utterance import ManifestError

# --- model files: the record must describe the network it travels with -------------------------


def _with_record(model, out, change) -> object:
    """A copy of ``model`` whose ``asrlib.json`` was passed through ``change(meta)``."""
    shutil.copy(model, out)
    meta = checkpoint.read_meta(out)
    change(meta)
    return checkpoint._rewrite(out, meta)


def test_a_record_that_disagrees_with_its_network_is_one_line(untrained_model, tmp_path):
    def more_letters(meta):  # consistent with itself, not with the network's 28 outputs
        meta["alphabet"]["symbols"].append("é")
        meta["model"]["n_classes"] = 29

    def more_features(meta):
        meta["features"].update(kind="logmel", n_mels=40)
        meta["model"]["n_features"] = 40

    wrong = _with_record(untrained_model, tmp_path / "letters.keras", more_letters)
    with pytest.raises(ModelFileError, match=r"letters\.keras: its alphabet has 29 symbols but "
                                             r"the network has 28 outputs"):
        checkpoint.load(wrong)
    wrong = _with_record(untrained_model, tmp_path / "features.keras", more_features)
    with pytest.raises(ModelFileError, match=r"features\.keras: its record says 40 features per "
                                             r"frame but the network takes 13"):
        checkpoint.load(wrong)


def test_a_decoder_the_alphabet_cannot_use_is_refused(untrained_model, tmp_path):
    shipped = checkpoint.read_meta(Path(__file__).parents[1] / "data/an4_model.keras")

    def unspellable(meta):  # the AN4 lexicon ("zero", "z") with an alphabet lacking z
        meta["decoder"] = shipped["decoder"]
        meta["alphabet"]["symbols"][-1] = "é"

    def endless_beam(meta):
        meta["decoder"] = {**shipped["decoder"], "beam_width": 10**9}

    path = _with_record(untrained_model, tmp_path / "spell.keras", unspellable)
    with pytest.raises(ModelFileError, match=r"spell\.keras: .*lexicon has words the alphabet "
                                             r"cannot spell"):
        checkpoint.load(path)
    path = _with_record(untrained_model, tmp_path / "beam.keras", endless_beam)
    with pytest.raises(ModelFileError, match=r"beam\.keras: .*beam_width must be from 1 to"):
        checkpoint.load(path)


BAD_VALUES = ["x", -1, 0, None, [], {}, 1e308, float("nan"), 2**70]


def _leaves(record, trail=()):
    if isinstance(record, dict):
        for key, value in record.items():
            yield from _leaves(value, (*trail, key))
    elif trail and trail[0] != "decoder":  # the LM's counts: checked as a whole below
        yield trail


def test_every_field_of_a_record_fails_cleanly(untrained_model):
    """Any value in any field of the record gives a spec or one line, never another error."""
    meta = checkpoint.read_meta(untrained_model)
    fields = list(_leaves({k: meta[k] for k in ("features", "model", "alphabet")}))
    fields += [("decoder",), ("decoder", "kind"), ("decoder", "beam_width"), ("decoder", "lm")]
    assert len(fields) > 20
    for trail in fields:
        for value in BAD_VALUES:
            bad = json.loads(json.dumps(meta))
            bad.setdefault("decoder", {"kind": "greedy"})
            node = bad
            for key in trail[:-1]:
                node = node[key]
            node[trail[-1]] = value
            try:
                checkpoint.spec_of(bad, "m.keras")
            except ModelFileError as err:
                assert str(err).startswith("m.keras: ") and "\n" not in str(err)


def test_a_lambda_layer_is_refused_and_never_runs(tmp_path):
    """Keras's safe mode refuses the bytecode of a Lambda layer: loading does not run it."""
    import keras

    from asrlib.config import Spec

    marker = tmp_path / "ran"

    def payload(x):
        marker.write_text("the file's code ran")
        return x

    inputs = keras.Input((None, 13))
    outputs = keras.layers.Dense(28, activation="softmax")(keras.layers.Lambda(payload)(inputs))
    path = checkpoint.save(tmp_path / "lambda.keras", keras.Model(inputs, outputs), Spec())
    marker.unlink()  # building the model called it once
    with pytest.raises(ModelFileError, match=r"lambda\.keras: the network has a Lambda layer, "
                                             r"Python code stored in the file; asrlib does not"):
        checkpoint.load(path)
    assert not marker.exists()


# --- audio: duration, channels and rate are read from the header before any sample ----------


def sparse_wav(path, seconds: float, rate: int = 16_000, channels: int = 1):
    """A WAV whose header (and size) say ``seconds`` of 16-bit audio: a sparse file of zeros
    that takes no disk space."""
    size = int(seconds * rate * channels * 2)
    fmt = struct.pack("<HHIIHH", 1, channels, rate, rate * channels * 2, channels * 2, 16)
    header = (b"RIFF" + struct.pack("<I", min(36 + size, 0xFFFFFFFF)) + b"WAVEfmt "
              + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", min(size, 0xFFFFFFFF)))
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(len(header) + size)
    return path


def flac_claiming(path, seconds: float):
    """One second of FLAC whose STREAMINFO claims ``seconds`` (its 36-bit sample count)."""
    sf.write(str(path), np.zeros(16_000, np.float32), 16_000, format="FLAC")
    data = bytearray(path.read_bytes())
    word = int.from_bytes(data[18:26], "big")
    word = (word & ~((1 << 36) - 1)) | int(seconds * 16_000)
    data[18:26] = word.to_bytes(8, "big")
    path.write_bytes(bytes(data))
    return path


def test_audio_that_claims_hours_is_refused_before_reading(tmp_path):
    import time

    wav = sparse_wav(tmp_path / "day.wav", 26 * 3600)
    flac = flac_claiming(tmp_path / "night.flac", 10 * 3600)
    for path, seconds in ((wav, "93600.0"), (flac, "36000.0")):
        t0 = time.perf_counter()
        with pytest.raises(audio.AudioError, match=rf"{path.name}: {seconds} s is longer than the "
                                                   r"120 s limit; .*--max-seconds"):
            audio.load(path)
        assert time.perf_counter() - t0 < 1.0


def test_a_sphere_header_that_lies_reads_what_is_there(tmp_path):
    """AN4's NIST SPHERE files: a header claiming an hour reads the second the file holds."""
    tone = (np.sin(np.arange(16_000) * 0.05) * 8000).astype("<i2")
    for claimed in (57_600_000, 1_000):
        head = (f"NIST_1A\n   1024\nsample_count -i {claimed}\nsample_rate -i 16000\n"
                "channel_count -i 1\nsample_n_bytes -i 2\nsample_byte_format -s2 01\n"
                "sample_coding -s3 pcm\nend_head\n").encode()
        path = tmp_path / f"lies{claimed}.sph"
        path.write_bytes(head.ljust(1024) + tone.tobytes())
        assert audio.load(path).shape == (16_000,)


def test_channels_and_rates_no_voice_has_are_refused(tmp_path):
    wide = sparse_wav(tmp_path / "wide.wav", 1.0, channels=65)
    with pytest.raises(audio.AudioError, match=r"wide\.wav: 65 channels at 16000 Hz is not a "
                                               r"voice recording"):
        audio.load(wide)
    fast = sparse_wav(tmp_path / "fast.wav", 0.1, rate=768_000)
    with pytest.raises(audio.AudioError, match=r"fast\.wav: .*768000 Hz is not a voice"):
        audio.load(fast)


def test_many_channels_are_downmixed_a_block_at_a_time(tmp_path, monkeypatch):
    """The result equals averaging the whole file at once; read in blocks, a file of 64 channels
    takes the memory of its mono signal."""
    monkeypatch.setattr(audio, "BLOCK_SECONDS", 0.1)
    x = np.random.default_rng(0).uniform(-0.5, 0.5, (16_000 + 7, 5)).astype(np.float32)
    sf.write(tmp_path / "five.wav", x, 16_000, subtype="FLOAT")
    assert np.allclose(audio.load(tmp_path / "five.wav"), x.mean(axis=1), atol=1e-7)


def test_the_duration_limit_can_be_raised_where_the_message_says(untrained_model, tmp_path):
    from asrlib.transcriber import Transcriber

    path = tmp_path / "three.wav"
    sf.write(path, 0.1 * np.sin(np.arange(48_000) * 0.05).astype(np.float32), 16_000)
    short = Transcriber.from_file(untrained_model, max_seconds=2)
    result = short.transcribe_file(path)
    assert not result.ok and "3.0 s is longer than the 2 s limit" in result.error
    assert Transcriber.from_file(untrained_model, max_seconds=5).transcribe_file(path).ok
    with pytest.raises(ValueError, match="max_seconds must be a positive"):
        Transcriber.from_file(untrained_model, max_seconds=0)


def test_the_command_line_takes_max_seconds(untrained_model, tmp_path, capsys):
    from asrlib.cli import main

    path = tmp_path / "three.wav"
    sf.write(path, 0.1 * np.sin(np.arange(48_000) * 0.05).astype(np.float32), 16_000)
    code = main(["transcribe", "--model", str(untrained_model), "--max-seconds", "2", str(path)])
    err = capsys.readouterr().err
    assert code == 1 and "three.wav: 3.0 s is longer than the 2 s limit" in err
    assert main(["transcribe", "--model", str(untrained_model), "--max-seconds", "4",
                 str(path)]) == 0


def test_a_manifest_too_big_to_be_one_is_refused_unread(tmp_path, monkeypatch):
    monkeypatch.setattr(manifest, "MAX_MANIFEST_BYTES", 1000)
    path = tmp_path / "big.jsonl"
    path.write_text(json.dumps({"audio_filepath": "a.wav", "text": "one"}) * 100)
    with pytest.raises(ManifestError, match=r"big\.jsonl: .*larger than a manifest can be"):
        manifest.read(path)


# --- the recorder and the live app: a stream of uploads or an endless recording ----------------


def test_a_recording_longer_than_the_limit_is_refused_with_the_way_past_it():
    x = np.zeros(16_000 * 5, "<f4").tobytes()
    with pytest.raises(audio.AudioError, match=r"mic: 5\.0 s is longer than the 2 s limit; .*"
                                               r"Recorder\(max_seconds"):
        decode_pcm(x, 16_000, "mic", max_seconds=2)
    rec = Recorder(max_seconds=2)
    rec.audio = x  # what a page that ignores the widget's own limit could send
    with pytest.raises(audio.AudioError, match="longer than the 2 s limit"):
        rec.samples  # noqa: B018 (the property decodes)
    with pytest.raises(audio.AudioError, match=r"chunk of 20\.0 s is longer than 10 s"):
        decode_chunk(np.zeros(320_000, "<f4").tobytes(), 16_000)


def test_an_endless_stream_is_cut_at_the_limit_once():
    rec = Recorder(stream_ms=200, max_seconds=5)
    heard, errors = [], []
    rec.on_chunk(lambda samples, end: heard.append((len(samples), end)), errors.append)
    second = np.zeros(16_000, "<f4").tobytes()
    for _ in range(40):
        rec._handle_custom_msg({"type": "chunk", "rate": 16_000, "end": False},
                               [memoryview(second)])
    assert len(heard) == 6 and len(errors) == 1  # 5 s and the one second of slack
    assert "passed the 5 s limit" in errors[0] and "Recorder.max_seconds" in errors[0]
    rec._handle_custom_msg({"type": "chunk", "rate": 16_000, "end": True}, [memoryview(second)])
    assert heard[-1] == (0, True)  # the recording ends: the utterance gets its final
    rec._handle_custom_msg({"type": "chunk", "rate": 16_000, "end": False}, [memoryview(second)])
    assert heard[-1] == (16_000, False) and len(errors) == 1  # the next recording starts afresh


def test_the_live_app_keeps_a_bounded_history(untrained_model, monkeypatch):
    from asrlib import live
    from asrlib.streaming import RereadingTranscriber

    monkeypatch.setattr(live, "MAX_TIMELINE", 5)
    app = live.LiveApp(RereadingTranscriber(checkpoint.load(untrained_model)))
    chunk = (0.1 * np.sin(np.arange(3200) * 0.05)).astype("<f4").tobytes()
    for _ in range(12):
        app.recorder._handle_custom_msg({"type": "chunk", "rate": 16_000, "end": False},
                                        [memoryview(chunk)])
    assert len(app.timeline) == 5 and "Could not" not in app.line.value
    assert app.finals.maxlen == live.MAX_FINALS


def test_a_stream_of_uploads_keeps_memory_flat():
    """Each upload replaces the last: after 200 uploads of 30 s, memory grew by less than what
    20 of them hold."""
    import resource

    rec = Recorder()
    received = []
    rec.on_audio(lambda samples: received.append(len(samples)))
    rng = np.random.default_rng(0)
    clip = rng.uniform(-0.5, 0.5, 16_000 * 30).astype("<f4")

    def upload(k):
        rec.source = f"upload {k}.wav"
        rec.audio = (clip * (1 + k % 7) / 8).tobytes()

    for k in range(20):  # warm up: allocator pools, first-call caches
        upload(k)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    for k in range(20, 220):
        upload(k)
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 - before
    assert len(received) == 220 and grown < 20 * clip.nbytes


# --- the limits leave room for everything real ----------------------------------------------


def test_every_corpus_here_unpacks_within_its_extraction_bound():
    """A corpus's folder on disk (as its archive unpacks) stays under EXTRACT_FACTOR times the
    size declared with the corpus: the bound refuses bombs, not corpora."""
    import os

    from asrlib import corpora
    from asrlib.archives import EXTRACT_FACTOR

    root = os.environ.get("ASRLIB_DATA")
    if not root:
        pytest.skip("no local corpora (ASRLIB_DATA)")
    measured = 0
    for name, res in corpora.archives().items():
        folder = Path(root) / res.folder
        if res.size and folder.is_dir():
            size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
            assert size <= EXTRACT_FACTOR * res.size, (name, size, res.size)
            measured += 1
    assert measured >= 3  # FSDD, AN4 and the alphanumeric set at least
