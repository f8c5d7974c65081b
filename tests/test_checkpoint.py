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
