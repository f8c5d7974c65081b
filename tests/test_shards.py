"""Sharded TFRecord features: make_dataset's batches, resumable, never mixing configs."""

import json
import subprocess
import sys

import numpy as np
import pytest

from asrlib import cli, datasets, manifest, pipeline, shards
from asrlib.config import Spec
from asrlib.features import FeatureConfig
from asrlib.model import ModelConfig

# BLAS sums in another order with one thread (the workers) than with several (this
# process), so features agree to float rounding, not bit for bit.
ATOL = 1e-4


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    """A few dozen FSDD digits and LibriSpeech sentences in 3 shards, by 2 worker processes."""
    from conftest import MIRROR

    if not (MIRROR / "free-spoken-digit-dataset").is_dir():
        pytest.skip(f"speech mirror not found at {MIRROR}")
    utts = datasets.fsdd(speakers={"lucas"})[::25] + datasets.librispeech(
        "sample", speakers={"8226"}
    )[:6]
    folder = tmp_path_factory.mktemp("shards")
    report = shards.write_shards(utts, folder, num_shards=3, workers=2, progress=False)
    return utts, folder, report


def rows(batches):
    """Every utterance of every batch as (labels, frames, unpadded features), sorted."""
    out = []
    for x, y in batches:
        x, y = np.asarray(x), np.asarray(y)
        for row in range(len(x)):
            frames = int(y[row, 0])
            assert np.all(x[row, frames:] == 0)
            out.append((tuple(y[row, 1:][y[row, 1:] > 0]), frames, x[row, :frames]))
    return sorted(out, key=lambda r: (r[0], r[1], r[2].tobytes()))


def test_shards_hold_what_prepare_computes(prepared):
    utts, folder, report = prepared
    assert (report.kept, report.written, report.skipped, report.dropped) == (len(utts), 3, 0, [])
    assert sorted(p.name for p in folder.glob("*.tfrecord")) == [
        f"shard-0000{k}-of-00003.tfrecord" for k in range(3)
    ]
    assert report.bytes == sum(p.stat().st_size for p in folder.glob("*.tfrecord"))
    info = shards.shard_info(folder)
    assert info["complete"] and info["feature_config"] == FeatureConfig().to_dict()
    assert sorted(i for s in info["shards"] for i in s["ids"]) == sorted(u.id for u in utts)

    reference, _ = pipeline.make_examples(utts, cache=False)
    by_id = {e.id: e for e in reference}
    loaded = shards.load_examples(folder)
    assert sorted(e.id for e in loaded) == sorted(by_id)
    for e in loaded:
        ref = by_id[e.id]
        assert (e.text, e.speaker) == (ref.text, ref.speaker)
        np.testing.assert_array_equal(e.labels, ref.labels)
        np.testing.assert_allclose(e.features, ref.features, atol=ATOL)

    # in order: exactly make_dataset's batches of the same examples
    plain = shards.shard_dataset(folder, 8, shuffle=False, bucket=False)
    expected = pipeline.make_dataset(loaded, 8, shuffle=False, bucket=False)
    pairs = list(zip(plain, expected, strict=True))
    for (x, y), (ex, ey) in pairs:
        np.testing.assert_array_equal(x.numpy(), ex.numpy())
        np.testing.assert_array_equal(y.numpy(), ey.numpy())

    # shuffled and bucketed: the same utterances as make_dataset, seeded, repeatable
    ds = shards.shard_dataset(folder, 4, seed=3)
    got, want = rows(ds), rows(pipeline.make_dataset(reference, 4, seed=3))
    assert [(r[0], r[1]) for r in got] == [(r[0], r[1]) for r in want]
    for a, b in zip(got, want):
        np.testing.assert_allclose(a[2], b[2], atol=ATOL)
    first = [y.numpy().tolist() for _, y in shards.shard_dataset(folder, 4, seed=3)]
    again = [y.numpy().tolist() for _, y in shards.shard_dataset(folder, 4, seed=3)]
    assert first == again


def test_rerun_skips_and_a_deleted_shard_is_recomputed_alone(prepared):
    utts, folder, first = prepared
    again = shards.write_shards(utts, folder, num_shards=3, workers=2, progress=False)
    assert (again.written, again.skipped) == (0, 3)
    assert (again.kept, again.bytes) == (first.kept, first.bytes)
    victim = folder / "shard-00001-of-00003.tfrecord"
    size = victim.stat().st_size
    victim.unlink()
    with pytest.raises(shards.ShardError, match="missing"):
        shards.shard_dataset(folder, 4)
    redo = shards.write_shards(utts, folder, num_shards=3, workers=2, progress=False)
    assert (redo.written, redo.skipped, redo.kept) == (1, 2, first.kept)
    assert victim.stat().st_size == size
    assert not list(folder.glob(".*.tmp"))


