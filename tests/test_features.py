import numpy as np
import pytest
from conftest import tone

from asrlib import audio, features
from asrlib.features import MFCC_TOLERANCE, FeatureConfig


def test_seed_shape_13_per_10ms():
    feats = features.compute(tone(1.0))
    assert feats.shape == (101, 13) and feats.dtype == np.float32
    assert FeatureConfig().n_frames(16_000) == 101


@pytest.mark.parametrize("kind", ["mfcc", "logmel"])
def test_numpy_mfcc_matches_librosa_on_real_speech(mirror, kind):
    y = audio.load(mirror / "free-spoken-digit-dataset/recordings/7_jackson_3.wav")
    cfg = FeatureConfig(kind=kind, normalize=False)
    ours, ref = features.mfcc_numpy(y, cfg), features.compute(y, cfg)
    assert ours.shape == ref.shape
    assert np.max(np.abs(ours - ref)) < MFCC_TOLERANCE


def test_mel_scale_inverts_and_filters_cover_the_band():
    hz = np.array([0.0, 500.0, 1000.0, 4000.0, 8000.0])
    assert np.allclose(features.mel_to_hz(features.hz_to_mel(hz)), hz)
    bank = features.mel_filterbank(16_000, 512, 40)
    assert bank.shape == (40, 257) and np.all(bank.max(axis=1) > 0)


def test_dct_is_orthonormal():
    d = features.dct_matrix(40, 40)
    assert np.allclose(d @ d.T, np.eye(40), atol=1e-10)


def test_normalisation_gives_zero_mean_unit_variance():
    feats = features.compute(tone(1.0, freq=300) + tone(1.0, freq=1200))
    assert np.allclose(feats.mean(0), 0, atol=1e-4)
    assert np.all(np.abs(feats.std(0) - 1) < 1e-2)


def test_config_validation():
    with pytest.raises(ValueError, match="kind"):
        FeatureConfig(kind="mel")
    assert FeatureConfig(kind="logmel").n_features == 40


def test_pad_ms_adds_silence_at_both_ends_before_the_features():
    rng = np.random.default_rng(0)
    clip = (0.1 * rng.standard_normal(4000)).astype(np.float32)
    padded = features.FeatureConfig(pad_ms=100.0)
    got = features.compute(clip, padded)
    assert np.allclose(got, features.compute(np.pad(clip, 1600), features.FeatureConfig()))
    assert len(got) == padded.n_frames(len(clip)) == 1 + (4000 + 3200) // 160
    by_hand = features.mfcc_numpy(clip, padded)  # the from-scratch version pads the same way
    assert by_hand.shape == got.shape and np.abs(by_hand - got).max() < MFCC_TOLERANCE
