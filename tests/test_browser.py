"""Notebook 08 in a real browser: speak digits into a fake microphone, read the transcript.

Headless Chromium (the Debian ``chromium`` package) is driven by Playwright and fed a WAV
of digits spoken by ``theo`` (one of the FSDD voices the shipped model trained on: a check of the
browser path, not of a new voice), built here from the
FSDD recordings in the mirror and never committed, as its microphone. The test opens
notebook 08 in JupyterLab 4, in Notebook 7 and in Voilà, runs it, presses Record, lets the
clip play, presses Stop, and waits until the digits model's transcript on the page reads
the digits. Screenshots go to ``runs/browser/`` (``*-failed.png`` when a step fails).

Spell mode (the AN4 model) gets its own microphone: a recording of AN4's test split that spells
a word (a speaker the AN4 model never heard), checked offline first and written here as a
16 kHz WAV, never committed. In one JupyterLab, notebook 08's app is switched to spell mode and
must read the word from the microphone; then notebook 10's live app, in spell mode, must show
partial transcripts while it plays and the word as its final transcript.

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

import numpy as np
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
# spell mode: after the word, this much of the recording's own background (never digital
# silence, which the AN4 model's per-utterance normalisation is not trained on), so that a
# late Stop still records a quiet room; the offline check reads the word with each of these
SPELL_TAILS = (0.0, 0.3, 0.6, 1.5)


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
        heard = reader.transcribe(samples).strip()  # as the page reads it (textContent.trim())
        assert heard == text, f"offline the model hears {heard!r} for {text!r}: choose other takes"
        paths.append(audio.save(folder_out / f"{text.replace(' ', '_')}.wav", samples))
    return paths[0], audio.load(paths[0]).size / 16_000, paths[1]


def _background(samples: np.ndarray, seconds: float) -> np.ndarray:
    """``seconds`` of the recording's quietest 100 ms, repeated: its room, without speech."""
    win = 1600
    energy = np.convolve(samples ** 2, np.ones(win), "valid")[::160]
    quiet = samples[160 * int(np.argmin(energy)):][:win]
    return np.tile(quiet, int(np.ceil(seconds * 16_000 / win)))[:round(seconds * 16_000)]


@pytest.fixture(scope="module")
def spelling_wav(tmp_path_factory):
    """Spell mode's fake microphone: the first recording of AN4's test split that spells a word
    of four letters or more and that the AN4 model reads right offline as the WAV holds it,
    the word followed by 0, 0.3, 0.6 or 1.5 s of its own background. → (path, seconds of the
    word, the word)."""
    _browser_or_skip()
    if not (MIRROR / "an4").is_dir():
        pytest.skip(f"AN4 not found in the mirror at {MIRROR}")
    reader = Transcriber.from_file(runtime.shipped_model("an4"))
    folder = tmp_path_factory.mktemp("spell")
    for utt in datasets.an4("test"):
        word = reader.bundle.alphabet.normalize(utt.text)
        if len(word.split()) < 4 or any(len(w) > 1 for w in word.split()):
            continue
        clip = utt.load()
        path = audio.save(folder / f"{utt.id}.wav",
                          np.concatenate([clip, _background(clip, SPELL_TAILS[-1])]))
        heard = audio.load(path)
        if all(reader.transcribe(heard[:len(clip) + round(t * 16_000)]) == word
               for t in SPELL_TAILS):
            return path, len(clip) / 16_000, word
    pytest.fail("no spelled word of AN4's test split is read right offline: see SPELL_TAILS")


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
        (settings / "plugin.jupyterlab-settings").write_text(  # and never save the notebook
            json.dumps({"autoStartDefaultKernel": True, "autosave": False}))
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


