import zipfile

import numpy as np
import pytest

from asrlib import checkpoint
from asrlib.checkpoint import ModelFileError


def test_roundtrip_keeps_configs_and_outputs(untrained_model):
    bundle = checkpoint.load(untrained_model)
    assert bundle.spec.model.units == 128 and bundle.alphabet.size == 28
    assert bundle.features.n_mfcc == 13 and bundle.info == {"t": 1}
    x = np.random.default_rng(0).normal(size=(1, 20, 13)).astype(np.float32)
    again = checkpoint.load(untrained_model)
    assert np.allclose(bundle.model.predict_on_batch(x), again.model.predict_on_batch(x))


def test_bad_model_files(tmp_path, untrained_model):
    with pytest.raises(ModelFileError, match="not found"):
        checkpoint.load(tmp_path / "none.keras")
    (tmp_path / "text.keras").write_text("hello")
    with pytest.raises(ModelFileError, match=r"not a \.keras model"):
        checkpoint.load(tmp_path / "text.keras")
    plain = tmp_path / "plain.keras"
    with zipfile.ZipFile(untrained_model) as src, zipfile.ZipFile(plain, "w") as dst:
        for item in src.namelist():
            if item != checkpoint.MEMBER:
                dst.writestr(item, src.read(item))
    with pytest.raises(ModelFileError, match="without asrlib's configs"):
        checkpoint.load(plain)
    broken = tmp_path / "broken.keras"
    with zipfile.ZipFile(broken, "w") as dst:
        dst.writestr(checkpoint.MEMBER, "{}")
    with pytest.raises(ModelFileError, match="invalid asrlib configs"):
        checkpoint.load(broken)


def test_update_info_keeps_the_model(untrained_model, tmp_path):
    import shutil

    path = shutil.copy(untrained_model, tmp_path / "m.keras")
    checkpoint.update_info(path, decoder={"x": 1})
    checkpoint.update_info(path, note="two")
    bundle = checkpoint.load(path)
    assert bundle.info == {"t": 1, "decoder": {"x": 1}, "note": "two"}
    x = np.random.default_rng(0).normal(size=(1, 20, 13)).astype(np.float32)
    original = checkpoint.load(untrained_model).model.predict_on_batch(x)
    assert np.allclose(bundle.model.predict_on_batch(x), original)


def _padded_copy(model, out, extra: dict[str, int]):
    """``model`` with extra members of the given sizes (zeros: a few KB compressed)."""
    with zipfile.ZipFile(model) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.namelist():
            dst.writestr(item, src.read(item))
        for name, size in extra.items():
            with dst.open(name, "w", force_zip64=True) as f:
                for start in range(0, size, 1 << 20):
                    f.write(bytes(min(1 << 20, size - start)))
    return out


def test_a_model_archive_that_would_inflate_is_refused_before_reading(
        tmp_path, untrained_model, monkeypatch):
    """Declared member sizes and counts are checked from the zip's directory first: a bomb
    never reaches Keras or memory (limits lowered here so the test builds small files)."""
    import time

    monkeypatch.setattr(checkpoint, "MAX_MODEL_BYTES", 8 * 1024**2)
    bomb = _padded_copy(untrained_model, tmp_path / "bomb.keras", {"pad.bin": 9 * 1024**2})
    assert bomb.stat().st_size < 1024**2  # small on disk, big when unpacked
    t0 = time.perf_counter()
    with pytest.raises(ModelFileError, match=r"bomb\.keras: its members unpack to .*refused"):
        checkpoint.load(bomb)
    assert time.perf_counter() - t0 < 5.0  # refused from the directory, never inflated
    many = _padded_copy(untrained_model, tmp_path / "many.keras",
                        {f"m{k}": 1 for k in range(checkpoint.MAX_MEMBERS)})
    with pytest.raises(ModelFileError, match=r"many\.keras: \d+ members"):
        checkpoint.read_meta(many)
    big_record = tmp_path / "record.keras"
    with zipfile.ZipFile(untrained_model) as src, zipfile.ZipFile(big_record, "w") as dst:
        for item in src.namelist():
            data = src.read(item)
            dst.writestr(item, data + b" " * 4096 if item == checkpoint.MEMBER else data)
    assert checkpoint.read_meta(big_record)  # within the limits: read as before
    monkeypatch.setattr(checkpoint, "MAX_RECORD_BYTES", 1024)
    with pytest.raises(ModelFileError, match=r"record\.keras: .*asrlib\.json: .*over the limit"):
        checkpoint.read_meta(big_record)
