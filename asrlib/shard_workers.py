"""The worker pool behind :func:`asrlib.shards.write_shards`.

:func:`run` computes shards (:func:`compute_shard`: features and labels of a
shard's utterances) in this process or in a pool of worker processes, and hands
each result to a callback in the parent, which writes it (:mod:`asrlib.records`).

Worker processes only run librosa/NumPy and send the arrays back; the parent
writes the records. Measured on a busy 2-core machine: importing TensorFlow in
each worker would cost ~10 s per process, sending back all the LibriSpeech
sample's features (31 MB) ~0.1 s. This module never imports TensorFlow at
import time, so the workers never do.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import queue as queue_module
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

from asrlib import audio, features
from asrlib.config import Spec
from asrlib.files import one_line
from asrlib.pipeline import Example, check_pair
from asrlib.utterance import Utterance

# Not "fork": the parent may hold TensorFlow's threads, which fork does not copy. A
# forkserver imports librosa & co. once (~6 s on a busy 2-core machine) and forks warm
# workers from it; "spawn" makes every worker import them again (measured on the
# LibriSpeech sample, 2 workers: forkserver 20-25 s, spawn 27 s).
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
PRELOAD = ["asrlib.shard_workers", "librosa", "scipy.signal", "soundfile", "soxr"]

# --- worker side (no TensorFlow here) --------------------------------------------------------

_tick: Callable[[], None] | None = None  # progress callback: one call per utterance


def _one_blas_thread():
    """Limit BLAS to one thread (a context manager; calling it applies the limit at once).

    The pool is the parallelism: two workers with two BLAS threads each ran
    3x slower on two cores than with one each (measured, 30 LibriSpeech
    utterances). It also makes the features the same whatever ``workers`` is:
    BLAS sums in a different order with more threads (differences ~1e-6).
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with librosa (scikit-learn)
        return contextlib.nullcontext()
    return threadpool_limits(1)


def _init_worker(progress_queue) -> None:
    """Runs once in each worker process."""
    global _tick
    _one_blas_thread()
    if progress_queue is not None:
        _tick = lambda: progress_queue.put(1)  # noqa: E731


def compute_shard(
    utts: list[Utterance],
    spec: Spec,
) -> tuple[list[Example], list[tuple[str, str]]]:
    """Features and labels of one shard's utterances; bad ones are dropped with a reason."""
    kept, dropped = [], []
    for u in utts:
        try:
            feat = features.compute(u.load(), spec.features)
        except (audio.AudioError, OSError, ValueError) as err:
            dropped.append((u.id, str(err)))
        else:
            labels = spec.alphabet.encode(u.text)
            why = check_pair(len(feat), labels, spec.model)
            if why:
                dropped.append((u.id, why))
            else:
                kept.append(Example(u.id, spec.alphabet.normalize(u.text), feat, labels, u.speaker))
        if _tick is not None:
            _tick()
    return kept, dropped


# --- parent side: running the pool -----------------------------------------------------------

Finish = Callable[[int, list[Example], list[tuple[str, str]]], None]  # (k, kept, dropped)
Fail = Callable[[int, str], None]  # (k, one-line error)


def run(groups, todo, spec: Spec, workers: int, bar, finish: Finish, fail: Fail) -> None:
    """Compute the ``todo`` shards of ``groups`` with ``spec``: in this process, or in a
    pool of ``workers`` processes.

    Each computed shard goes to ``finish``, in this process; a shard whose computation
    raises goes to ``fail`` and the others still run. ``bar`` (tqdm) counts utterances.
    """
    if workers <= 1 or len(todo) == 1:
        _run_here(groups, todo, spec, bar, finish, fail)
    else:
        _run_pool(groups, todo, spec, workers, bar, finish, fail)


def _run_here(groups, todo, spec: Spec, bar, finish: Finish, fail: Fail) -> None:
    global _tick
    _tick = lambda: bar.update(1)  # noqa: E731
    try:
        for k in todo:
            try:
                with _one_blas_thread():
                    kept, dropped = compute_shard(groups[k], spec)
            except Exception as err:  # one broken shard never costs the others
                fail(k, one_line(err))
                continue
            finish(k, kept, dropped)
    finally:
        _tick = None


def _run_pool(groups, todo, spec: Spec, workers: int, bar, finish: Finish, fail: Fail) -> None:
    ctx = multiprocessing.get_context(START_METHOD)
    if START_METHOD == "forkserver":
        ctx.set_forkserver_preload(PRELOAD)
    ticks = ctx.Queue()

    def drain() -> None:
        try:
            while True:
                bar.update(ticks.get_nowait())
        except queue_module.Empty:
            pass

    pool = ProcessPoolExecutor(
        min(workers, len(todo)), mp_context=ctx, initializer=_init_worker, initargs=(ticks,)
    )
    try:
        futures = {pool.submit(compute_shard, groups[k], spec): k for k in todo}
        pending = set(futures)
        while pending:
            finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
            drain()
            for future in finished:
                k = futures[future]
                try:
                    kept, dropped = future.result()
                except Exception as err:  # a crashed worker fails its shard, not the run
                    fail(k, one_line(err))
                    continue
                finish(k, kept, dropped)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        ticks.close()
