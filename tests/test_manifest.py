"""JSON Lines manifests: relative paths, bad rows reported one line each, a round trip."""

import json

import numpy as np
import pytest

from asrlib import datasets, manifest, utterance


def test_manifest_relative_paths_and_bad_rows(tmp_path):
    rows = [
        {"audio_filepath": "a.wav", "duration": 1.0, "text": "one"},
        {"audio_filepath": "/abs/b.wav", "text": "two"},
        {"duration": 1.0, "text": "no audio"},
        {"audio_filepath": "c.wav"},
    ]
    lines = [json.dumps(r) for r in rows] + ["{not json", "[1, 2]"]
    (tmp_path / "m.jsonl").write_text("\n".join(lines) + "\n")
    utts, problems = manifest.read(tmp_path / "m.jsonl")
    assert [u.path for u in utts] == [str(tmp_path / "a.wav"), "/abs/b.wav"]
    assert len(problems) == 4
    assert "m.jsonl:3: missing field(s) audio_filepath" in problems[0]
    assert "m.jsonl:4: missing field(s) text" in problems[1]


def test_write_manifest_roundtrip(mirror, tmp_path):
    utts = datasets.connected_digits(3, ["theo"], seed=0)
    path = manifest.write(utts, tmp_path / "digits.jsonl")
    back, problems = manifest.read(path)
    assert not problems and [u.text for u in back] == [u.text for u in utts]
    assert np.allclose(back[0].load(), utts[0].load(), atol=1e-3)


def test_hours_reads_files_durations_and_joined_strings(tmp_path, mirror):
    import soundfile as sf

    wav = tmp_path / "two_seconds.wav"
    sf.write(wav, np.zeros(32_000, dtype=np.float32), 16_000)
    string = datasets.connected_digits(1, ["theo"], seed=0)[0]
    utts = [datasets.Utterance("a", "x", path=str(wav)),
            datasets.Utterance("b", "x", duration=1.5), string]
    expected = 2 + 1.5 + len(string.load()) / 16_000
    assert utterance.hours(utts) == pytest.approx(expected / 3600)
    assert utterance.hours([]) == 0


def test_hours_names_an_unreadable_file(tmp_path):
    bad = tmp_path / "not_audio.wav"
    bad.write_text("hello")
    with pytest.raises(datasets.ManifestError, match=r"not_audio\.wav"):
        utterance.hours([datasets.Utterance("a", "x", path=str(bad))])
