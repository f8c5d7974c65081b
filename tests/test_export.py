"""export: SavedModel and TFLite copies of the shipped model behave like it, and bad
.tflite files fail in one line. The model is exported once (through the CLI) per module."""

import contextlib
import io
import json
import shutil

import numpy as np
import pytest
from conftest import MIRROR, SHIPPED_DIGITS

from asrlib import checkpoint, cli, datasets, export, features, model, tflite
from asrlib.manifest import write as write_manifest
from asrlib.transcriber import Transcriber

N_UTTS = 4  # real held-out strings: enough to catch a wrong graph, quick on a busy CPU


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """``python -m asrlib export`` of the shipped model, and what it printed."""
    out_dir = tmp_path_factory.mktemp("export")
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        code = cli.main(["export", "--model", str(SHIPPED_DIGITS), "--out-dir", str(out_dir)])
    assert code == 0
    return out_dir, printed.getvalue()


@pytest.fixture(scope="module")
def keras_bundle():
    return checkpoint.load(SHIPPED_DIGITS)


@pytest.fixture(scope="module")
def held_out():
    """(utterance, samples) for a few strings of the speaker the model never heard."""
    if not (MIRROR / "free-spoken-digit-dataset").is_dir():  # as the `mirror` fixture,
        pytest.skip(f"speech mirror not found at {MIRROR}")  # which is function-scoped
    utts = datasets.connected_digits(N_UTTS, [datasets.DIGITS_TEST_SPEAKER], seed=2)
    return [(u, u.load()) for u in utts]


def test_export_writes_every_format_and_reports_sizes(exported):
    out_dir, printed = exported
    lines = printed.strip().splitlines()
    names = ["digits_model_savedmodel/", "digits_model.tflite", "digits_model.int8.tflite"]
    assert len(lines) == 3
    for line, name in zip(lines, names):
        assert line.split("\t")[0].endswith(name) and line.split("\t")[1].split()[1] == "KB"
    assert (out_dir / "digits_model_savedmodel" / "saved_model.pb").is_file()
    float_size = (out_dir / "digits_model.tflite").stat().st_size
    assert (out_dir / "digits_model.int8.tflite").stat().st_size < 0.4 * float_size


def test_sidecar_is_the_source_configs_plus_provenance(exported):
    out_dir, _ = exported
    source = checkpoint.read_meta(SHIPPED_DIGITS)
    for name, quantize in (("digits_model.tflite", "none"), ("digits_model.int8.tflite",
                                                            "dynamic")):
        meta = json.loads(tflite.sidecar_path(out_dir / name).read_text())
        info = meta.pop("info")
        assert meta == {k: v for k, v in source.items() if k != "info"}
        assert info.pop("exported_from") == str(SHIPPED_DIGITS)
        assert info.pop("quantize") == quantize
        assert info == source["info"]  # the record travels with the file


def test_float_tflite_matches_keras(exported, keras_bundle, held_out):
    out_dir, _ = exported
    lite = tflite.load_bundle(out_dir / "digits_model.tflite", num_threads=1)
    feats = [features.compute(samples, keras_bundle.features) for _, samples in held_out]
    for f in feats:
        want = np.asarray(keras_bundle.model.predict_on_batch(f[None]))
        got = lite.model.predict_on_batch(f[None])
        assert got.shape == want.shape
        assert np.abs(got - want).max() < 1e-4
    # a padded batch (predict_probs): the batch-1 graph runs it row by row
    want = model.predict_probs(keras_bundle.model, feats, keras_bundle.spec.model)
    got = model.predict_probs(lite.model, feats, lite.spec.model)
    assert all(np.abs(g - w).max() < 1e-4 for g, w in zip(got, want))


def test_int8_tflite_transcribes_like_keras(exported, keras_bundle, held_out):
    out_dir, _ = exported
    keras_tr = Transcriber(keras_bundle)
    lite_tr = Transcriber.from_file(out_dir / "digits_model.int8.tflite")
    assert lite_tr.kind == keras_tr.kind == "lexicon"
    for _, samples in held_out:
        assert lite_tr.transcribe(samples) == keras_tr.transcribe(samples)


def test_cli_transcribe_and_evaluate_a_tflite_model(exported, held_out, capsys, tmp_path):
    out_dir, _ = exported
    manifest = write_manifest([u for u, _ in held_out[:2]], tmp_path / "m.jsonl")
    wav = tmp_path / "wavs" / f"{held_out[0][0].id}.wav"
    tflite = out_dir / "digits_model.tflite"
    assert cli.main(["transcribe", "--model", str(tflite), str(wav)]) == 0
    out, err = capsys.readouterr()
    assert out == f"{wav}\t{held_out[0][0].text}\n" and err == ""
    assert cli.main(["evaluate", "--model", str(tflite), "--manifest", str(manifest)]) == 0
    out, err = capsys.readouterr()
    result = json.loads(out)
    assert result["utterances"] == 2 and result["wer"] == 0.0 and err == ""


def test_compare_reports_every_format(exported, held_out):
    out_dir, _ = exported
    paths = {"savedmodel": out_dir / "digits_model_savedmodel",
             "tflite": out_dir / "digits_model.tflite",
             "tflite_int8": out_dir / "digits_model.int8.tflite"}
    utts = [u for u, _ in held_out[:2]]
    rows = export.compare(SHIPPED_DIGITS, utts, decoders=("greedy",), exported=paths)
    assert [r["format"] for r in rows] == ["savedmodel", "keras", "tflite", "tflite_int8"]
    assert rows[1]["size_bytes"] == SHIPPED_DIGITS.stat().st_size
    assert rows[1]["wer"] == rows[2]["wer"] and rows[1]["cer"] == rows[2]["cer"]
    assert all(0 < r["model_rtf"] <= r["rtf"] and r["utterances"] == 2 for r in rows[1:])


@pytest.mark.parametrize("case", ["no_sidecar", "garbage", "truncated", "missing"])
def test_bad_tflite_is_one_line(exported, capsys, tmp_path, case):
    out_dir, _ = exported
    good = out_dir / "digits_model.tflite"
    path = tmp_path / f"{case}.tflite"
    if case == "no_sidecar":
        shutil.copy(good, path)
    elif case == "garbage":
        path.write_bytes(b"PK\x03\x04 not a flatbuffer " * 40)
    elif case == "truncated":  # right identifier, cut short: must not crash the interpreter
        path.write_bytes(good.read_bytes()[:100_000])
    if case in ("garbage", "truncated"):
        shutil.copy(tflite.sidecar_path(good), tflite.sidecar_path(path))
    expected = {"no_sidecar": "python -m asrlib export", "garbage": "not a TFLite model",
                "truncated": "TFLite could not load", "missing": "not found"}[case]
    code = cli.main(["transcribe", "--model", str(path), str(tmp_path / "any.wav")])
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert code == 2 and out == "" and len(lines) == 1
    assert lines[0].startswith(f"error: {path}") and expected in lines[0]


def test_export_tflite_rejects_unknown_quantization(tmp_path):
    with pytest.raises(ValueError, match="quantize must be one of"):
        export.export_tflite(SHIPPED_DIGITS, tmp_path / "x.tflite", quantize="int4")
