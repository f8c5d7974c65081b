import numpy as np
import pytest
import tensorflow as tf

from asrlib import ctc
from asrlib.ctc import CTCLoss, pack_targets
from asrlib.model import ModelConfig, output_lengths
from asrlib.pipeline import check_pair


def _case(rng, batch=3, frames=(40, 31, 12), labels=((3, 4, 4, 5), (9,), (2, 2))):
    probs = rng.dirichlet(np.ones(28), size=(batch, max(frames))).astype(np.float32)
    targets = pack_targets(frames, [np.array(lab) for lab in labels])
    return probs, targets


def test_pack_targets_layout():
    packed = pack_targets([10, 7], [np.array([3, 4]), np.array([5])])
    assert packed.tolist() == [[10, 3, 4], [7, 5, 0]]


def test_fast_and_keras_ctc_agree_and_ignore_padding(rng):
    probs, targets = _case(rng)
    fast = CTCLoss(fast=True)(targets, probs).numpy()
    slow = np.asarray(CTCLoss(fast=False)(targets, probs))
    assert fast.shape == (3,) and np.allclose(fast, slow, rtol=1e-4)
    # frames beyond each utterance's length must not change its loss
    noisy = probs.copy()
    noisy[1, 31 // 2 :] = rng.dirichlet(np.ones(28), size=noisy.shape[1] - 15)
    assert np.allclose(CTCLoss()(targets, noisy).numpy()[1], fast[1], rtol=1e-5)


def test_loss_uses_model_output_lengths(rng):
    probs, targets = _case(rng)
    pooled = CTCLoss(ModelConfig(pool=True))(targets, probs).numpy()
    manual = tf.nn.ctc_loss(
        labels=tf.sparse.from_dense(targets[:, 1:]),
        logits=np.log(probs),
        label_length=None,
        logit_length=targets[:, 0] // 2,
        logits_time_major=False,
        blank_index=0,
    ).numpy()
    assert np.allclose(pooled, manual, rtol=1e-5)


# --- the NumPy CTC (notebook 04) against tf.nn.ctc_loss and brute force ------------------

TOY = [  # labels, frames, classes: repeats, skips, a single label, a tight fit
    ([1, 2], 4, 3),
    ([1, 1], 5, 3),
    ([1, 2, 2, 1], 8, 3),
    ([2], 3, 4),
    ([1, 2, 3], 6, 5),
    ([3, 3, 3], 5, 4),  # exactly min_frames: a _ a _ a
]


def _logits(seed: int, frames: int, classes: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(frames, classes))


def _tf_loss_and_gradient(logits: np.ndarray, labels) -> tuple[float, np.ndarray]:
    """tf.nn.ctc_loss on sparse labels (the op training uses) and its GradientTape gradient."""
    x = tf.constant(logits[None].astype(np.float32))  # (batch=1, time, classes)
    with tf.GradientTape() as tape:
        tape.watch(x)
        loss = tf.nn.ctc_loss(
            labels=tf.sparse.from_dense(np.array([labels], dtype=np.int32)),
            logits=x,
            label_length=None,
            logit_length=[len(logits)],
            logits_time_major=False,
            blank_index=0,
        )
    return float(loss[0]), tape.gradient(loss, x).numpy()[0]


def test_log_softmax_rows_are_log_distributions():
    log_probs = ctc.log_softmax(_logits(0, 4, 3) * 50)  # large logits must not overflow
    assert np.allclose(np.exp(log_probs).sum(axis=1), 1.0)
    assert np.allclose(ctc.log_softmax(log_probs), log_probs)  # log probs are valid logits


def test_extend_and_min_frames():
    assert ctc.extend([5, 5, 6]).tolist() == [0, 5, 0, 5, 0, 6, 0]
    assert ctc.extend([]).tolist() == [0]
    assert ctc.min_frames([5, 5, 6]) == 4  # 5 _ 5 6
    assert ctc.min_frames([8, 5, 12, 12, 15]) == 6  # "hello": h e l _ l o
    assert ctc.min_frames([]) == 0


def test_min_frames_is_the_rule_check_pair_applies():
    config = ModelConfig()  # the pool halves time: output frames = input // 2
    for labels in ([1, 2, 3], [1, 1, 1], [4, 4, 5, 5]):
        need = ctc.min_frames(labels)
        assert check_pair(2 * need, np.array(labels), config) is None
        assert output_lengths(2 * need - 1, config) == need - 1
        assert "needs" in check_pair(2 * need - 1, np.array(labels), config)


def test_ctc_does_not_import_decoding():
    # decoding builds on ctc, never the reverse: ctc's source names no decoding import
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(ctc))
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    imported |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not any("decoding" in (name or "") for name in imported)


