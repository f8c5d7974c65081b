import numpy as np
import tensorflow as tf

from asrlib.ctc import CTCLoss, pack_targets
from asrlib.model import ModelConfig


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
