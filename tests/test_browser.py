"""Notebook 08 in a real browser: speak digits into a fake microphone, read the transcript.

Headless Chromium (the Debian ``chromium`` package) is driven by Playwright and fed a WAV
of digits spoken by ``theo`` (one of the FSDD voices the shipped model trained on: a check of the
browser path, not of a new voice), built here from the
FSDD recordings in the mirror and never committed, as its microphone. The test opens
notebook 08 in JupyterLab 4, in Notebook 7 and in Voilà, runs it, presses Record, lets the
clip play, presses Stop, and waits until the digits model's transcript on the page reads
the digits. Screenshots go to ``runs/browser/`` (``*-failed.png`` when a step fails).

Skipped when Chromium or Playwright is missing, except under CI (``CI`` set), where
``.ci/run`` installs them and a missing one is a failure.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from asrlib import audio, corpora, datasets, runtime
from asrlib.transcriber import Transcriber

REPO = Path(__file__).resolve().parents[1]
NOTEBOOK = "notebooks/08_record_your_voice.ipynb"
SHOTS = REPO / "runs" / "browser"
MIRROR = Path(os.environ.get("ASRLIB_DATA", REPO.parent / "shared" / "data"))
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# four, one, seven spoken by theo: takes the fine-tuning section of notebook 08 never uses
TAKES = ("4_theo_40", "1_theo_41", "7_theo_42")
EXPECTED = "four one seven"
UPLOAD_TAKES, UPLOAD_EXPECTED = ("2_theo_47", "9_theo_48"), "two nine"  # the upload fallback
PAUSES = (0.4, 0.3, 0.3, 1.6)  # seconds: lead-in, between the digits, tail


def _browser_or_skip():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing = "playwright (pip install playwright)"
    else:
        missing = None if os.path.exists(CHROMIUM) else "chromium (apt-get install chromium)"
    if missing and os.environ.get("CI"):
        pytest.fail(f"the browser test needs {missing}; .ci/run installs it")
    if missing:
        pytest.skip(f"needs {missing}")


@pytest.fixture(scope="module")
def microphone_wav(tmp_path_factory):
    """The fake microphone's WAV, checked to transcribe correctly offline first."""
    _browser_or_skip()
    if not (MIRROR / "free-spoken-digit-dataset").is_dir():
        pytest.skip(f"speech mirror not found at {MIRROR}")
    folder = corpora.locate("fsdd") / "recordings"
    reader = Transcriber.from_file(runtime.shipped_model("digits"))
    folder_out = tmp_path_factory.mktemp("mic")
    paths = []
    for takes, text in ((TAKES, EXPECTED), (UPLOAD_TAKES, UPLOAD_EXPECTED)):
        clip = datasets.Utterance(text, text, "theo", pauses=PAUSES[: len(takes)] + PAUSES[-1:],
                                  parts=tuple(str(folder / f"{t}.wav") for t in takes))
        samples = clip.load()
        heard = reader.transcribe(samples)
        assert heard == text, f"offline the model hears {heard!r} for {text!r}: choose other takes"
        paths.append(audio.save(folder_out / f"{text.replace(' ', '_')}.wav", samples))
    return paths[0], audio.load(paths[0]).size / 16_000, paths[1]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A Jupyter or Voilà server in its own process group, with its own settings folders."""

    def __init__(self, args, port, tmp: Path, ready_path: str | None = None):
        """``ready_path``: an URL path that answers once the server is up (None: wait for
        the port to accept connections, for Voilà, whose pages run the notebook)."""
        env = {**os.environ, "ASRLIB_FAST": "1", "JUPYTER_CONFIG_DIR": str(tmp / "config"),
               "JUPYTER_RUNTIME_DIR": str(tmp / "runtime"), "IPYTHONDIR": str(tmp / "ipython"),
               "MPLCONFIGDIR": str(tmp / "mpl"), "JUPYTERLAB_SETTINGS_DIR": str(tmp / "lab"),
               "JUPYTERLAB_WORKSPACES_DIR": str(tmp / "workspaces")}
        settings = tmp / "lab" / "@jupyterlab" / "docmanager-extension"
        settings.mkdir(parents=True, exist_ok=True)  # no kernel dialog when a notebook opens
        (settings / "plugin.jupyterlab-settings").write_text(
            json.dumps({"autoStartDefaultKernel": True}))
        news = tmp / "lab" / "@jupyterlab" / "apputils-extension"
        news.mkdir(parents=True, exist_ok=True)  # no "get news?" toast over the screenshots
        (news / "notification.jupyterlab-settings").write_text(json.dumps({"fetchNews": "false"}))
        self.log = open(tmp / "server.log", "w")  # closed in stop()
        self.proc = subprocess.Popen(args, cwd=REPO, env=env, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: see {tmp / 'server.log'}")
            try:
                if ready_path is None:
                    socket.create_connection(("127.0.0.1", port), timeout=2).close()
                else:
                    urllib.request.urlopen(self.base + ready_path, timeout=2)
                return
            except OSError:
                time.sleep(1)
        self.stop()
        raise RuntimeError(f"server did not answer in 90 s: see {tmp / 'server.log'}")

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def _chromium_flags(wav) -> list[str]:
    """Headless Chromium with ``wav`` as its microphone, allowed without asking."""
    return ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={wav}",
            "--autoplay-policy=no-user-gesture-required"]


def _run_all_cells(page) -> None:
    """Wait for the open notebook's kernel, then run all cells through JupyterLab's command
    registry, as the Run menu does."""
    page.wait_for_function(
        """() => {
             const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
             const k = w && w.sessionContext && w.sessionContext.session
                       && w.sessionContext.session.kernel;
             return k && k.status === "idle";
           }""", timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def _record_and_read(wav, seconds, url, name, run_all: bool, tmp: Path, upload=None):
    """Open ``url``, (run all cells), record the fake microphone, return the transcript;
    with ``upload`` (a WAV path) also upload it and wait for its transcript."""
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(parents=True, exist_ok=True)
    flags = _chromium_flags(wav)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        context.grant_permissions(["microphone"])
        page = context.new_page()
        step = "open the page"
        try:
            page.goto(url, timeout=120_000)
            if run_all:  # through the app's command registry, as the Run menu does
                step = "wait for the notebook's kernel, run all cells"
                _run_all_cells(page)
            step = "wait for the recorder"
            record = page.locator(".asrlib-record").first
            record.wait_for(state="visible", timeout=300_000)
            transcript = page.locator('.asrlib-transcript[data-model="digits"]').first
            transcript.wait_for(timeout=300_000)  # the stand-in clip's transcript
            step = "record"
            record.scroll_into_view_if_needed()
            record.click()
            page.wait_for_timeout(int(1000 * seconds) + 300)
            page.locator(".asrlib-stop").first.click()
            step = "wait for the transcript"
            page.wait_for_function(
                """expected => [...document.querySelectorAll(
                       '.asrlib-transcript[data-model="digits"]')]
                     .some(e => e.textContent.trim() === expected)""",
                arg=EXPECTED, timeout=300_000)
            heard = EXPECTED
            transcript.scroll_into_view_if_needed()
            page.wait_for_timeout(5000)  # let the plots of the new recording replace the old
            page.screenshot(path=SHOTS / f"{name}.png")
            if upload is not None:
                step = "upload a file"
                page.locator(".asrlib-upload").first.set_input_files(str(upload))
                page.wait_for_function(
                    """expected => [...document.querySelectorAll(
                           '.asrlib-transcript[data-model="digits"]')]
                         .some(e => e.textContent.trim() === expected)""",
                    arg=UPLOAD_EXPECTED, timeout=300_000)
            return heard
        except Exception:
            page.screenshot(path=SHOTS / f"{name}-failed.png", full_page=True)
            status = page.locator(".asrlib-status").all_text_contents()
            texts = page.locator(".asrlib-transcript").all_text_contents()
            raise AssertionError(f"{name}: failed to {step}; recorder status {status}, "
                                 f"transcripts {texts}; screenshot in {SHOTS}, server log in "
                                 f"{tmp / 'server.log'}") from None
        finally:
            browser.close()


@pytest.mark.parametrize("frontend", ["lab", "notebook7"])
def test_jupyter_transcribes_the_microphone(frontend, microphone_wav, tmp_path):
    wav, seconds, upload = microphone_wav
    port, token = _free_port(), secrets.token_hex(16)
    server = Server([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
                     f"--port={port}", f"--IdentityProvider.token={token}",
                     f"--ServerApp.root_dir={REPO}", "--allow-root",
                     "--LabApp.expose_app_in_browser=True",
                     "--JupyterNotebookApp.expose_app_in_browser=True"],
                    port, tmp_path, f"/api/status?token={token}")
    try:
        path = "lab/tree" if frontend == "lab" else "notebooks"
        url = f"{server.base}/{path}/{NOTEBOOK}?token={token}"
        start = time.monotonic()
        heard = _record_and_read(wav, seconds, url, frontend, True, tmp_path,
                                 upload if frontend == "lab" else None)
        print(f"{frontend}: read {heard!r} in {time.monotonic() - start:.0f} s")
    finally:
        server.stop()
    assert heard == EXPECTED


def test_voila_app_transcribes_the_microphone(microphone_wav, tmp_path):
    wav, seconds, _ = microphone_wav
    port = _free_port()
    server = Server([sys.executable, "-m", "voila", NOTEBOOK, "--no-browser",
                     f"--port={port}", "--Voila.ip=127.0.0.1"], port, tmp_path)
    try:
        start = time.monotonic()
        heard = _record_and_read(wav, seconds, server.base + "/", "voila", False, tmp_path)
        print(f"voila: read {heard!r} in {time.monotonic() - start:.0f} s")
    finally:
        server.stop()
    assert heard == EXPECTED


LIVE_NOTEBOOK = "notebooks/10_live_transcription.ipynb"


def test_live_transcript_grows_before_stop_in_jupyterlab(microphone_wav, tmp_path):
    """Notebook 10 in JupyterLab: while the fake microphone plays, a partial transcript appears
    on the page before Stop is pressed; after Stop the final one reads the digits."""
    from playwright.sync_api import sync_playwright

    wav, seconds, _ = microphone_wav
    port, token = _free_port(), secrets.token_hex(16)
    server = Server([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
                     f"--port={port}", f"--IdentityProvider.token={token}",
                     f"--ServerApp.root_dir={REPO}", "--allow-root",
                     "--LabApp.expose_app_in_browser=True"],
                    port, tmp_path, f"/api/status?token={token}")
    SHOTS.mkdir(parents=True, exist_ok=True)
    flags = _chromium_flags(wav)
    step = "open the page"
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=flags)
            page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
            try:
                page.goto(f"{server.base}/lab/tree/{LIVE_NOTEBOOK}?token={token}",
                          timeout=120_000)
                step = "wait for the notebook's kernel, run all cells"
                _run_all_cells(page)
                step = "wait for the live app (its stand-in clip's final transcript)"
                record = page.locator(".asrlib-record").last
                record.wait_for(state="visible", timeout=300_000)
                page.locator(".asrlib-live-box .asrlib-final").last.wait_for(timeout=300_000)
                step = "record"
                record.scroll_into_view_if_needed()
                record.click()
                started = time.monotonic()
                step = "wait for a partial transcript while recording"
                page.wait_for_function(
                    """() => [...document.querySelectorAll('.asrlib-live-box .asrlib-partial')]
                              .some(e => /[a-z]/.test(e.textContent))""",
                    timeout=int(1000 * seconds))
                assert page.locator(".asrlib-stop").last.is_enabled()  # Stop not pressed yet
                page.locator(".asrlib-live-box").last.scroll_into_view_if_needed()
                with contextlib.suppress(Exception):  # the picture: two words, if they come
                    page.wait_for_function(
                        """() => [...document.querySelectorAll('.asrlib-live-box .asrlib-partial')]
                                  .some(e => /[a-z]+ [a-z]/.test(e.textContent))""",
                        timeout=max(1, int(1000 * (seconds - (time.monotonic() - started)))))
                page.screenshot(path=SHOTS / "live-partial.png")
                left = seconds + 0.3 - (time.monotonic() - started)  # the clip, once
                page.wait_for_timeout(max(0, int(1000 * left)))
                step = "stop and wait for the final transcript"
                page.locator(".asrlib-stop").last.click()
                page.wait_for_function(
                    """expected => [...document.querySelectorAll(
                           '.asrlib-live-box .asrlib-final')]
                         .some(e => e.textContent.trim() === expected)""",
                    arg=EXPECTED, timeout=120_000)
                page.locator(".asrlib-live-box").last.scroll_into_view_if_needed()
                page.screenshot(path=SHOTS / "live-final.png")
            except Exception:
                page.screenshot(path=SHOTS / "live-failed.png", full_page=True)
                lines = page.locator(".asrlib-live-box").all_text_contents()
                raise AssertionError(f"live: failed to {step}; live lines {lines}; screenshot "
                                     f"in {SHOTS}, server log in {tmp_path / 'server.log'}"
                                     ) from None
            finally:
                browser.close()
    finally:
        server.stop()
