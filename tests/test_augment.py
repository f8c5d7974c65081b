import numpy as np
import pytest
import tensorflow as tf
from conftest import tone

from asrlib import augment, datasets


def test_change_speed_shortens_and_raises_pitch():
    x = tone(1.0, freq=400.0)
    fast = augment.change_speed(x, 1.25)
    assert abs(len(fast) - 16_000 / 1.25) <= 2
    peak_hz = np.argmax(np.abs(np.fft.rfft(fast))) * 16_000 / len(fast)
    assert abs(peak_hz - 500.0) < 5
    assert augment.change_speed(x, 1.0) is x
    with pytest.raises(ValueError):
        augment.change_speed(x, 0)


def test_gain_in_db():
    x = tone(0.1)
    assert np.allclose(np.abs(augment.gain(x, -6.0)).max(), 0.3 * 10 ** (-6 / 20), rtol=1e-3)


def test_spec_augment_masks_only_bands_and_stretches():
    tf.random.set_seed(0)
    feats = tf.ones((200, 13))
    masked = augment.spec_augment(feats, freq_masks=2, freq_width=3, time_masks=2, time_width=8)
    m = masked.numpy()
    assert m.shape == (200, 13) and set(np.unique(m)) <= {0.0, 1.0}
    zero_cols = np.all(m == 0, axis=0).sum()
    zero_rows = np.all(m == 0, axis=1).sum()
    assert zero_cols <= 6 and zero_rows <= 16
    assert (m == 0).sum() > 0  # seeded: at least one mask is non-empty


def test_perturbed_digits_are_deterministic_and_differ(mirror):
    plain = datasets.connected_digits(3, ["theo"], seed=1)
    pert = datasets.connected_digits(3, ["theo"], seed=1, perturb=True)
    again = datasets.connected_digits(3, ["theo"], seed=1, perturb=True)
    assert pert == again and [u.text for u in pert] == [u.text for u in plain]
    assert all(0.9 <= s <= 1.1 for s in pert[0].speeds)
    assert len(pert[0].load()) != len(plain[0].load())