def test_other_config_or_utterances_are_refused(prepared):
    utts, folder, _ = prepared
    with pytest.raises(shards.ShardError, match=r"different feature config \(kind") as err:
        logmel = Spec(FeatureConfig(kind="logmel"), ModelConfig(n_features=40))
        shards.write_shards(utts, folder, logmel, num_shards=3)
    assert "\n" not in str(err.value)
    with pytest.raises(shards.ShardError, match="different utterance list"):
        shards.write_shards(utts[:-1], folder, num_shards=3, progress=False)
    assert shards.shard_info(folder)["complete"]  # the refusal changed nothing


def test_bad_audio_is_dropped_and_reported(mirror, tmp_path):
    recordings = mirror / "free-spoken-digit-dataset" / "recordings"
    (tmp_path / "garbage.wav").write_bytes(b"%PDF-1.4 not sound " * 40)
    rows_ = [
        {"audio_filepath": str(recordings / "3_theo_0.wav"), "text": "three"},
        {"audio_filepath": "garbage.wav", "text": "one", "id": "garbage"},
        {"audio_filepath": "missing.wav", "text": "two", "id": "missing"},
        {"audio_filepath": str(recordings / "5_theo_0.wav"), "text": "?!", "id": "empty-text"},
        {"audio_filepath": str(recordings / "7_theo_0.wav"), "text": "seven"},
    ]
    listing = tmp_path / "m.jsonl"
    listing.write_text("".join(json.dumps(r) + "\n" for r in rows_))
    utts, problems = manifest.read(listing)
    assert not problems
    report = shards.write_shards(utts, tmp_path / "out", num_shards=2, workers=1, progress=False)
    reasons = dict(report.dropped)
    assert report.kept == 2 and set(reasons) == {"garbage", "missing", "empty-text"}
    assert "not a readable audio file" in reasons["garbage"]
    assert "no such file" in reasons["missing"]
    assert "empty transcript" in reasons["empty-text"]
    assert "dropped 3" in str(report)
    assert [e.text for e in shards.load_examples(tmp_path / "out")] == ["three", "seven"]


def test_cli_prepare_prints_size_and_skips(capsys, mirror, tmp_path):
    out = tmp_path / "digits"
    argv = ["prepare", "--corpus", "digits", "--n", "6", "--shards", "2", "--workers", "1",
            "--out", str(out)]
    assert cli.main(argv) == 0
    text = capsys.readouterr().out
    assert "kept 6 utterances" in text and "2 written, 0 skipped" in text and "on disk" in text
    assert cli.main(argv) == 0
    assert "0 written, 2 skipped" in capsys.readouterr().out
    assert cli.main([*argv, "--features", "logmel"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "different feature config" in err and err.count("\n") == 1
    assert cli.main(["prepare", "--corpus", "manifest", "--out", str(out)]) == 2
    assert "needs --manifest" in capsys.readouterr().err


def test_workers_never_import_tensorflow():
    code = "import sys, asrlib.shards; sys.exit('tensorflow' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_cli_trains_from_shards(capsys, mirror, tmp_path):
    """`train --data shards` streams the training shards and validates on another folder."""
    common = ["--corpus", "digits", "--workers", "1", "--n"]
    assert cli.main(["prepare", *common, "24", "--out", str(tmp_path / "train")]) == 0
    assert cli.main(["prepare", *common, "4", "--speakers", "yweweler", "--seed", "1",
                     "--out", str(tmp_path / "val")]) == 0
    capsys.readouterr()
    out = tmp_path / "m.keras"
    assert cli.main(["train", "--data", "shards", "--train-shards", str(tmp_path / "train"),
                     "--val-shards", str(tmp_path / "val"), "--epochs", "1",
                     "--batch-size", "8", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "train: 24 utterances" in text and "val: 4" in text and out.is_file()
    assert cli.main(["train", "--data", "shards", "--train-shards", str(tmp_path / "train"),
                     "--out", str(out)]) == 2
    assert "needs --train-shards and --val-shards" in capsys.readouterr().err
