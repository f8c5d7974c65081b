"""AN4 and the spelling model: the corpus read as published, the split, the decoders' table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from asrlib import checkpoint, cli, corpora, spelling
from asrlib.corpora import an4
from asrlib.transcriber import Transcriber
from asrlib.utterance import ManifestError


@pytest.fixture
def an4_mirror(mirror):
    if not (mirror / "an4").is_dir():
        pytest.skip("AN4 is not in the mirror")
    return mirror


def test_an4_is_one_declaration(an4_mirror):
    corpus = corpora.get("an4")
    assert corpus.archives[0].file == "an4_sphere.tar.gz" and corpus.archives[0].sha256
    assert "CMU" in corpus.licence and "an4" in corpora.selectable()


def test_the_published_split_is_read_whole(an4_mirror):
    train, test = an4.load("train"), an4.load("test")
    assert len(train) == 948 and len({u.speaker for u in train}) == 74
    assert len(test) == 117 and sum(len(u.text.split()) for u in test) == 699
    assert not {u.speaker for u in train} & {u.speaker for u in test}
    assert train[0].text == "YES" and "<s>" not in " ".join(u.text for u in train)
    assert an4.untranscribed("test") == sorted(f for f in an4.untranscribed("test")
                                               if "-fcaw-" in f) and len(an4.untranscribed()) == 13
    genders = an4.speakers("train")
    assert sum(g == "female" for g in genders.values()) == 21
    assert sum(g == "male" for g in genders.values()) == 53


def test_transcript_lines_in_both_formats_and_a_clear_error(tmp_path):
    path = tmp_path / "t.transcription"
    path.write_text("\n<s> ERASE C Q Q F SEVEN </s> (an1-fash-b)\nNO (an416-fjlp-b)\n")
    assert an4.transcript_lines(path) == [("ERASE C Q Q F SEVEN", "an1-fash-b"),
                                          ("NO", "an416-fjlp-b")]
    path.write_text("YES without an id\n")
    with pytest.raises(ManifestError, match=r"t\.transcription:1: not an AN4 transcript line"):
        an4.transcript_lines(path)


def test_validation_speakers_are_training_speakers_fixed_before_training(an4_mirror):
    genders = an4.speakers("train")
    chosen = spelling.validation_speakers(genders)
    assert chosen == spelling.validation_speakers(dict(reversed(genders.items())))
    assert [genders[s] for s in chosen].count("female") == spelling.N_VAL_FEMALE
    assert [genders[s] for s in chosen].count("male") == spelling.N_VAL_MALE
    parts = spelling.split()
    speakers = {k: {u.speaker for u in v} for k, v in parts.items()}
    assert speakers["val"] == set(chosen) and not speakers["train"] & speakers["val"]
    assert not (speakers["train"] | speakers["val"]) & speakers["test"]


def test_make_manifest_writes_an4s_test_split(an4_mirror, tmp_path, capsys):
    out = tmp_path / "an4_test.jsonl"
    assert cli.main(["make-manifest", "--corpus", "an4", "--subset", "test",
                     "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 117 and rows[0]["text"] == "NO"
    assert cli.main(["make-manifest", "--corpus", "an4", "--subset", "dev",
                     "--out", str(out)]) == 2
    assert "AN4 has the splits" in capsys.readouterr().err


def test_scores_by_gender_and_speaker():
    rows = [{"ref": "a b", "speaker": "fx", "gender": "female", "greedy": "a b"},
            {"ref": "c d", "speaker": "my", "gender": "male", "greedy": "c"}]
    s = spelling.score(rows, ["greedy"])
    assert s["all"]["greedy"]["wer"] == 0.25 and s["words"] == 4
    assert s["gender"]["female"]["greedy"]["wer"] == 0.0
    assert s["speaker"]["my"]["greedy"]["wer"] == 0.5


SHIPPED = Path(__file__).resolve().parents[1] / "data" / "an4_model.keras"
RESULTS = SHIPPED.with_name("an4_model.results.json")


def test_the_stored_table_is_derived_from_its_rows():
    result = json.loads(RESULTS.read_text())
    names = list(result["decoders"])
    assert spelling.score(result["rows"], names) == result["scores"]
    assert result["scores"]["utterances"] == 117 and result["scores"]["words"] == 699
    assert {r["speaker"] for r in result["rows"]}.isdisjoint(
        set(checkpoint.read_meta(SHIPPED)["info"]["speakers"]["train"]))  # never trained on


@pytest.mark.slow  # loads the model and decodes a dozen utterances
def test_the_shipped_model_writes_what_its_table_says(an4_mirror):
    result = json.loads(RESULTS.read_text())
    rows = {r["id"]: r for r in result["rows"]}
    transcriber = Transcriber.from_file(SHIPPED)
    assert transcriber.kind == "lexicon"
    for utt in an4.load("test")[:12]:
        assert transcriber.transcribe_file(utt.path).text == rows[utt.id]["lexicon + LM"]


def test_an4_command_errors_are_one_line(tmp_path, capsys):
    assert cli.main(["an4", "--budget", "0", "--out", str(tmp_path / "m.keras")]) == 2
    assert capsys.readouterr().err.strip() == "error: --budget must be a positive number of " \
        "seconds, got 0"
    assert cli.main(["an4", "--evaluate-only", "--out", str(tmp_path / "none.keras")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "none.keras: model file not found" in err[0]
