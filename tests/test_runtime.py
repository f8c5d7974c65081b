"""runtime: the FAST switch, seeding, versions, shipped models; plots draw without error."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest

from asrlib import checks, files, plots, runtime
from asrlib.text import Alphabet


@pytest.mark.parametrize(("value", "fast"), [("1", True), ("yes", True), ("0", False),
                                             ("", True), (None, True), ("false", False),
                                             ("off", False)])
def test_fast_mode(monkeypatch, value, fast):
    """FAST is the default: a student sees the numbers the stored outputs show."""
    if value is None:
        monkeypatch.delenv(runtime.FAST_ENV, raising=False)
    else:
        monkeypatch.setenv(runtime.FAST_ENV, value)
    assert runtime.fast_mode() is fast
    assert runtime.setup().fast is fast
    assert runtime.setup().pick("small", "big") == ("small" if fast else "big")


def test_the_setup_line_says_the_mode_and_both_times(tmp_path, capsys, monkeypatch):
    log = tmp_path / "times.log"
    log.write_text("# header\nnotebook mode wall time\n05_training  fast  298.0 s\n"
                   "05_training  full  1210.4 s\n06_decoding  fast  40.2 s\n")
    times = runtime.notebook_times(log)
    assert times == {("05_training", "fast"): 298.0, ("05_training", "full"): 1210.4,
                     ("06_decoding", "fast"): 40.2}
    fast = runtime.mode_line("05_training", True, times)
    assert fast.startswith("FAST mode (the default)") and "ASRLIB_FAST=0" in fast
    assert "about 20 min for this notebook on a 2-core laptop" in fast
    full = runtime.mode_line("05_training", False, times)
    assert full.startswith("Full mode") and "differ from the book's" in full
    assert "takes about 5 min for this notebook" in full
    assert "about" not in runtime.mode_line("06_decoding", True, times)  # no full time measured
    assert runtime.notebook_times(tmp_path / "none.log") == {}
    monkeypatch.delenv(runtime.FAST_ENV, raising=False)
    runtime.setup(notebook="99_nothing")
    assert capsys.readouterr().out.startswith("FAST mode (the default)")


def test_setup_seeds_everything():
    import keras

    runtime.setup(seed=3)
    a = (np.random.rand(), keras.random.uniform((2,)).numpy().tolist())
    runtime.setup(seed=3)
    assert a == (np.random.rand(), keras.random.uniform((2,)).numpy().tolist())


def test_versions_and_shipped_models():
    v = runtime.versions()
    assert v["keras"].startswith("3.") and v["python"].startswith("3.")
    assert runtime.shipped_model("digits").suffix == ".keras"
    with pytest.raises(ValueError, match="choose one of"):
        runtime.shipped_model("klingon")


def test_plots_draw(rng):
    import matplotlib.pyplot as plt

    alphabet = Alphabet()
    probs = rng.dirichlet(np.ones(len(alphabet)), size=20)
    plots.style()
    assert plots.waveform(rng.normal(size=1600)) is not None
    assert plots.matrix(rng.normal(size=(30, 13)), colorbar="x") is not None
    assert plots.posteriorgram(probs, alphabet) is not None
    log_alpha = np.log(rng.uniform(size=(20, 5)))
    log_alpha[0, 3:] = -np.inf
    assert plots.ctc_lattice(log_alpha, [1, 2], alphabet, path=[0] * 20) is not None
    assert plots.curves({"loss": [3, 2, 1]}, ["loss", "missing"]) is not None
    assert plots.feature_maps(rng.normal(size=(30, 13, 5)), n=5).shape == (2, 4)
    assert plots.flow(["a", "b", "c"], highlight=(1,)) is not None
    plt.close("all")


def test_check_helpers(capsys):
    assert checks.report("E", True, praise="well done") is True
    assert "✅ E: correct. well done" in capsys.readouterr().out
    assert checks.report("E", False, hint="try again") is False
    assert "❌ E: not yet. Hint: try again" in capsys.readouterr().out
    assert checks.untried("E", ...) and checks.untried("E", None) and not checks.untried("E", 0)
    assert checks.close([1.0, 2.0], [1.0, 2.0 + 1e-7]) and not checks.close([1.0], [1.0, 2.0])
    assert not checks.close("abc", [1.0])


def test_temp_sibling_is_unique_beside_the_file_and_keeps_the_suffix(tmp_path):
    # several processes write one feature cache at once (multi-worker training): a fixed
    # temporary name let one worker's os.replace move the file from under another's feet
    target = tmp_path / "features" / "abc.npz"
    names = {files.temp_sibling(target, ".npz") for _ in range(50)}
    assert len(names) == 50
    for name in names:
        assert name.parent == target.parent and name.name.endswith(".tmp.npz")
        assert name.name.startswith(".abc.npz.")


@pytest.mark.parametrize("message, expected", [
    ("model.keras: model file not found", "model.keras: model file not found"),
    ("Layer 'lstm' expected 3 variables\n  received 0\n\nDetails: …",
     "Layer 'lstm' expected 3 variables"),
    ("\n   \nthe summary   after blank lines\nmore", "the summary after blank lines"),
    ("", "ValueError"),
])
def test_one_line_is_the_first_nonempty_line(message, expected):
    assert files.one_line(ValueError(message)) == expected


def test_one_line_caps_the_length():
    line = files.one_line(RuntimeError("x" * 1000), limit=50)
    assert line == "x" * 50 + "…" and "\n" not in line


def test_one_line_names_the_flag_for_a_command_line_user():
    err = ValueError("fsdd: not found. Allow the download (download=True) to fetch it")
    assert "--download" not in files.one_line(err)
    assert "download=True; on the command line --download" in files.one_line(err,
                                                                             command_line=True)


def test_student_model_lives_in_the_ignored_runs_folder():
    path = runtime.student_model()
    assert path == runtime.REPO / "runs" / "student" / "digits.keras"
    assert "/runs/" in (runtime.REPO / ".gitignore").read_text()