def _run_all_cells(page, path: str = "") -> None:
    """Wait for the open notebook's kernel (with ``path``: until that notebook is the current
    one), then run all cells through JupyterLab's command registry, as the Run menu does."""
    page.wait_for_function(
        """path => {
             const w = window.jupyterapp && window.jupyterapp.shell.currentWidget;
             const k = w && w.sessionContext && w.sessionContext.session
                       && w.sessionContext.session.kernel;
             return k && k.status === "idle" && (!path || w.context.path === path);
           }""", arg=path, timeout=120_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")


def _wait_for_text(page, selector: str, expected: str, timeout_s: float = 300,
                   first_utterance: bool = False) -> None:
    """Wait until an element matching ``selector`` reads ``expected`` (with
    ``first_utterance``: the first of the live app's finals, which " · " separates)."""
    page.wait_for_function(
        """([selector, expected, first]) => [...document.querySelectorAll(selector)].some(
             e => (first ? e.textContent.split(" · ")[0] : e.textContent).trim() === expected)""",
        arg=[selector, expected, first_utterance], timeout=int(1000 * timeout_s))


def _press_mode(page, label: str) -> None:
    """Press the app's mode button whose label starts with ``label``."""
    button = page.locator(".asrlib-mode button", has_text=label).last
    button.scroll_into_view_if_needed()
    button.click()


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
            _wait_for_text(page, '.asrlib-transcript[data-model="digits"]', EXPECTED)
            heard = EXPECTED
            transcript.scroll_into_view_if_needed()
            page.wait_for_timeout(5000)  # let the plots of the new recording replace the old
            page.screenshot(path=SHOTS / f"{name}.png")
            if upload is not None:
                step = "upload a file"
                page.locator(".asrlib-upload").first.set_input_files(str(upload))
                _wait_for_text(page, '.asrlib-transcript[data-model="digits"]', UPLOAD_EXPECTED)
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


def _live_lab(tmp_path):
    """A JupyterLab server for the live tests, its app object exposed to the page; →
    (server, port, token)."""
    port, token = _free_port(), secrets.token_hex(16)
    server = Server([sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1",
                     f"--port={port}", f"--IdentityProvider.token={token}",
                     f"--ServerApp.root_dir={REPO}", "--allow-root",
                     "--LabApp.expose_app_in_browser=True"],
                    port, tmp_path, f"/api/status?token={token}")
    return server, port, token


def test_live_transcript_grows_before_stop_in_jupyterlab(microphone_wav, tmp_path):
    """Notebook 10 in JupyterLab: while the fake microphone plays, a partial transcript appears
    on the page before Stop is pressed; after Stop the final one reads the digits."""
    from playwright.sync_api import sync_playwright

    wav, seconds, _ = microphone_wav
    server, _, token = _live_lab(tmp_path)
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
                step = "wait for the live app (its stand-in clips' final transcript)"
                record = page.locator(".asrlib-record").last
                record.wait_for(state="visible", timeout=300_000)
                page.locator(".asrlib-live-box .asrlib-final").last.wait_for(timeout=300_000)
                step = "choose the digits mode (the notebook leaves the app in spell mode)"
                _press_mode(page, "digits")
                page.wait_for_function(
                    """() => [...document.querySelectorAll('.asrlib-live-box')]
                              .some(e => /Nothing heard yet/.test(e.textContent))""",
                    timeout=120_000)
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
                _wait_for_text(page, ".asrlib-live-box .asrlib-final", EXPECTED, 120)
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


def test_spell_mode_reads_a_stranger_in_jupyterlab(spelling_wav, tmp_path):
    """Spell mode in one JupyterLab, the microphone spelling a word (an AN4 test speaker):
    notebook 08's app, switched from digits to spell mode, reads the recorded word; then
    notebook 10's live app, in spell mode, shows partial transcripts while the word plays and
    the word as its final transcript."""
    from playwright.sync_api import sync_playwright

    wav, seconds, word = spelling_wav
    server, _, token = _live_lab(tmp_path)
    SHOTS.mkdir(parents=True, exist_ok=True)
    start, times, step, name, page = time.monotonic(), {}, "open notebook 08", "spell", None
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=_chromium_flags(wav))
            context = browser.new_context(viewport={"width": 1280, "height": 1000})
            context.grant_permissions(["microphone"])
            try:
                page = context.new_page()
                page.goto(f"{server.base}/lab/tree/{NOTEBOOK}?token={token}", timeout=120_000)
                step = "notebook 08: run all cells, wait for the stand-in in digits mode"
                _run_all_cells(page, NOTEBOOK)
                page.locator('.asrlib-transcript[data-mode="digits"]').first.wait_for(
                    timeout=300_000)
                step = "notebook 08: press spell, wait for the last clip read again"
                _press_mode(page, "spell")
                page.locator('.asrlib-transcript[data-mode="spell"][data-model="an4"]'
                             ).first.wait_for(timeout=300_000)
                step = "notebook 08: record the spelled word"
                record = page.locator(".asrlib-record").first
                record.scroll_into_view_if_needed()
                record.click()
                page.wait_for_timeout(int(1000 * seconds) + 300)
                page.locator(".asrlib-stop").first.click()
                step = f"notebook 08: wait for {word!r} in spell mode"
                _wait_for_text(page, '.asrlib-transcript[data-mode="spell"][data-model="an4"]',
                               word, 120)
                page.locator(".asrlib-transcript-box").first.scroll_into_view_if_needed()
                page.screenshot(path=SHOTS / "lab-spell.png")
                times["notebook 08"] = time.monotonic() - start
                page.close()

                name, step = "live-spell", "open notebook 10, run all cells"
                page = context.new_page()  # reset: not the workspace that 08 left open
                page.goto(f"{server.base}/lab/tree/{LIVE_NOTEBOOK}?token={token}&reset",
                          timeout=120_000)
                _run_all_cells(page, LIVE_NOTEBOOK)
                step = "notebook 10: wait for the live app's stand-in, press spell"
                record = page.locator(".asrlib-record").last
                record.wait_for(state="visible", timeout=300_000)
                page.locator(".asrlib-live-box .asrlib-final").last.wait_for(timeout=300_000)
                _press_mode(page, "spell")
                page.wait_for_function(
                    """() => [...document.querySelectorAll('.asrlib-live-box [data-mode]')]
                              .some(e => e.dataset.mode === "spell")""", timeout=120_000)
                step = "notebook 10: record, wait for a partial transcript while it plays"
                record.scroll_into_view_if_needed()
                record.click()
                started = time.monotonic()
                page.wait_for_function(
                    """() => [...document.querySelectorAll('.asrlib-live-box .asrlib-partial')]
                              .some(e => /[a-z]/.test(e.textContent))""",
                    timeout=int(1000 * seconds))
                assert page.locator(".asrlib-stop").last.is_enabled()  # Stop not pressed yet
                page.wait_for_timeout(max(0, int(1000 * (seconds + 0.3
                                                         - (time.monotonic() - started)))))
                step = f"notebook 10: stop, wait for the final {word!r}"
                page.locator(".asrlib-stop").last.click()
                _wait_for_text(page, ".asrlib-live-box .asrlib-final", word, 120,
                               first_utterance=True)
                page.locator(".asrlib-live-box").last.scroll_into_view_if_needed()
                page.screenshot(path=SHOTS / "live-spell.png")
                times["notebook 10"] = time.monotonic() - start - times["notebook 08"]
            except Exception:
                if page is not None:
                    page.screenshot(path=SHOTS / f"{name}-failed.png", full_page=True)
                    lines = (page.locator(".asrlib-transcript-box").all_text_contents()
                             + page.locator(".asrlib-live-box").all_text_contents())
                else:
                    lines = []
                raise AssertionError(f"{name}: failed to {step}; transcripts {lines}; "
                                     f"screenshot in {SHOTS}, server log in "
                                     f"{tmp_path / 'server.log'}") from None
            finally:
                browser.close()
    finally:
        server.stop()
    print(f"spell mode read {word!r}: " + ", ".join(f"{k} in {v:.0f} s" for k, v in times.items()))
