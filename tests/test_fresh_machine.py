"""A fresh machine, with a stand-in for the internet.

A clean copy of the checkout (no ``../shared`` beside it), no ``ASRLIB_DATA``, an empty
cache, and ``ASRLIB_MIRROR`` pointing at a loopback HTTP server that serves archives built
from the local mirror in the upstream formats (FSDD's GitHub release tarball, CMU's
``an4_sphere.tar.gz``, LibriSpeech's ``train-clean-100.tar.gz``, ``LJSpeech-1.1.tar.bz2``, the
alphanumeric GitHub zip, the Speech Commands tarball). There, ``make demo`` runs offline and
online, notebooks 00, 01 and 02 run in FAST mode and fetch what they read (FSDD and AN4, no
more), and what was downloaded is checked against what the notebooks read. The installed
virtual environment is reused (installing is not under test).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest
from conftest import MIRROR, REPO, serve_folder

from asrlib import corpora, datasets
from asrlib import download as dl

pytestmark = pytest.mark.skipif(
    not (MIRROR / "LibriSpeech" / "sample").is_dir(), reason=f"no speech mirror at {MIRROR}"
)
VENV = Path(sys.prefix)
NOTEBOOKS = ["00_introduction", "01_audio_and_mfcc", "02_text_and_batches"]


def _sha(path: Path) -> str:
    return dl.sha256sum(path)


def _tar(out: Path, members: dict[str, Path], mode: str) -> None:
    kw = {"compresslevel": 1}
    with tarfile.open(out, mode, **kw) as tar:
        for name, path in sorted(members.items()):
            tar.add(path, arcname=name, recursive=False)


def _tree(folder: Path, prefix: str) -> dict[str, Path]:
    return {f"{prefix}{p.relative_to(folder).as_posix()}": p
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build_archives(www: Path) -> dict[str, int]:
    """The mirror's corpora as the official archives (same names and layouts); {file: bytes}."""
    res = corpora.archives()
    _tar(www / res["fsdd"].file,
         _tree(MIRROR / "free-spoken-digit-dataset", f"{res['fsdd'].strip}/"), "w:gz")
    _tar(www / res["librispeech-train-clean-100"].file,
         _tree(MIRROR / "LibriSpeech" / "sample", "LibriSpeech/train-clean-100/"), "w:gz")
    _tar(www / res["ljspeech"].file, _tree(MIRROR / "LJSpeech-1.1", "LJSpeech-1.1/"), "w:bz2")
    _tar(www / res["speech-commands"].file, _tree(MIRROR / "speech_commands", ""), "w:gz")
    _tar(www / res["an4"].file, _tree(MIRROR / "an4", "an4/"), "w:gz")
    with zipfile.ZipFile(www / res["alphanumeric"].file, "w", zipfile.ZIP_DEFLATED, True, 1) as z:
        for name, path in _tree(MIRROR / "alphanumeric-audio-dataset",
                                f"{res['alphanumeric'].strip}/").items():
            z.write(path, name)
    sums = {p.name: _sha(p) for p in sorted(www.iterdir())}
    (www / "SHA256SUMS").write_text("".join(f"{d}  {n}\n" for n, d in sums.items()))
    return {name: (www / name).stat().st_size for name in sums}


def clean_copy(clone: Path) -> None:
    """Copy what ``git ls-files`` lists (tracked and untracked, not ignored) into ``clone``;
    the reused virtual environment counts as installed there."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        if (REPO / rel).is_file():
            (clone / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO / rel, clone / rel)
    for name in ("requirements.txt", "pyproject.toml"):
        os.utime(clone / name, (0, 0))


def fresh_env(base: Path, clone: Path) -> dict:
    """This environment without asrlib's settings (no ASRLIB_DATA: nothing local), with an
    empty cache, home and matplotlib folder under ``base``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ASRLIB_", "PYTEST", "JUPYTER", "IPYTHON"))}
    env.update(ASRLIB_CACHE=str(base / "cache"), PYTHONPATH=str(clone), HOME=str(base / "home"),
               MPLCONFIGDIR=str(base / "mpl"), TF_CPP_MIN_LOG_LEVEL="3")
    return env


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """(checkout copy, environment, server): the copy holds what `git ls-files` lists."""
    base = tmp_path_factory.mktemp("fresh-machine")
    clone = base / "asr-notebooks"
    clean_copy(clone)
    www = base / "www"
    www.mkdir()
    t0 = time.perf_counter()
    sizes = build_archives(www)
    print(f"\nbuilt {len(sizes)} archives, {sum(sizes.values()) / 1e6:.1f} MB in "
          f"{time.perf_counter() - t0:.1f} s: {sizes}")
    env = fresh_env(base, clone)
    with serve_folder(www) as server:
        server.sizes = sizes
        yield clone, env, server


def _make(clone: Path, env: dict, *targets: str, timeout: int = 900) -> str:
    t0 = time.perf_counter()
    run = subprocess.run(["make", "-s", *targets, f"VENV={VENV}"], cwd=clone, env=env,
                         capture_output=True, text=True, timeout=timeout)
    took = time.perf_counter() - t0
    print(f"$ make {' '.join(targets)}  ({took:.0f} s, rc {run.returncode})\n{run.stdout}")
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-3000:]
    return run.stdout


def test_make_demo_without_corpus_or_network(fresh):
    clone, env, _ = fresh
    offline = {**env, "ASRLIB_MIRROR": "http://127.0.0.1:9"}  # nothing listens: no network
    out = _make(clone, offline, "demo")
    assert "isolated digits" in out and "phone numbers" in out and out.count("WER ") == 2
    assert "skipped theo's held-out FSDD strings: could not download" in out
    assert not (Path(env["ASRLIB_CACHE"]) / "data").exists()


