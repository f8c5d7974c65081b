"""The demo needs no corpus and no network: the shipped clips, transcribed and scored."""

from __future__ import annotations

import pytest

from asrlib import datasets, demo


def test_the_shipped_clips_are_small_licensed_and_complete():
    clips = demo.embedded_clips()
    speakers = {c.speaker for c in clips}
    assert len(clips) == 30 and len(speakers) == 3
    for speaker in speakers:
        assert sorted(c.text for c in clips if c.speaker == speaker) == sorted(datasets.DIGIT_WORDS)
    assert sum(p.stat().st_size for p in demo.CLIPS.rglob("*.flac")) < 500_000
    assert "Attribution 4.0" in (demo.CLIPS / "LICENSE-speech-commands.txt").read_text()
    assert "CC BY 4.0" in (demo.CLIPS / "README.md").read_text()


def test_the_demo_model_never_heard_the_demo_voices():
    from asrlib import checkpoint, runtime, voices

    info = checkpoint.read_meta(runtime.shipped_model("digits-heldout"))["info"]
    demo_voices = {f"speech-commands:{c.speaker}" for c in demo.embedded_clips()} | {"fsdd:theo"}
    assert demo_voices <= set(voices.HELD_OUT)
    assert not demo_voices & set(info["speakers"]["train"] + info["speakers"]["val"])


def test_phone_numbers_are_one_voice_each_and_deterministic():
    clips = demo.embedded_clips()
    a, b = demo.phone_numbers(clips), demo.phone_numbers(clips)
    assert [(i, t) for i, t, _ in a] == [(i, t) for i, t, _ in b] and len(a) == 3
    for (_, text, samples), (_, _, again) in zip(a, b):
        assert len(text.split()) == 10 and (samples == again).all()
        assert 2.0 < len(samples) / 16000 < 12.0  # trimmed: not ten full one-second clips


def test_demo_runs_offline_and_scores_unseen_voices(tmp_path, monkeypatch):
    monkeypatch.setenv("ASRLIB_DATA", str(tmp_path / "no-corpus"))
    monkeypatch.setenv("ASRLIB_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.setenv("ASRLIB_DOWNLOAD", "0")
    said = []
    wers = demo.run(say=said.append)
    assert set(wers) == {"isolated", "phone numbers"}
    # Far better than chance on three voices it never heard (a random digit is 90 % wrong).
    assert wers["isolated"] < 0.5 and wers["phone numbers"] < 0.5
    text = "\n".join(said)
    assert text.count("WER ") == 2 and "skipped theo's held-out FSDD strings" in text
    assert said[-1].count("\n") == 1  # the note: one line after the blank one


def test_demo_with_fsdd_scores_theo_too(mirror):
    said = []
    wers = demo.run(say=lambda line: said.append(line) if "WER" in line else None)
    assert set(wers) == {"isolated", "phone numbers", "theo"} and len(said) == 3


@pytest.mark.parametrize("flag", ["--no-download"])
def test_demo_command(tmp_path, monkeypatch, capsys, flag):
    from asrlib import cli

    monkeypatch.setenv("ASRLIB_DATA", str(tmp_path / "no-corpus"))
    monkeypatch.setenv("ASRLIB_CACHE", str(tmp_path / "empty-cache"))
    assert cli.main(["demo", flag]) == 0
    out = capsys.readouterr().out
    assert "isolated digits" in out and "downloading was not allowed" in out
