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


# --- recording-condition and voice perturbations ---------------------------------------------


def _speechlike(rng, seconds=1.0):
    t = np.arange(int(seconds * 16000)) / 16000
    env = 0.5 + 0.5 * np.sin(2 * np.pi * 3 * t)
    return (0.3 * env * np.sin(2 * np.pi * 220 * t) + 0.01 * rng.standard_normal(len(t))).astype(
        np.float32
    )


@pytest.mark.parametrize("kind", augment.NOISE_KINDS)
def test_noise_colour(kind):
    rng = np.random.default_rng(0)
    n = augment.noise(32000, kind, rng)
    assert n.dtype == np.float32 and np.isclose(np.sqrt(np.mean(n**2)), 1.0, atol=1e-3)
    power = np.abs(np.fft.rfft(n)) ** 2
    low, high = power[10:1000].mean(), power[10000:16000].mean()
    assert (low / high > 10) == (kind != "white")


def test_add_noise_hits_the_snr():
    rng = np.random.default_rng(0)
    clean = _speechlike(rng)
    for snr in (0.0, 10.0, 20.0):
        noisy = augment.add_noise(clean, snr, np.random.default_rng(1), kind="white")
        measured = 10 * np.log10(np.mean(clean**2) / np.mean((noisy - clean) ** 2))
        assert abs(measured - snr) < 0.5
    babble = augment.add_noise(clean, 10.0, rng, source=_speechlike(rng, 0.3))
    assert babble.shape == clean.shape and not np.allclose(babble, clean)


def test_reverb_eq_pitch_keep_length_and_level():
    rng = np.random.default_rng(0)
    clean = _speechlike(rng)
    rir = augment.room_response(0.4, rng)
    assert rir[0] == 1.0 and len(rir) == int(0.4 * 16000)
    tail = np.abs(rir[1:])
    assert tail[: len(tail) // 10].max() > 10 * tail[-len(tail) // 10 :].max()  # it decays
    for out in (
        augment.reverberate(clean, 0.4, rng),
        augment.random_eq(clean, rng),
    ):
        assert out.shape == clean.shape and out.dtype == np.float32
        assert np.isclose(np.abs(out).max(), np.abs(clean).max(), rtol=1e-4)
        assert not np.allclose(out, clean)
    shifted = augment.pitch_shift(clean, 2.0)
    assert shifted.shape == clean.shape
    spectrum = lambda x: np.abs(np.fft.rfft(x))  # noqa: E731
    peak = lambda x: np.argmax(spectrum(x)) * 16000 / len(x)  # noqa: E731
    assert abs(peak(shifted) / peak(clean) - 2 ** (2 / 12)) < 0.03  # 220 Hz → ~247 Hz
    assert augment.pitch_shift(clean, 0.0) is clean
    with pytest.raises(ValueError, match="noise kind"):
        augment.noise(10, "purple", rng)


def test_draw_effects_is_seeded_ordered_and_checked():
    import random

    a = [augment.draw_effects(random.Random(3), ("noise", "pitch", "eq", "reverb"))
         for _ in range(1)]
    b = [augment.draw_effects(random.Random(3), ("pitch", "eq", "reverb", "noise"))
         for _ in range(1)]
    assert a == b
    many = [augment.draw_effects(random.Random(k), augment.EFFECTS) for k in range(200)]
    used = [kind for drawn in many for kind, _ in drawn]
    assert all(60 < used.count(kind) < 140 for kind in augment.EFFECTS)  # each about half
    for drawn in many:
        kinds = [k for k, _ in drawn]
        assert kinds == [k for k in augment.EFFECTS if k in kinds]  # voice, mic, room, noise
    with pytest.raises(ValueError, match=r"unknown effect\(s\) \['echo'\]"):
        augment.draw_effects(random.Random(0), ("echo",))


def test_effects_change_training_strings_only_and_repeat_exactly(mirror):
    plain = datasets.connected_digits(6, ["theo"], seed=4)
    varied = datasets.connected_digits(6, ["theo"], seed=4, effects=augment.EFFECTS)
    assert [u.text for u in plain] == [u.text for u in varied]  # same strings, new sound
    changed = [u for u in varied if u.effects]
    assert changed and all(u.id != p.id for u, p in zip(varied, plain) if u.effects)
    u = changed[0]
    p = next(p for p in plain if p.text == u.text and p.pauses == u.pauses)
    x, y = u.load(), p.load()
    assert len(x) == len(y) and not np.allclose(x, y) and np.abs(x).max() <= 1.0
    assert np.array_equal(x, u.load())  # seeded by the utterance: the same every time
    split = datasets.digits_split(n_train=4, n_val=2, n_test=2, effects=("noise",))
    assert not any(u.effects for u in split["val"] + split["test"])
