"""The command line, including the bad-input corpus: every case ends in a result or one line."""

import json
import wave

import numpy as np
import pytest
import soundfile as sf
from conftest import tone

from asrlib import cli, datasets
from asrlib.manifest import read as read_manifest
from asrlib.manifest import write as write_manifest


def run(capsys, *argv):
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Good and bad audio files, each named for what is wrong with it."""
    d = tmp_path_factory.mktemp("bad-input")
    files = {}
    files["empty"] = d / "empty.wav"
    files["empty"].write_bytes(b"")
    good = d / "good.wav"
    sf.write(good, tone(1.0), 16_000)
    files["good"] = good
    files["truncated"] = d / "truncated.wav"
    files["truncated"].write_bytes(good.read_bytes()[:30])
    files["not_audio"] = d / "not_audio.wav"
    files["not_audio"].write_bytes(b"%PDF-1.4 definitely not sound " * 50)
    nan = tone(0.5)
    nan[::100] = np.nan
    files["nan"] = d / "nan.wav"
    sf.write(files["nan"], nan, 16_000, subtype="FLOAT")
    files["stereo44k"] = d / "stereo44k.wav"
    sf.write(files["stereo44k"], np.stack([tone(1.0, 44_100)] * 2, 1), 44_100)
    files["pcm8"] = d / "pcm8.wav"
    with wave.open(str(files["pcm8"]), "wb") as w:  # unsigned 8-bit PCM
        w.setnchannels(1), w.setsampwidth(1), w.setframerate(8000)
        w.writeframes(((tone(1.0, 8000) + 1) * 127.5).astype(np.uint8).tobytes())
    files["ten_minutes"] = d / "ten_minutes.wav"
    sf.write(files["ten_minutes"], np.zeros(16_000 * 600, np.int16), 16_000)
    files["silence"] = d / "silence.wav"
    sf.write(files["silence"], np.zeros(16_000, np.float32), 16_000)
    files["missing"] = d / "missing.wav"
    return files


BAD = {
    "empty": "empty",
    "truncated": "no audio samples|not a readable",
    "not_audio": "not a readable audio file",
    "nan": "NaN",
    "ten_minutes": "longer than",
    "missing": "no such file",
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_transcribe_rejects_bad_file_in_one_line(capsys, untrained_model, corpus, case):
    code, out, err = run(capsys, "transcribe", "--model", untrained_model, corpus[case])
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(corpus[case]) in lines[0]
    assert __import__("re").search(BAD[case], lines[0])


@pytest.mark.parametrize("case", ["good", "stereo44k", "pcm8", "silence"])
def test_transcribe_handles_awkward_but_valid_audio(capsys, untrained_model, corpus, case):
    code, out, _err = run(capsys, "transcribe", "--model", untrained_model, corpus[case])
    assert code == 0 and out.startswith(str(corpus[case]))
    if case == "silence":
        assert "silent" in out


def test_one_bad_file_never_costs_the_good_ones(capsys, untrained_model, corpus):
    files = [corpus["good"], corpus["empty"], corpus["stereo44k"], corpus["nan"]]
    code, out, err = run(capsys, "transcribe", "--model", untrained_model, *files)
    assert code == 1
    assert [line.split("\t")[0] for line in out.splitlines()] == [
        str(corpus["good"]),
        str(corpus["stereo44k"]),
    ]
    assert len(err.strip().splitlines()) == 2


def test_bad_model_file_is_one_line(capsys, corpus, tmp_path):
    fake = tmp_path / "fake.keras"
    fake.write_text("not a model")
    code, _out, err = run(capsys, "transcribe", "--model", fake, corpus["good"])
    assert code == 2 and err.startswith("error: ") and str(fake) in err
    code, _, err = run(capsys, "transcribe", "--model", tmp_path / "nope.keras", corpus["good"])
    assert code == 2 and "not found" in err


def test_evaluate_reports_bad_rows_and_scores_the_rest(capsys, untrained_model, corpus, tmp_path):
    manifest = tmp_path / "m.jsonl"
    rows = [
        {"audio_filepath": str(corpus["good"]), "duration": 1.0, "text": "Hello, wörld! 42"},
        {"audio_filepath": str(corpus["empty"]), "duration": 0.0, "text": "one"},
        {"audio_filepath": str(corpus["good"])},  # a row missing its text
        {"audio_filepath": str(corpus["stereo44k"]), "duration": 1.0, "text": ""},
    ]
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    code, out, err = run(capsys, "evaluate", "--model", untrained_model, "--manifest", manifest)
    assert code == 0
    result = json.loads(out.strip().splitlines()[-1])
    assert result["utterances"] == 2 and result["skipped"] == 2
    assert set(result) >= {"wer", "cer", "utterances", "audio_seconds", "rtf"}
    assert abs(result["audio_seconds"] - 2.0) < 0.01
    assert "m.jsonl:3: missing field(s) text" in err and str(corpus["empty"]) in err


def test_evaluate_bad_manifest(capsys, untrained_model, tmp_path):
    code, _, err = run(
        capsys, "evaluate", "--model", untrained_model, "--manifest", tmp_path / "none.jsonl"
    )
    assert code == 2 and "manifest not found" in err
    binary = tmp_path / "bin.jsonl"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    code, _, err = run(capsys, "evaluate", "--model", untrained_model, "--manifest", binary)
    assert code == 2 and str(binary) in err


def test_train_reports_dropped_pairs(capsys, mirror, tmp_path):
    utts = datasets.connected_digits(6, ["lucas"], seed=0, max_digits=2)
    manifest = write_manifest(utts, tmp_path / "train.jsonl")
    with open(manifest, "a") as f:
        wav = json.loads(manifest.read_text().splitlines()[0])["audio_filepath"]
        f.write(json.dumps({"audio_filepath": wav, "text": "seven " * 40}) + "\n")
        f.write(json.dumps({"audio_filepath": wav, "text": "?!"}) + "\n")
        f.write(json.dumps({"text": "no audio"}) + "\n")
    out_model = tmp_path / "tiny.keras"
    code, out, err = run(
        capsys,
        "train",
        "--data",
        "manifest",
        "--train-manifest",
        manifest,
        "--val-manifest",
        manifest,
        "--epochs",
        "1",
        "--units",
        "16",
        "--out",
        out_model,
    )
    assert code == 0 and out_model.exists()
    assert "dropped 2" in out and "label needs" in out and "empty transcript" in out
    assert "train.jsonl:7: label needs" in out and "train.jsonl:8: empty transcript" in out
    assert "missing field(s) audio_filepath" in err


def test_make_manifest_of_chosen_takes(capsys, mirror, tmp_path):
    out = tmp_path / "t.jsonl"
    code, stdout, _ = run(capsys, "make-manifest", "--corpus", "digits", "--n", "4", "--takes",
                          "0", "4", "--speakers", "george", "lucas", "--out", out)
    assert code == 0 and "wrote 4 rows" in stdout
    utts, problems = read_manifest(out)
    assert not problems and {u.speaker for u in utts} == {"george", "lucas"}
    code, _, err = run(capsys, "make-manifest", "--corpus", "digits", "--takes", "5", "50",
                       "--out", tmp_path / "x.jsonl")
    assert code == 2 and "numbered 0-49" in err and len(err.strip().splitlines()) == 1
    code, _, err = run(capsys, "make-manifest", "--corpus", "fsdd", "--takes", "0", "4",
                       "--out", tmp_path / "y.jsonl")
    assert code == 2 and "--corpus digits, not fsdd" in err


def test_make_manifest_and_usage_errors(capsys, mirror, tmp_path):
    code, out, _ = run(
        capsys, "make-manifest", "--corpus", "digits", "--n", "3", "--out", tmp_path / "d.jsonl"
    )
    assert code == 0 and "wrote 3 rows" in out
    code, _, err = run(capsys, "train", "--data", "manifest", "--out", tmp_path / "x.keras")
    assert code == 2 and "--train-manifest" in err


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["ship", "--recipe", "nope"], "unknown recipe 'nope'"),
        (["ship", "--recipe", "seed", "--budget", "-5"], "--budget must be a positive"),
        (["ship", "--recipe", "seed", "--average", "0"], "--average must be at least 1"),
    ],
)
def test_ship_usage_errors_are_one_line(capsys, argv, message, tmp_path):
    assert cli.main([*argv, "--out", str(tmp_path / "x.keras")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]
    assert not (tmp_path / "x.keras").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["loso", "--recipe", "nope"], "unknown recipe 'nope'"),
        (["loso", "--recipe", "seed", "--budget", "0"], "--budget must be a positive"),
        (["loso", "--recipe", "seed", "--speakers", "alice"], "unknown FSDD speaker 'alice'"),
    ],
)
def test_loso_usage_errors_are_one_line(capsys, argv, message, tmp_path):
    assert cli.main([*argv, "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0]


def test_defaults_are_the_librarys():
    """The flags restate no default: unset, they give the library's configs."""
    from asrlib import cli_commands, crossval, protocol
    from asrlib.config import Spec, TrainConfig

    args = cli.build_parser().parse_args(["train", "--out", "x.keras"])
    assert cli_commands._spec(args) == Spec()
    assert cli_commands._train_config(args, replicas=1) == TrainConfig()
    for argv, key, value in [
        (["ship", "--recipe", "seed"], "average", protocol.AVERAGE_LAST),
        (["voices"], "budget", crossval.BUDGET),
        (["voices"], "out", crossval.OUT),
    ]:
        args = cli.build_parser().parse_args(argv)
        cli._resolve_later(args)
        assert getattr(args, key) == value


def test_help_names_the_librarys_averaging(capsys):
    from asrlib import protocol

    with pytest.raises(SystemExit):
        cli.main(["ship", "--help"])
    assert f"default {protocol.AVERAGE_LAST}," in " ".join(capsys.readouterr().out.split())


def test_help_imports_no_tensorflow():
    import subprocess
    import sys

    code = ("import sys\nfrom asrlib import cli\nfor c in ([], ['train'], ['ship'], ['voices']):\n"
            "    try: cli.main([*c, '--help'])\n    except SystemExit: pass\n"
            "assert not {'tensorflow', 'keras'} & set(sys.modules), sorted(sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
