"""Teaching sets: committed id lists; a full archive or a copy of the set reads the same."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from asrlib import corpora, datasets
from asrlib import download as dl
from asrlib.utterance import ManifestError


def test_every_teaching_set_has_its_archive_and_list():
    counts = {"librispeech-sample": 496, "ljspeech-sample": 141, "alphanumeric": 49,
              "speech-commands-digits": 170}
    for name, subset in corpora.subsets().items():
        assert subset.archive.folder in subset.folders, name  # a full download is accepted
        ids = corpora.ids(name)
        assert len(ids) == len(set(ids)) == counts.get(name, 0), name
    with pytest.raises(ValueError, match="librispeech-sample"):
        corpora.subset("timit")
    with pytest.raises(ValueError, match="an4"):
        corpora.get("timit")


def test_librispeech_sample_ids_are_train_clean_100_speakers():
    speakers = {uid.split("-")[0] for uid in corpora.ids("librispeech-sample")}
    assert speakers == {"4088", "4406", "5652", "8226"}
    assert corpora.subset("librispeech-sample").archive.name == "librispeech-train-clean-100"


def test_one_declaration_per_corpus_is_read_by_everyone():
    """Download, the teaching sets, the CLI's choices and the voice pool all read the registry."""
    from asrlib import cli, voices

    names = set(corpora.registry())
    assert names == {"alphanumeric", "an4", "common-voice", "digits", "fsdd", "librispeech",
                     "ljspeech", "speech-commands"}
    assert set(corpora.archives()) >= {"an4", "fsdd", "ljspeech", "librispeech-dev-clean"}
    parser = cli.build_parser()
    manifest = parser._subparsers._group_actions[0].choices["make-manifest"]
    choices = next(a.choices for a in manifest._actions if a.dest == "corpus")
    assert set(choices) == set(corpora.selectable()) == names - {"common-voice"}
    assert list(voices.sources()) == ["fsdd", "alphanumeric", "speech-commands", "an4"]
    for corpus in corpora.registry().values():
        assert corpus.title and corpus.licence, corpus.name


def test_a_new_corpus_is_one_module(tmp_path, monkeypatch):
    """A module dropped into asrlib/corpora is a corpus: download and the CLI see it."""
    from asrlib.archives import Resource

    module = Path(corpora.__file__).parent / "zz_toy_corpus_for_test.py"
    module.write_text(
        "from asrlib.archives import Resource\n"
        "from asrlib.corpora import Corpus, Subset\n"
        "CORPUS = Corpus('zz-toy', 'a toy', 'none', archives=(Resource('zz-toy', "
        "'https://example.invalid/zz.tar.gz', None, 'zz'),), "
        "subsets=(Subset('zz-toy', 'a toy', Resource('zz-toy', "
        "'https://example.invalid/zz.tar.gz', None, 'zz'), ('zz',)),), "
        "select=lambda sel: [])\n")
    try:
        monkeypatch.setattr(corpora, "_REGISTRY", {})
        assert "zz-toy" in corpora.selectable()
        assert isinstance(corpora.archive("zz-toy"), Resource)
        (tmp_path / "zz").mkdir()
        assert corpora.locate("zz-toy", root=tmp_path) == tmp_path / "zz"
    finally:
        module.unlink()
    monkeypatch.setattr(corpora, "_REGISTRY", {})


def test_the_lists_match_the_mirror(mirror):
    """The lists were made from the mirror: every id there, and the loaders read them all."""
    assert [u.id for u in datasets.librispeech("sample")] == corpora.ids("librispeech-sample")
    assert [u.id for u in datasets.ljspeech()] == corpora.ids("ljspeech-sample")
    commands = datasets.speech_commands()
    assert len(commands) == 170 and len({u.speaker for u in commands}) == 69
    assert {u.text for u in commands} == set(datasets.DIGIT_WORDS)
    numbers = datasets.alphanumeric_numbers()
    assert [u.speaker for u in numbers] == corpora.ids("alphanumeric")
    assert all(set(u.text.split()) <= set(datasets.DIGIT_WORDS) and u.text for u in numbers)


