import numpy as np
import pytest
import soundfile as sf
from conftest import tone

from asrlib import audio


def test_wav_mono_16k_roundtrip(tmp_path):
    x = tone(0.5)
    path = audio.save(tmp_path / "a.wav", x)
    y = audio.load(path)
    assert y.dtype == np.float32 and y.shape == x.shape
    assert np.max(np.abs(y - x)) < 1e-3  # 16-bit quantisation


def test_stereo_44k_is_downmixed_and_resampled(tmp_path):
    left = tone(1.0, 44_100, 300.0)
    stereo = np.stack([left, left], axis=1)
    sf.write(tmp_path / "s.wav", stereo, 44_100)
    y = audio.load(tmp_path / "s.wav")
    assert y.ndim == 1 and abs(len(y) - 16_000) <= 1
    spectrum = np.abs(np.fft.rfft(y))
    assert abs(np.argmax(spectrum) * 16_000 / len(y) - 300) < 3  # the tone survives


def test_flac_and_ogg(tmp_path):
    x = tone(0.5, 22_050)
    for ext, fmt in (("flac", "FLAC"), ("ogg", "OGG")):
        sf.write(tmp_path / f"x.{ext}", x, 22_050, format=fmt)
        assert len(audio.load(tmp_path / f"x.{ext}")) == pytest.approx(8000, abs=2)


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda p: p.write_bytes(b""), "empty"),
        (lambda p: p.write_bytes(b"this is not audio at all" * 10), "not a readable audio"),
        (lambda p: p.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt "), "not a readable audio"),
    ],
)
def test_bad_files_name_the_file(tmp_path, make, words):
    path = tmp_path / "bad.wav"
    make(path)
    with pytest.raises(audio.AudioError, match=words) as info:
        audio.load(path)
    assert str(path) in str(info.value)


def test_nan_samples_rejected(tmp_path):
    x = tone(0.5)
    x[100:110] = np.nan
    sf.write(tmp_path / "nan.wav", x, 16_000, subtype="FLOAT")
    with pytest.raises(audio.AudioError, match="NaN"):
        audio.load(tmp_path / "nan.wav")


def test_too_long_rejected_before_reading(tmp_path):
    sf.write(tmp_path / "long.wav", np.zeros(16_000 * 3, np.float32), 16_000)
    with pytest.raises(audio.AudioError, match="longer than"):
        audio.load(tmp_path / "long.wav", max_seconds=2)


def test_missing_and_folder(tmp_path):
    with pytest.raises(audio.AudioError, match="no such file"):
        audio.load(tmp_path / "nope.wav")
    with pytest.raises(audio.AudioError, match="folder"):
        audio.load(tmp_path)


def test_silence_detection():
    assert audio.is_silent(np.zeros(1600, np.float32))
    assert not audio.is_silent(tone(0.1))