def test_notebooks_fetch_what_they_read_on_first_use(fresh):
    clone, env, server = fresh
    online = {**env, "ASRLIB_MIRROR": server.url}
    out = _make(clone, online, "demo")  # FSDD is small: the demo fetches it and adds theo
    assert out.count("WER ") == 3 and "FSDD strings of theo" in out
    paths = " ".join(f"notebooks/{nb}.ipynb" for nb in NOTEBOOKS)
    _make(clone, online, "notebooks", f"NB={paths}", timeout=1500)
    fetched = [hit for hit in server.hits if hit != "/SHA256SUMS"]
    print("served:", {hit: server.sent.get(hit) for hit in fetched})
    expected = {"/" + corpora.archive(name).file for name in ("fsdd", "an4")}
    assert sorted(fetched) == sorted(expected), "each archive fetched once, nothing else"
    for hit in fetched:
        assert server.sent[hit] == server.sizes[hit[1:]], f"{hit}: sent in full"
    outputs = {}
    for nb in NOTEBOOKS:
        cells = json.loads((clone / "notebooks" / f"{nb}.ipynb").read_text())["cells"]
        text = "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))
        errors = [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
        assert not errors, f"{nb}: {errors[0]}"
        outputs[nb] = text
    assert "an4_train.transcription, 948 lines" in outputs["02_text_and_batches"]
    assert "AN4 test                        117" in outputs["02_text_and_batches"]
    assert "found in the download cache" in outputs["00_introduction"]


def test_what_was_downloaded_is_what_the_notebooks_read(fresh, monkeypatch):
    _, env, server = fresh
    cache = Path(env["ASRLIB_CACHE"])
    for name in ("fsdd", "an4"):
        archive = cache / "downloads" / corpora.archive(name).file
        assert _sha(archive) == _sha(server.www / archive.name), archive.name
    monkeypatch.setenv("ASRLIB_CACHE", str(cache))
    monkeypatch.delenv("ASRLIB_DATA", raising=False)
    monkeypatch.setenv("ASRLIB_DOWNLOAD", "0")
    for name in ("fsdd", "an4"):
        assert cache in corpora.find(name).parents, name
    got = {"an4-train": datasets.an4("train"), "an4-test": datasets.an4("test"),
           "fsdd": datasets.fsdd()}
    assert len(got["an4-train"]) == 948 and len(got["an4-test"]) == 117
    assert len(got["fsdd"]) == 3000
    monkeypatch.setenv("ASRLIB_DATA", str(MIRROR))
    monkeypatch.setenv("ASRLIB_CACHE", str(cache.parent / "unused"))
    same = {"an4-train": datasets.an4("train"), "an4-test": datasets.an4("test"),
            "fsdd": datasets.fsdd()}
    for key, utts in got.items():
        assert [(u.id, u.text) for u in utts] == [(u.id, u.text) for u in same[key]], key
        for u, m in zip(utts, same[key]):
            digest = hashlib.sha256(Path(u.path).read_bytes()).digest()
            assert digest == hashlib.sha256(Path(m.path).read_bytes()).digest(), u.path


def test_the_sentence_archives_unpack_to_the_same_sets(fresh, monkeypatch):
    """The lessons no longer read LibriSpeech or LJSpeech (09 and 11 fetch them when asked):
    fetch both from the loopback host and check the loaders read the mirror's utterances."""
    _, env, server = fresh
    cache = Path(env["ASRLIB_CACHE"]).parent / "sentences-cache"
    monkeypatch.setenv("ASRLIB_CACHE", str(cache))
    monkeypatch.setenv("ASRLIB_MIRROR", server.url)
    monkeypatch.delenv("ASRLIB_DATA", raising=False)
    libri = datasets.librispeech("sample", download=True)
    lj = datasets.ljspeech(download=True)
    assert [u.id for u in libri] == corpora.ids("librispeech-sample")
    assert [u.id for u in lj] == corpora.ids("ljspeech-sample")
    monkeypatch.setenv("ASRLIB_DATA", str(MIRROR))
    for got, same in ((libri, datasets.librispeech("sample")), (lj, datasets.ljspeech())):
        assert [(u.id, u.text) for u in got] == [(u.id, u.text) for u in same]
        assert cache in Path(got[0].path).parents
        assert all(Path(u.path).read_bytes() == Path(m.path).read_bytes()
                   for u, m in zip(got, same))


def test_the_many_voice_archives_unpack_to_the_same_sets(fresh, monkeypatch):
    """No notebook reads them yet: fetch the alphanumeric zip and the Speech Commands tarball
    from the loopback host and check the loaders read the mirror's utterances from them."""
    _, env, server = fresh
    cache = Path(env["ASRLIB_CACHE"]).parent / "many-voices-cache"
    monkeypatch.setenv("ASRLIB_CACHE", str(cache))
    monkeypatch.setenv("ASRLIB_MIRROR", server.url)
    monkeypatch.delenv("ASRLIB_DATA", raising=False)
    numbers = datasets.alphanumeric_numbers(download=True)  # about 150 MB upstream
    commands = datasets.speech_commands(download=True)  # 2.4 GB upstream: only when asked
    for name in ("alphanumeric", "speech-commands"):
        assert "/" + corpora.archive(name).file in server.hits, name
    monkeypatch.setenv("ASRLIB_DATA", str(MIRROR))
    for got, same in ((numbers, datasets.alphanumeric_numbers()),
                      (commands, datasets.speech_commands())):
        assert [(u.id, u.text) for u in got] == [(u.id, u.text) for u in same]
        assert cache in Path(got[0].path).parents
        assert all(Path(u.path).read_bytes() == Path(m.path).read_bytes()
                   for u, m in zip(got, same))
