import gc
import weakref

import numpy as np
import pytest

from asrlib import model as model_module
from asrlib.model import (
    ModelConfig,
    build_model,
    layer_outputs,
    output_lengths,
    param_counts,
    predict_probs,
)


def test_seed_model_layers_and_shapes():
    model = build_model()
    shapes = {layer.name: layer.output.shape for layer in model.layers}
    assert shapes["add_channel"] == (None, None, 13, 1)
    assert shapes["conv1"] == (None, None, 13, 32)
    assert shapes["pool"] == (None, None, 6, 32)
    assert shapes["to_sequence"] == (None, None, 192)
    assert shapes["lstm1"] == (None, None, 128)
    assert shapes["softmax"] == (None, None, 28)
    # conv 3*3*1*32+32, LSTM 4*(192+128+1)*128, dense 128*28+28
    assert model.count_params() == 320 + 164_352 + 3_612


@pytest.mark.parametrize("frames", [2, 7, 100, 101])
def test_output_lengths_match_the_real_model(frames):
    model = build_model()
    probs = model(np.zeros((1, frames, 13), np.float32))
    assert probs.shape[1] == output_lengths(frames)
    assert np.allclose(np.sum(probs, axis=-1), 1, atol=1e-5)


def test_output_lengths_vectorised_and_without_pooling():
    assert list(output_lengths(np.array([10, 11]))) == [5, 5]
    assert output_lengths(11, ModelConfig(pool=False)) == 11


def test_variants_build():
    cfg = ModelConfig(
        conv_layers=2, filters=16, lstm_layers=2, units=32, bidirectional=True, dropout=0.1
    )
    model = build_model(cfg)
    assert model.output.shape == (None, None, 28)
    assert model(np.zeros((2, 20, 13), np.float32)).shape == (2, 10, 28)


def test_frames_needed_has_one_home_in_ctc():
    assert not hasattr(model_module, "frames_needed")  # asrlib.ctc.min_frames is the one


def test_local_forward_is_cached_per_live_model_only():
    before = len(model_module._LOCAL_FORWARD)
    first, second = build_model(), build_model()
    forward = model_module._local_forward(first)
    assert model_module._local_forward(first) is forward
    assert model_module._local_forward(second) is not forward
    x = np.random.default_rng(0).normal(size=(1, 8, 13)).astype(np.float32)
    assert np.allclose(forward(x), first(x, training=False), atol=1e-6)
    assert len(model_module._LOCAL_FORWARD) == before + 2
    gone = weakref.ref(first)
    del first, second
    gc.collect()
    # the cache holds no dead models, even while a model's function is still in use
    assert gone() is None and len(model_module._LOCAL_FORWARD) == before


def test_config_rejects_nonsense():
    with pytest.raises(ValueError):
        ModelConfig(units=0)
    with pytest.raises(ValueError):
        ModelConfig(dropout=1.5)


def test_predict_probs_cuts_each_output_and_rejects_too_short():
    model = build_model()
    feats = [np.zeros((n, 13), np.float32) for n in (30, 9, 50)]
    probs = predict_probs(model, feats, ModelConfig(), batch_size=2)
    assert [len(p) for p in probs] == [15, 4, 25]
    with pytest.raises(ValueError, match="fewer than 2"):
        predict_probs(model, [np.zeros((1, 13), np.float32)], ModelConfig())


@pytest.mark.parametrize(
    "cfg",
    [
        ModelConfig(),
        ModelConfig(bidirectional=True, dropout=0.1),
        ModelConfig(n_features=40, conv_layers=2, filters=8, lstm_layers=2, units=16),
        ModelConfig(conv_layers=0, pool=False, units=8),
        ModelConfig(units=16, attention=True),
        ModelConfig(units=8, bidirectional=True, attention=True),
    ],
)
def test_param_counts_match_keras(cfg):
    model = build_model(cfg)
    keras_counts = {ly.name: ly.count_params() for ly in model.layers if ly.count_params()}
    assert param_counts(cfg) == keras_counts
    assert model.get_layer("to_sequence").output.shape[-1] == cfg.sequence_width


def test_seed_param_counts_by_formula():
    assert param_counts() == {"conv1": 3 * 3 * 1 * 32 + 32, "lstm1": 4 * (192 + 128 + 1) * 128,
                              "softmax": 128 * 28 + 28}
    assert ModelConfig().sequence_width == 6 * 32


def test_layer_outputs_every_layer_in_order():
    model = build_model()
    x = np.random.default_rng(0).normal(size=(2, 21, 13)).astype(np.float32)
    outs = layer_outputs(model, x)
    assert list(outs) == [layer.name for layer in model.layers]
    assert outs["features"].shape == (2, 21, 13)
    assert outs["pool"].shape == (2, 10, 6, 32)
    assert np.allclose(outs["softmax"], model(x), atol=1e-6)
