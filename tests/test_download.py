"""asrlib.download and asrlib.archives, fully offline: a local HTTP server stands in for
the corpus hosts."""

from __future__ import annotations

import hashlib
import io
import re
import socket
import tarfile
import zipfile
from pathlib import Path

import pytest
from conftest import register, serve_folder

from asrlib import archives, corpora
from asrlib import download as dl
from asrlib.archives import DownloadError, Resource, human_size

MIRROR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = {"recordings/0_alice_0.wav": b"RIFF fake wav 0", "README.md": b"# toy corpus\n"}


def _tar_bytes(members: list[tuple[tarfile.TarInfo, bytes | None]], mode: str = "w:gz") -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode) as tar:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return buf.getvalue()


def _file(name: str, data: bytes) -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _link(name: str, target: str, kind: bytes = tarfile.SYMTYPE) -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    return info, None


def make_tar(top: str, files: dict[str, bytes] = FILES, mode: str = "w:gz") -> bytes:
    """A corpus-like archive: every file under the folder ``top``."""
    return _tar_bytes([_file(f"{top}/{name}", data) for name, data in files.items()], mode)


def make_zip(names: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in names.items():
            zf.writestr(zipfile.ZipInfo(name), data)
    return buf.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def server(tmp_path):
    """Serve ``tmp_path/www`` on 127.0.0.1; ``server.hits`` lists the paths requested."""
    www = tmp_path / "www"
    www.mkdir()
    with serve_folder(www) as httpd:
        yield httpd


@pytest.fixture
def env(tmp_path, monkeypatch):
    """An empty cache in tmp_path, and no ASRLIB_DATA from the outside world."""
    monkeypatch.setenv("ASRLIB_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("ASRLIB_DATA", raising=False)
    return tmp_path / "cache"


def no_network(*args, **kwargs):
    raise AssertionError("fetch() must not be called")


def serve(server, name: str, data: bytes) -> str:
    (server.www / name).write_bytes(data)
    return f"{server.url}/{name}"


# --- cache_dir / sha256sum / the archives ---------------------------------------------------


def test_cache_dir_follows_env_then_home(tmp_path, monkeypatch):
    monkeypatch.setenv("ASRLIB_CACHE", str(tmp_path / "c"))
    assert dl.cache_dir() == tmp_path / "c"
    monkeypatch.delenv("ASRLIB_CACHE")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert dl.cache_dir() == tmp_path / "home" / ".cache" / "asrlib"


def test_sha256sum_matches_hashlib(tmp_path):
    data = bytes(range(256)) * 5000  # 1.28 MB: more than one read chunk
    (tmp_path / "f").write_bytes(data)
    assert dl.sha256sum(tmp_path / "f") == sha(data)


def test_resources_are_official_and_well_formed():
    subsets = ["dev-clean", "dev-other", "test-clean", "test-other"]
    subsets += ["train-clean-100", "train-clean-360", "train-other-500"]
    expected = {"fsdd", "ljspeech", "alphanumeric", "speech-commands", "an4"}
    expected |= {f"librispeech-{s}" for s in subsets}
    archives = corpora.archives()
    assert set(archives) == expected
    for key, res in archives.items():
        assert res.name == key
        # https, or plain http for an archive whose sha256 is pinned (CMU's host serves AN4)
        assert res.url.startswith("https://") or (res.url.startswith("http://") and res.sha256)
        assert res.size and res.file.endswith((".tar.gz", ".tar.bz2", ".zip")), key
        assert res.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", res.sha256), key
    for s in subsets:
        res = corpora.archive(f"librispeech-{s}")
        assert res.url == f"https://www.openslr.org/resources/12/{s}.tar.gz"
        assert res.folder == f"LibriSpeech/{s}"
        assert res.sha256 is not None
    fsdd = corpora.archive("fsdd")
    assert fsdd.folder == "free-spoken-digit-dataset"
    tag = re.search(r"/archive/v([\d.]+)\.tar\.gz$", fsdd.url).group(1)
    assert fsdd.strip == f"free-spoken-digit-dataset-{tag}"  # GitHub's archive top folder
    assert corpora.archive("ljspeech").folder == "LJSpeech-1.1"
    alnum = corpora.archive("alphanumeric")
    assert alnum.url.startswith("https://github.com/Sakshee5/alphanumeric-audio-dataset/archive/")
    assert alnum.strip == "alphanumeric-audio-dataset-main"
    commands = corpora.archive("speech-commands")
    assert commands.file == "speech_commands_v0.02.tar.gz" and commands.into == "speech_commands"


# --- fetch ---------------------------------------------------------------------------------


def test_fetch_downloads_and_verifies(server, tmp_path):
    data = make_tar("toy-1.0")
    url = serve(server, "toy.tar.gz", data)
    path = dl.fetch(url, sha(data), dest_dir=tmp_path / "dl", progress=False)
    assert path == tmp_path / "dl" / "toy.tar.gz"
    assert path.read_bytes() == data
    assert sorted(p.name for p in path.parent.iterdir()) == ["toy.tar.gz"]  # no .part left
    assert server.hits == ["/toy.tar.gz"]


def test_fetch_shows_progress_on_stderr_only(server, tmp_path, capsys):
    data = make_tar("toy-1.0")
    url = serve(server, "toy.tar.gz", data)
    dl.fetch(url, sha(data), dest_dir=tmp_path / "dl", progress=True)
    out, err = capsys.readouterr()
    assert out == ""
    assert "toy.tar.gz" in err


def test_second_fetch_is_a_cache_hit(server, tmp_path):
    data = make_tar("toy-1.0")
    url = serve(server, "toy.tar.gz", data)
    first = dl.fetch(url, sha(data), dest_dir=tmp_path / "dl", progress=False)
    second = dl.fetch(url, sha(data).upper(), dest_dir=tmp_path / "dl", progress=False)
    assert first == second
    assert server.hits == ["/toy.tar.gz"]


def test_corrupt_cached_file_is_downloaded_again(server, tmp_path):
    data = make_tar("toy-1.0")
    url = serve(server, "toy.tar.gz", data)
    (tmp_path / "dl").mkdir()
    (tmp_path / "dl" / "toy.tar.gz").write_bytes(b"half a download")
    path = dl.fetch(url, sha(data), dest_dir=tmp_path / "dl", progress=False)
    assert path.read_bytes() == data
    assert server.hits == ["/toy.tar.gz"]


def test_fetch_uses_cache_dir_and_filename(server, env):
    data = make_tar("toy-1.0")
    url = serve(server, "v1.0.tar.gz", data)
    path = dl.fetch(url, sha(data), progress=False, filename="toy-1.0.tar.gz")
    assert path == env / "downloads" / "toy-1.0.tar.gz"


def test_wrong_checksum_raises_and_leaves_no_file(server, tmp_path):
    data = make_tar("toy-1.0")
    url = serve(server, "toy.tar.gz", data)
    with pytest.raises(DownloadError) as err:
        dl.fetch(url, "0" * 64, dest_dir=tmp_path / "dl", progress=False)
    message = str(err.value)
    assert url in message
    assert "0" * 64 in message  # expected
    assert sha(data) in message  # got
    assert list((tmp_path / "dl").iterdir()) == []


def test_fetch_without_checksum_reports_the_digest(server, tmp_path):
    data = make_tar("toy-1.0")
    url = serve(server, "toy.tar.gz", data)
    with pytest.warns(UserWarning, match=sha(data)):
        path = dl.fetch(url, None, dest_dir=tmp_path / "dl", progress=False)
    assert path.read_bytes() == data
    assert Path(f"{path}.sha256").read_text().split()[0] == sha(data)
    dl.fetch(url, None, dest_dir=tmp_path / "dl", progress=False)  # cached, no new request
    assert server.hits == ["/toy.tar.gz"]


def test_unreachable_host_raises_with_the_fix(tmp_path):
    with socket.socket() as s:  # a port that nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/corpus.tar.gz"
    with pytest.raises(DownloadError) as err:
        dl.fetch(url, None, dest_dir=tmp_path / "dl", progress=False, timeout=5)
    assert url in str(err.value)
    assert "ASRLIB_DATA" in str(err.value)
    assert list((tmp_path / "dl").iterdir()) == []


def test_http_error_raises(server, tmp_path):
    url = f"{server.url}/missing.tar.gz"
    with pytest.raises(DownloadError, match="404"):
        dl.fetch(url, None, dest_dir=tmp_path / "dl", progress=False)
    assert list((tmp_path / "dl").iterdir()) == []


def test_truncated_download_raises(server, tmp_path):
    url = f"{server.url}/truncated.tar.gz"
    with pytest.raises(DownloadError, match=re.escape(url)):
        dl.fetch(url, None, dest_dir=tmp_path / "dl", progress=False, timeout=5)
    assert list((tmp_path / "dl").iterdir()) == []


# --- archives.extract ----------------------------------------------------------------------


@pytest.mark.parametrize(("mode", "suffix"), [("w:gz", ".tar.gz"), ("w:bz2", ".tar.bz2")])
def test_extract_tar(tmp_path, mode, suffix):
    archive = tmp_path / f"toy{suffix}"
    archive.write_bytes(make_tar("toy-1.0", mode=mode))
    dest = tmp_path / "data"
    assert archives.extract(archive, dest, rename={"toy-1.0": "toy"}) == dest
    assert (dest / "toy" / "recordings" / "0_alice_0.wav").read_bytes() == FILES[
        "recordings/0_alice_0.wav"
    ]
    assert (dest / f".complete-{archive.name}").is_file()
    assert sorted(p.name for p in dest.iterdir()) == [f".complete-{archive.name}", "toy"]


def test_extract_zip(tmp_path):
    archive = tmp_path / "toy.zip"
    archive.write_bytes(make_zip({f"toy/{k}": v for k, v in FILES.items()}))
    dest = archives.extract(archive, tmp_path / "data")
    assert (dest / "toy" / "README.md").read_bytes() == FILES["README.md"]
    assert (dest / ".complete-toy.zip").is_file()


def test_extract_merges_folders_shared_by_two_archives(tmp_path):
    dest = tmp_path / "data"
    for subset in ("dev", "test"):
        archive = tmp_path / f"{subset}.tar.gz"
        archive.write_bytes(make_tar(f"Corpus/{subset}"))
        archives.extract(archive, dest)
    assert (dest / "Corpus" / "dev" / "README.md").is_file()
    assert (dest / "Corpus" / "test" / "README.md").is_file()


def test_extract_keeps_links_that_stay_inside(tmp_path):
    archive = tmp_path / "links.tar.gz"
    members = [
        _file("c/a/file.txt", b"x"),
        _link("c/b/link.txt", "../a/file.txt"),
        _link("c/hard.txt", "c/a/file.txt", tarfile.LNKTYPE),
    ]
    archive.write_bytes(_tar_bytes(members))
    dest = archives.extract(archive, tmp_path / "data")
    assert (dest / "c" / "b" / "link.txt").is_symlink()
    assert (dest / "c" / "b" / "link.txt").read_bytes() == b"x"
    assert (dest / "c" / "hard.txt").read_bytes() == b"x"


def _evil_tars(tmp_path: Path) -> dict[str, bytes]:
    absolute = str(tmp_path / "box" / "abs_evil.txt")
    device = tarfile.TarInfo("dev/tty0")
    device.type, device.devmajor, device.devminor = tarfile.CHRTYPE, 4, 0
    ok = _file("ok/first.txt", b"fine")  # a harmless member before the bad one
    # extract() unpacks into tmp_path/box/dest/<staging>/, so "../../../" is tmp_path
    return {
        "dotdot": _tar_bytes([ok, _file("../../../evil.txt", b"pwned")]),
        "nested-dotdot": _tar_bytes([ok, _file("ok/../../../../evil.txt", b"pwned")]),
        "absolute": _tar_bytes([ok, _file(absolute, b"pwned")]),
        "symlink-escape": _tar_bytes(
            [ok, _link("ok/esc", "../../../../outside"), _file("ok/esc/evil.txt", b"pwned")]
        ),
        "symlink-absolute": _tar_bytes(
            [_link("esc", str(tmp_path / "outside")), _file("esc/evil.txt", b"pwned")]
        ),
        "hardlink-escape": _tar_bytes([_link("hard", "../../../outside/target", tarfile.LNKTYPE)]),
        "device": _tar_bytes([ok, (device, None)]),
    }


@pytest.mark.parametrize(
    "case",
    [
        "dotdot",
        "nested-dotdot",
        "absolute",
        "symlink-escape",
        "symlink-absolute",
        "hardlink-escape",
        "device",
    ],
)
def test_extract_rejects_unsafe_tar(tmp_path, case):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "target").write_bytes(b"keep")
    archive = tmp_path / "evil.tar.gz"
    archive.write_bytes(_evil_tars(tmp_path)[case])
    dest = tmp_path / "box" / "dest"
    with pytest.raises(DownloadError, match=re.escape("evil.tar.gz")):
        archives.extract(archive, dest)
    assert sorted(p.name for p in outside.iterdir()) == ["target"]
    assert (outside / "target").read_bytes() == b"keep"
    assert sorted(p.name for p in (tmp_path / "box").iterdir()) == ["dest"]
    assert list(dest.iterdir()) == []  # staging removed, no marker, nothing half-extracted
    assert not (tmp_path / "evil.txt").exists()


@pytest.mark.parametrize("name", ["../evil.txt", "/abs_evil.txt", "ok/../../evil.txt"])
def test_extract_rejects_unsafe_zip(tmp_path, name):
    archive = tmp_path / "evil.zip"
    archive.write_bytes(make_zip({"ok/first.txt": b"fine", name: b"pwned"}))
    dest = tmp_path / "box" / "dest"
    with pytest.raises(DownloadError, match=re.escape("evil.zip")):
        archives.extract(archive, dest)
    assert list(dest.iterdir()) == []
    assert sorted(p.name for p in tmp_path.rglob("evil.txt")) == []


def test_extract_rejects_a_damaged_archive(tmp_path):
    archive = tmp_path / "broken.tar.gz"
    archive.write_bytes(make_tar("toy-1.0")[:-200])
    with pytest.raises(DownloadError, match=re.escape("broken.tar.gz")):
        archives.extract(archive, tmp_path / "data")
    assert list((tmp_path / "data").iterdir()) == []


def test_extract_rejects_a_non_archive(tmp_path):
    archive = tmp_path / "page.tar.gz"
    archive.write_bytes(b"<html>rate limited</html>")
    with pytest.raises(DownloadError, match=re.escape("page.tar.gz")):
        archives.extract(archive, tmp_path / "data")


# --- ensure --------------------------------------------------------------------------------


def test_ensure_downloads_and_extracts_into_the_cache(server, env, monkeypatch):
    data = make_tar("toy-corpus-1.0")
    url = serve(server, "v1.0.tar.gz", data)
    toy = Resource("toy", url, sha(data), "toy-corpus", strip="toy-corpus-1.0")
    register(monkeypatch, toy)
    root = corpora.ensure("toy", progress=False)
    assert root == env / "data"
    wav = root / "toy-corpus" / "recordings" / "0_alice_0.wav"
    assert wav.read_bytes() == FILES["recordings/0_alice_0.wav"]
    assert (env / "downloads" / "v1.0.tar.gz").is_file()
    assert corpora.ensure("toy", progress=False) == root  # second call: found, no request
    assert server.hits == ["/v1.0.tar.gz"]


def test_ensure_merges_subsets_under_one_top_folder(server, env, monkeypatch):
    for subset in ("dev", "test"):
        data = make_tar(f"Corpus/{subset}")
        url = serve(server, f"{subset}.tar.gz", data)
        res = Resource(subset, url, sha(data), f"Corpus/{subset}")
        register(monkeypatch, res)
    dev, test = (corpora.ensure(name, progress=False) for name in ("dev", "test"))
    assert dev == test == env / "data"
    assert (env / "data" / "Corpus" / "dev" / "README.md").is_file()
    assert (env / "data" / "Corpus" / "test" / "README.md").is_file()


def test_ensure_raises_when_the_archive_lacks_the_folder(server, env, monkeypatch):
    data = make_tar("something-else")
    url = serve(server, "toy.tar.gz", data)
    register(monkeypatch, Resource("toy", url, sha(data), "toy-corpus"))
    with pytest.raises(DownloadError, match="toy-corpus"):
        corpora.ensure("toy", progress=False)


def test_ensure_finds_a_local_layout_without_network(tmp_path, env, monkeypatch):
    (tmp_path / "data" / "LibriSpeech" / "dev-clean").mkdir(parents=True)
    monkeypatch.setenv("ASRLIB_DATA", str(tmp_path / "data"))
    monkeypatch.setattr(dl, "fetch", no_network)
    assert corpora.ensure("librispeech-dev-clean") == tmp_path / "data"


def test_ensure_root_argument_comes_first(tmp_path, env, monkeypatch):
    for where in ("env", "arg"):
        (tmp_path / where / "LJSpeech-1.1").mkdir(parents=True)
    monkeypatch.setenv("ASRLIB_DATA", str(tmp_path / "env"))
    monkeypatch.setattr(dl, "fetch", no_network)
    assert corpora.ensure("ljspeech", root=tmp_path / "arg") == tmp_path / "arg"
    assert corpora.ensure("ljspeech", root=str(tmp_path / "nothing-here")) == tmp_path / "env"


def test_ensure_without_download_names_the_missing_folder(tmp_path, env, monkeypatch):
    monkeypatch.setenv("ASRLIB_DATA", str(tmp_path / "empty"))
    monkeypatch.setattr(dl, "fetch", no_network)
    with pytest.raises(DownloadError) as err:
        corpora.ensure("librispeech-test-other", download=False)
    message = str(err.value)
    assert "LibriSpeech/test-other" in message
    assert "ASRLIB_DATA" in message
    assert "download=True" in message
    assert str(tmp_path / "empty") in message


def test_ensure_unknown_name_lists_the_known_ones(env):
    with pytest.raises(ValueError, match="fsdd") as err:
        corpora.ensure("timit")
    assert "librispeech-dev-clean" in str(err.value)
    assert "timit" in str(err.value)


@pytest.mark.skipif(not MIRROR.is_dir(), reason=f"no local corpus mirror at {MIRROR}")
@pytest.mark.parametrize("name", ["fsdd", "ljspeech"])
def test_ensure_finds_the_shared_mirror(env, monkeypatch, name):
    monkeypatch.setattr(dl, "fetch", no_network)
    root = corpora.ensure(name, root=MIRROR, download=False)
    assert root == MIRROR
    folder = root / corpora.archive(name).folder
    audio = folder / ("recordings" if name == "fsdd" else "wavs")
    assert any(audio.glob("*.wav"))


# --- ASRLIB_MIRROR, size-gated automatic downloads ----------------------------------------


def test_mirror_serves_the_archive_under_its_upstream_name(server, env, monkeypatch):
    data = make_tar("toy-corpus-1.0")
    serve(server, "toy-1.0.tar.gz", data)
    official = Resource("toy", "https://example.invalid/files/toy-1.0.tar.gz", sha(data),
                        "toy-corpus", strip="toy-corpus-1.0", size=1000)
    register(monkeypatch, official)
    monkeypatch.setenv("ASRLIB_MIRROR", server.url + "/")
    assert dl.source(official) == (f"{server.url}/toy-1.0.tar.gz", sha(data))
    root = corpora.ensure("toy", progress=False)
    assert (root / "toy-corpus" / "README.md").read_bytes() == FILES["README.md"]
    assert server.hits[-2:] == ["/SHA256SUMS", "/toy-1.0.tar.gz"]  # no sums there: pinned one


def test_a_mirror_without_sums_is_held_to_the_pinned_digest(server, env, monkeypatch):
    serve(server, "toy.tar.gz", make_tar("toy-corpus"))
    pinned = Resource("toy", "https://example.invalid/toy.tar.gz", "0" * 64, "toy-corpus")
    register(monkeypatch, pinned)
    monkeypatch.setenv("ASRLIB_MIRROR", server.url)
    with pytest.raises(DownloadError, match="checksum mismatch"):
        corpora.ensure("toy", progress=False)


def test_a_mirror_may_publish_its_own_sums(server, env, monkeypatch):
    data = make_tar("corpus", mode="w:bz2")
    serve(server, "toy.tar.bz2", data)
    serve(server, "SHA256SUMS", f"{sha(data)}  toy.tar.bz2\n{'1' * 64}  other.zip\n".encode())
    res = Resource("toy", "https://example.invalid/toy.tar.bz2", "0" * 64, "toy/corpus",
                   into="toy")
    register(monkeypatch, res)
    monkeypatch.setenv("ASRLIB_MIRROR", server.url)
    root = corpora.ensure("toy", progress=False)
    assert (root / "toy" / "corpus" / "README.md").is_file()  # `into`: no top folder upstream


def test_a_large_archive_is_named_with_its_size_not_fetched(env, monkeypatch):
    monkeypatch.setattr(dl, "fetch", no_network)
    with pytest.raises(DownloadError) as err:
        corpora.ensure("librispeech-train-clean-100")
    message = str(err.value)
    assert "train-clean-100.tar.gz (6.4 GB)" in message and "download=True" in message
    assert "--download" not in message  # a library message; the command line adds its flag
    assert "\n" not in message


def test_a_small_archive_is_fetched_unless_downloads_are_off(server, env, monkeypatch):
    data = make_tar("toy-corpus")
    url = serve(server, "toy.tar.gz", data)
    register(monkeypatch, Resource("toy", url, sha(data), "toy-corpus",
                                                      size=len(data)))
    monkeypatch.setenv("ASRLIB_DOWNLOAD", "0")
    with pytest.raises(DownloadError, match="ASRLIB_DOWNLOAD=0"):
        corpora.ensure("toy", progress=False)
    assert corpora.ensure("toy", download=True, progress=False).is_dir()  # asked for explicitly


def test_download_error_shows_one_line_in_a_notebook():
    assert DownloadError("fsdd: not here")._render_traceback_() == ["DownloadError: fsdd: not here"]


def test_human_size():
    assert [human_size(n) for n in (999, 20_000_000, 6_387_309_000)] == [
        "999 B", "20.0 MB", "6.4 GB"]


def _zeros_tar(name: str, size: int) -> bytes:
    """A gzipped tar whose one member is ``size`` zero bytes (a few KB compressed)."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo(name)
        info.size = size
        tar.addfile(info, io.BytesIO(bytes(size)))
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["tar", "zip"])
def test_extract_refuses_an_archive_that_would_unpack_past_its_bound(tmp_path, kind):
    """A member declared bigger than the bound is refused before any of it is written."""
    size = 3_000_000
    archive = tmp_path / f"bomb.{'tar.gz' if kind == 'tar' else 'zip'}"
    if kind == "tar":
        archive.write_bytes(_zeros_tar("corpus/a.wav", size))
    else:
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr("corpus/a.wav", bytes(size))
    assert archive.stat().st_size < 100_000
    with pytest.raises(DownloadError, match=r"bomb\..*would unpack to more than 3\.0 MB.*refusing"):
        archives.extract(archive, tmp_path / "out", max_bytes=1_000_000)
    written = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert not written and not list((tmp_path / "out").glob("corpus"))
    assert archives.extract(archive, tmp_path / "ok", max_bytes=size)  # at the bound: unpacked


def test_ensure_bounds_extraction_by_the_corpus_declared_size(server, env, monkeypatch):
    """A mirror serving an archive that inflates far past the corpus's declared size (no sha256
    pinned, as for a GitHub branch archive) fills neither the cache nor the disk."""
    data = _zeros_tar("toy-corpus/huge.wav", 5_000_000)
    url = serve(server, "toy.tar.gz", data)
    register(monkeypatch, Resource("toy", url, None, "toy-corpus", size=len(data)))
    with pytest.raises(DownloadError, match=r"over the .* this corpus can take"):
        corpora.ensure("toy", download=True, progress=False)
    assert not (env / "data" / "toy-corpus").exists()
