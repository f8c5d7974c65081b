"""A tiny end-to-end run on real audio: the loss must fall, and training must resume."""

import csv

import keras
import numpy as np

from asrlib import checkpoint, datasets, pipeline, train
from asrlib.config import Spec, TrainConfig
from asrlib.model import ModelConfig, build_model


def _examples(n=48):
    utts = datasets.connected_digits(n, ["jackson", "lucas"], seed=7, max_digits=3)
    examples, report = pipeline.make_examples(utts, cache=False)
    assert report.kept == n
    return examples


def test_loss_falls_on_real_speech(mirror):
    keras.utils.set_random_seed(0)
    config = ModelConfig(units=64)
    model = train.compile_model(build_model(config), config, TrainConfig(learning_rate=3e-3))
    ds = pipeline.make_dataset(_examples(), batch_size=16, seed=0)
    history = model.fit(ds, epochs=6, verbose=0)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.6 * losses[0], losses


def test_fit_saves_best_and_resumes(mirror, tmp_path):
    examples = _examples(32)
    out, backup = tmp_path / "m.keras", tmp_path / "backup"
    recipe = TrainConfig(epochs=2, batch_size=16)
    cfg = ModelConfig(units=32)
    train.fit(examples, examples[:8], out, Spec(model=cfg), recipe, backup_dir=backup, verbose=0)
    bundle = checkpoint.load(out)
    assert bundle.info["train"]["epochs"] == 2 and "val_cer" in bundle.info
    # "interrupted" after 2 epochs: asking for 3 resumes at epoch 3, not at epoch 1
    recipe3 = TrainConfig(epochs=3, batch_size=16)
    train.fit(examples, examples[:8], out, Spec(model=cfg), recipe3, backup_dir=backup,
              verbose=0)
    with open(out.with_suffix(".log.csv")) as f:
        rows = list(csv.DictReader(f))
    assert [int(row["epoch"]) for row in rows] == [0, 1, 2]
    assert all(float(row["seconds"]) > 0 for row in rows)  # for curves against training time


def test_checkpoint_averaging_keeps_the_last_k_epochs_and_averages_them():
    import pytest

    model = build_model(ModelConfig(units=8, filters=2))
    keep = train.KeepLastWeights(2)
    keep.set_model(model)
    copies = []
    for epoch in range(3):
        weights = [np.full_like(w, epoch) for w in model.get_weights()]
        model.set_weights(weights)
        keep.on_epoch_end(epoch)
        copies.append(weights)
    assert keep.epochs == [2, 3] and len(keep.weights) == 2
    mean = train.average_weights(keep.weights)
    assert all(np.allclose(m, 1.5) and m.dtype == w.dtype for m, w in zip(mean, copies[0]))
    with pytest.raises(ValueError, match="different shapes"):
        train.average_weights([keep.weights[0], [*keep.weights[0][:-1], np.zeros(3)]])
    with pytest.raises(ValueError, match="no weights"):
        train.average_weights([])
    with pytest.raises(ValueError, match="at least 1"):
        train.KeepLastWeights(0)


def test_keep_posteriorgrams_keeps_the_chosen_epochs_only():
    spec = Spec(model=ModelConfig(units=8, filters=2))
    example = pipeline.Example("x", "ab", np.zeros((40, 13), np.float32), np.array([2, 3]))
    keep = train.KeepPosteriorgrams(example, spec, epochs=(1, 3))
    keep.set_model(build_model(spec.model))
    for epoch in range(4):
        keep.on_epoch_end(epoch)
    assert sorted(keep.probs) == [1, 3]
    assert keep.probs[1].shape == (20, 28)
    assert np.allclose(keep.probs[3].sum(axis=1), 1.0, atol=1e-5)
