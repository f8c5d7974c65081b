"""tf.distribute: strategy set-up, and two real CPU workers on 127.0.0.1.

The two-worker tests start ``python -m asrlib train --strategy multiworker`` twice
with a ``TF_CONFIG`` naming free loopback ports, on real connected digits, and
bound every process in time (a hung collective must fail the test, not CI).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from asrlib import distribute

TIMEOUT = 150  # seconds for any one training process; a healthy one needs ~30-60


# --- set-up and arithmetic -------------------------------------------------------------------


def test_tf_config_is_read_and_checked():
    assert distribute.read_tf_config({}) == distribute.Worker(0, 1)
    conf = {"cluster": {"worker": ["a:1", "b:2"]}, "task": {"type": "worker", "index": 1}}
    me = distribute.read_tf_config({"TF_CONFIG": json.dumps(conf)})
    assert (me.index, me.count, me.is_chief) == (1, 2, False)
    for bad, says in (
        ("{not json", "TF_CONFIG is not valid"),
        (json.dumps({"task": {"index": 0}}), "TF_CONFIG is not valid"),
        (json.dumps({**conf, "task": {"type": "worker", "index": 5}}), "outside the 2 workers"),
        (json.dumps({**conf, "task": {"type": "ps", "index": 0}}), "only 'worker'"),
    ):
        with pytest.raises(distribute.DistributeError, match=says):
            distribute.read_tf_config({"TF_CONFIG": bad})


def test_batch_and_learning_rate_arithmetic():
    assert distribute.check_batch(32, 2) == 16
    with pytest.raises(distribute.DistributeError, match="does not split evenly over 3"):
        distribute.check_batch(32, 3)
    assert distribute.scale_learning_rate(1e-3, 64, 32) == pytest.approx(2e-3)


def test_strategies_on_one_cpu(monkeypatch):
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert distribute.make_strategy("default").num_replicas_in_sync == 1
    assert distribute.make_strategy("mirrored").num_replicas_in_sync == 1  # no GPU here
    with pytest.raises(distribute.DistributeError, match="needs the TF_CONFIG"):
        distribute.make_strategy("multiworker")
    with pytest.raises(distribute.DistributeError, match="unknown strategy"):
        distribute.make_strategy("parameter-server")


def test_cli_train_rejects_bad_distribution_options(capsys, monkeypatch):
    from asrlib import cli

    monkeypatch.setenv("TF_CONFIG", "{broken")
    assert cli.main(["train", "--out", "x.keras", "--strategy", "multiworker"]) == 2
    assert "TF_CONFIG is not valid" in capsys.readouterr().err


# --- two real workers ------------------------------------------------------------------------


def free_ports(n: int) -> list[int]:
    socks = [socket.socket() for _ in range(n)]
    for s in socks:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def train_command(out: Path, strategy: str, epochs: int, n_train: int, extra=()) -> list[str]:
    return [
        sys.executable, "-m", "asrlib", "train", "--data", "digits", "--n-train", str(n_train),
        "--n-val", "8", "--n-test", "0", "--epochs", str(epochs), "--batch-size", "8",
        "--patience", "99", "--out", str(out), "--strategy", strategy, *extra,
    ]  # fmt: skip


def start(command, tmp_path: Path, name: str, tf_config=None) -> subprocess.Popen:
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="", TF_CPP_MIN_LOG_LEVEL="3")
    env.pop("TF_CONFIG", None)
    if tf_config is not None:
        env["TF_CONFIG"] = json.dumps(tf_config)
    log = open(tmp_path / f"{name}.out", "w")  # closed with the process
    return subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)


def start_workers(command, tmp_path: Path, tag: str) -> list[subprocess.Popen]:
    hosts = [f"127.0.0.1:{p}" for p in free_ports(2)]
    return [
        start(command, tmp_path, f"{tag}-worker{i}",
              {"cluster": {"worker": hosts}, "task": {"type": "worker", "index": i}})
        for i in range(2)
    ]


def finish(procs, tmp_path: Path, timeout: float = TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    for proc in procs:
        try:
            proc.wait(timeout=max(1.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            for p in procs:
                p.kill()
            pytest.fail(f"training did not finish in {timeout:.0f} s:\n{outputs(tmp_path)}")
    if any(p.returncode for p in procs):
        pytest.fail(f"a training process failed:\n{outputs(tmp_path)}")


def outputs(tmp_path: Path) -> str:
    logs = sorted(tmp_path.glob("*.out"))
    return "\n".join(f"--- {f.name}\n{f.read_text()[-3000:]}" for f in logs)


def losses(log: Path) -> list[float]:
    with open(log) as f:
        return [float(row["loss"]) for row in csv.DictReader(f)]


def epochs_logged(log: Path) -> list[int]:
    with open(log) as f:
        return [int(row["epoch"]) for row in csv.DictReader(f)]


@pytest.mark.usefixtures("mirror")
def test_two_workers_match_one_process(tmp_path):
    """Two workers, each with half of every global batch of 8, against one process with the
    same global batches of 8: same data, same initial weights (same seed), and gradients
    averaged over the same 8 utterances, so the losses must agree.

    They cannot agree bit for bit: each worker sums its 4 utterances' gradients and the
    all-reduce adds the two halves, a different order of float32 additions than one sum of
    8 (relative error ~1e-7), which Adam carries through the following steps. Measured
    here, the per-step losses agree to 6 significant digits. A relative tolerance of 1e-4
    is far above that and far below what a real mistake causes: a shuffle order that is
    off by one epoch moved the first step's loss by 18 % (a bug this test caught), and a
    loss not divided by the replicas doubles the effective step.

    Gradient clipping is off (``--clipnorm 0``) because Keras 3 clips each replica's
    gradient before the all-reduce: with the default clipping the two runs legitimately
    differ, by up to 7e-4 of the loss after 5 steps when measured.
    """
    args = ["--clipnorm", "0"]
    single = start(train_command(tmp_path / "single.keras", "default", 2, 48,
                                 [*args, "--drop-remainder"]), tmp_path, "single")
    workers = start_workers(train_command(tmp_path / "multi.keras", "multiworker", 2, 48, args),
                            tmp_path, "pair")
    finish([single, *workers], tmp_path)
    one, two = losses(tmp_path / "single.log.csv"), losses(tmp_path / "multi.log.csv")
    assert len(one) == len(two) == 2
    assert two == pytest.approx(one, rel=1e-4), (one, two)
    assert one[1] < one[0]  # and it is learning
    # worker 1 trained in step (its own log) but left the model file to the chief
    assert losses(tmp_path / "multi.worker1.log.csv") == pytest.approx(two, rel=1e-6)
    assert (tmp_path / "multi.keras").is_file()
    assert "2 replica(s) on 2 worker(s); global batch 8 = 4 per replica" in (
        tmp_path / "pair-worker0.out").read_text()


@pytest.mark.usefixtures("mirror")
def test_killed_worker_restarts_and_training_resumes(tmp_path):
    """Kill worker 1 with SIGKILL after the chief has backed up an epoch. Worker 0 cannot
    finish without it (it fails, or hangs until the "cluster manager", here the test, stops
    it). Restarting both with the same command resumes from the chief's backup: the log
    goes on from the next epoch instead of starting again at epoch 0."""
    epochs = 3
    backup = tmp_path / "backup"
    command = train_command(tmp_path / "m.keras", "multiworker", epochs, 48,
                            ["--resume-dir", str(backup)])
    workers = start_workers(command, tmp_path, "first")
    metadata = backup / "training_metadata.json"
    deadline = time.monotonic() + TIMEOUT
    while not metadata.exists() and time.monotonic() < deadline:
        if any(p.poll() is not None for p in workers):
            break
        time.sleep(0.2)
    if not metadata.exists():
        for p in workers:
            p.kill()
        pytest.fail(f"no backup after {TIMEOUT} s:\n{outputs(tmp_path)}")
    workers[1].send_signal(signal.SIGKILL)
    workers[1].wait()
    try:
        workers[0].wait(timeout=30)
        chief_stopped_by_itself = True
    except subprocess.TimeoutExpired:
        workers[0].kill()
        workers[0].wait()
        chief_stopped_by_itself = False
    assert workers[1].returncode == -signal.SIGKILL
    assert workers[0].returncode != 0, "the chief cannot finish without its peer"
    before = epochs_logged(tmp_path / "m.log.csv")
    backed_up = json.loads(metadata.read_text())["epoch"]
    assert 1 <= backed_up < epochs

    finish(start_workers(command, tmp_path, "restart"), tmp_path)
    after = epochs_logged(tmp_path / "m.log.csv")[len(before):]
    assert after[0] == backed_up, (before, after)  # resumed, not restarted from epoch 0
    assert after[-1] == epochs - 1
    assert json.loads(metadata.read_text())["epoch"] == epochs
    assert (tmp_path / "m.keras").is_file()
    print(f"chief stopped by itself after the kill: {chief_stopped_by_itself}; "
          f"epochs logged before {before}, after restart {after}")


@pytest.mark.usefixtures("mirror")
def test_mixed_precision_trains_and_the_saved_model_transcribes(tmp_path):
    """A mixed_bfloat16 run computes in 16 bits but keeps float32 probabilities (the CTC
    loss's log needs them), and its saved model loads and transcribes like any other."""
    from asrlib import checkpoint, datasets, pipeline, train
    from asrlib.config import TrainConfig
    from asrlib.model import ModelConfig
    from asrlib.transcriber import Transcriber

    utts = datasets.connected_digits(16, ["lucas"], seed=0)
    examples, _ = pipeline.make_examples(utts)
    cfg = TrainConfig(epochs=1, batch_size=8, precision="mixed_bfloat16")
    out = tmp_path / "mixed.keras"
    model, history = train.fit(examples, examples[:4], out, train=cfg, verbose=0)
    assert model.layers[-1].compute_dtype == "float32"
    assert model.get_layer("lstm1").compute_dtype == "bfloat16"
    assert np.isfinite(history.history["loss"][0])
    bundle = checkpoint.load(out)
    assert bundle.info["train"]["precision"] == "mixed_bfloat16"
    assert isinstance(Transcriber(bundle, "greedy").transcribe(utts[0].load()), str)
    with pytest.raises(ValueError, match="precision must be one of"):
        TrainConfig(precision="float8")
    assert ModelConfig() == bundle.spec.model