def _link_tree(src: Path, dst: Path) -> None:
    for path in src.rglob("*"):
        if path.is_file():
            (dst / path.relative_to(src)).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(path, dst / path.relative_to(src))


def test_a_full_archive_gives_the_same_utterances(mirror, tmp_path, monkeypatch):
    """train-clean-100 with a speaker and a chapter more, LJSpeech with rows more: the sets
    read from them are exactly the listed ids, in the listed order."""
    root = tmp_path / "full"
    _link_tree(mirror / "LibriSpeech" / "sample", root / "LibriSpeech" / "train-clean-100")
    extra = root / "LibriSpeech" / "train-clean-100" / "19" / "198"
    extra.mkdir(parents=True)
    (extra / "19-198.trans.txt").write_text("19-198-0000 NOT IN THE SET\n")
    lj = root / "LJSpeech-1.1"
    _link_tree(mirror / "LJSpeech-1.1" / "wavs", lj / "wavs")
    rows = (mirror / "LJSpeech-1.1" / "metadata.csv").read_text(encoding="utf-8")
    (lj / "metadata.csv").write_text("LJ999-0001|Extra row.|Extra row.\n" + rows, encoding="utf-8")
    monkeypatch.setenv("ASRLIB_DATA", str(root))
    monkeypatch.setattr(dl, "fetch", lambda *a, **k: pytest.fail("must not download"))
    libri = datasets.librispeech("sample")
    assert [u.id for u in libri] == corpora.ids("librispeech-sample")
    assert Path(libri[0].path).is_file() and "train-clean-100" in libri[0].path
    assert [u.id for u in datasets.ljspeech()] == corpora.ids("ljspeech-sample")
    assert [r[0] for r in datasets.ljspeech_rows()] == corpora.ids("ljspeech-sample")


def test_an_incomplete_set_is_an_error_not_a_smaller_set(mirror, tmp_path, monkeypatch):
    root = tmp_path / "partial"
    _link_tree(mirror / "LibriSpeech" / "sample" / "4088", root / "LibriSpeech" / "sample" / "4088")
    monkeypatch.setenv("ASRLIB_DATA", str(root))
    with pytest.raises(ManifestError, match=r"of the LibriSpeech sample's 496 utterances"):
        datasets.librispeech("sample")
    assert {u.speaker for u in datasets.librispeech("sample", speakers={"4088"})} == {"4088"}


def test_require_offline_is_one_line_naming_archive_and_size(tmp_path, monkeypatch):
    monkeypatch.setenv("ASRLIB_DATA", str(tmp_path / "nothing"))
    monkeypatch.setenv("ASRLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("ASRLIB_MIRROR", "http://127.0.0.1:9")  # nothing listens on port 9
    said = []
    with pytest.raises(dl.DownloadError) as err:
        corpora.require("fsdd", report=said.append)
    assert "127.0.0.1:9/free-spoken-digit-dataset-1.0.10.tar.gz" in str(err.value)
    assert "ASRLIB_DATA" in str(err.value) and "\n" not in str(err.value)
    assert len(said) == 1 and "20.0 MB" in said[0]
    monkeypatch.setenv("ASRLIB_DOWNLOAD", "0")
    with pytest.raises(dl.DownloadError, match="ASRLIB_DOWNLOAD=0"):
        corpora.require("librispeech-sample", report=said.append)
    assert len(said) == 1  # nothing announced when nothing will be fetched


def test_alphanumeric_text_is_the_prompt_in_digit_words(mirror):
    with open(mirror / "alphanumeric-audio-dataset" / "metadata.csv", newline="") as f:
        prompts = {r["Response_ID"]: r["Number"] for r in csv.DictReader(f)}
    for u in datasets.alphanumeric_numbers()[:5]:
        digits = "".join(str(datasets.DIGIT_WORDS.index(w)) for w in u.text.split())
        assert digits == "".join(c for c in prompts[u.speaker] if c.isdigit())