def test_alignments_collapse_to_the_labels():
    paths = ctc.alignments([1, 2], 4)
    assert len(paths) == 15 and len(set(paths)) == 15 and (1, 0, 0, 2) in paths
    assert all(ctc.collapse(p) == [1, 2] for p in paths)
    assert (1, 1, 1, 1) not in ctc.alignments([1, 1], 4)  # merged: that is "a"
    assert ctc.alignments([1, 1], 3) == [(1, 0, 1)]
    assert ctc.alignments([1, 1], 2) == []


@pytest.mark.parametrize(("labels", "frames", "classes"), TOY)
def test_forward_and_brute_force_equal_tf(labels, frames, classes):
    logits = _logits(sum(labels) + frames, frames, classes)
    log_probs = ctc.log_softmax(logits)
    log_alpha, loss = ctc.forward(log_probs, labels)
    assert log_alpha.shape == (frames, 2 * len(labels) + 1)
    expected, _ = _tf_loss_and_gradient(logits, labels)
    assert loss == pytest.approx(expected, abs=1e-5)
    assert ctc.brute_force_loss(log_probs, labels) == pytest.approx(loss, abs=1e-9)


@pytest.mark.parametrize(("labels", "frames", "classes"), TOY)
def test_alpha_beta_give_the_total_at_every_frame(labels, frames, classes):
    log_probs = ctc.log_softmax(_logits(1, frames, classes))
    log_alpha, loss = ctc.forward(log_probs, labels)
    per_frame = np.logaddexp.reduce(log_alpha + ctc.backward(log_probs, labels), axis=1)
    assert np.allclose(per_frame, -loss, atol=1e-9)


@pytest.mark.parametrize(("labels", "frames", "classes"), TOY)
def test_gradient_equals_gradient_tape(labels, frames, classes):
    logits = _logits(2, frames, classes)
    _, expected = _tf_loss_and_gradient(logits, labels)
    grad = ctc.gradient(logits, labels)
    assert grad.shape == (frames, classes)
    assert np.abs(grad - expected).max() < 1e-5
    assert np.allclose(grad.sum(axis=1), 0.0, atol=1e-9)  # softmax and occupancy both sum to 1


def test_infeasible_pairs_give_inf():
    logits = _logits(3, 2, 3)
    log_probs = ctc.log_softmax(logits)
    # TensorFlow's op returns inf when only the repeat's blank does not fit, and raises
    # when there are more labels than frames; notebook 04 shows both
    assert _tf_loss_and_gradient(logits, [1, 1])[0] == np.inf
    with pytest.raises(tf.errors.InvalidArgumentError, match="Not enough time"):
        _tf_loss_and_gradient(logits, [1, 2, 1])
    for labels in ([1, 1], [1, 2, 1]):  # need 3 frames, have 2
        assert ctc.forward(log_probs, labels)[1] == np.inf
        assert ctc.brute_force_loss(log_probs, labels) == np.inf
        with pytest.raises(ValueError, match="no CTC path"):
            ctc.gradient(logits, labels)
        with pytest.raises(ValueError, match="no CTC path"):
            ctc.forced_align(log_probs, labels)


@pytest.mark.parametrize(("labels", "frames", "classes"), TOY)
def test_forced_align_is_the_brute_force_best_path(labels, frames, classes):
    log_probs = ctc.log_softmax(_logits(4, frames, classes))
    best = max(ctc.alignments(labels, frames), key=lambda p: ctc.path_log_prob(log_probs, p))
    found = ctc.forced_align(log_probs, labels)
    assert tuple(found.ids.tolist()) == best  # no off-by-one: frame t emits ids[t]
    assert found.log_prob == pytest.approx(ctc.path_log_prob(log_probs, best), abs=1e-12)
    assert found.ids.tolist() == ctc.extend(labels)[found.rows].tolist()
    assert found.rows[0] in (0, 1) and found.rows[-1] >= 2 * len(labels) - 1
    assert set(np.diff(found.rows)) <= {0, 1, 2}


def test_empty_labels_mean_all_blank():
    log_probs = ctc.log_softmax(_logits(5, 3, 3))
    assert ctc.forward(log_probs, [])[1] == pytest.approx(-log_probs[:, 0].sum())
    assert ctc.forced_align(log_probs, []).ids.tolist() == [0, 0, 0]
