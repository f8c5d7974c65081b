"""Shards: features computed once, in parallel, into sharded TFRecord files, and read back.

:func:`pipeline.make_examples` keeps every feature matrix in memory (and one ``.npz``
cache); that stops working when a corpus no longer fits in RAM, and one process
computes everything. :func:`write_shards` instead writes
``out/shard-00000-of-000NN.tfrecord`` files (one ``tf.train.Example`` per
utterance) with a pool of worker processes, and :func:`shard_dataset` streams
them into exactly the batches :func:`pipeline.make_dataset` makes.

Layout of a prepared folder:

* ``manifest.json``: the feature config, alphabet and model config, the
  utterance ids and frame counts of every shard, what was dropped and why;
  ``"complete": true`` once every shard is written.
* ``shard-K-of-N.tfrecord``: written under a temporary name and renamed when
  complete, so a crash never leaves half a shard under the real name.
* ``shard-K-of-N.json``: the shard's done-file, written after its records; a
  rerun skips every shard whose done-file and record file are intact.

The worker pool and the record writing are in :mod:`asrlib.shard_workers`; this
module plans the shards, checks and resumes a folder, and reads it back.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from dataclasses import astuple, dataclass, field
from pathlib import Path

import numpy as np

from asrlib import records
from asrlib.config import Spec
from asrlib.features import FeatureConfig
from asrlib.pipeline import Example
from asrlib.records import write_json, write_shard
from asrlib.shard_workers import run
from asrlib.utterance import Utterance

FORMAT = "asrlib-shards/1"
MANIFEST = "manifest.json"
MAX_PER_SHARD = 500  # utterances: a shard is the unit of work, of resuming and of shuffling
MIN_PER_SHARD = 16  # ... but not so small that per-file overhead dominates
MIN_SHARDS = 8  # enough shards for up to 8 workers, and to interleave when reading
DEFAULT_SHUFFLE_BUFFER = 4096  # serialized utterances held for shuffling (whole set if fewer)
CYCLE_LENGTH = 8  # shards read at once when shuffling


class ShardError(ValueError):
    """A shard folder that cannot be used as asked; the message says what to do."""


@dataclass
class ShardReport:
    """What :func:`write_shards` did: utterances kept/dropped, shards written/skipped, size."""

    out_dir: str = ""
    kept: int = 0
    dropped: list[tuple[str, str]] = field(default_factory=list)
    audio_seconds: float = 0.0
    shards: int = 0
    written: int = 0
    skipped: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (shard file, error)
    bytes: int = 0  # the record files on disk, skipped shards included
    seconds: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.failed

    def __str__(self) -> str:
        lines = [
            f"kept {self.kept} utterances ({self.audio_seconds / 3600:.2f} h of audio), "
            f"dropped {len(self.dropped)}",
            f"{self.shards} shards in {self.out_dir}: {self.written} written, "
            f"{self.skipped} skipped (already done), {_size(self.bytes)} on disk, "
            f"{self.seconds:.1f} s",
        ]
        lines += [f"  dropped {uid}: {why}" for uid, why in self.dropped[:20]]
        if len(self.dropped) > 20:
            lines.append(f"  ... and {len(self.dropped) - 20} more")
        lines += [f"  FAILED {name}: {why} (rerun to retry)" for name, why in self.failed]
        return "\n".join(lines)


def _size(n: int) -> str:
    return f"{n / 2**20:.1f} MiB" if n >= 2**20 else f"{n / 1024:.1f} KiB"


# --- planning ------------------------------------------------------------------------------


def default_num_shards(n_utts: int) -> int:
    """At most ``MAX_PER_SHARD`` utterances a shard, and ``MIN_SHARDS`` when there are enough."""
    if n_utts <= 0:
        return 0
    at_least = min(MIN_SHARDS, math.ceil(n_utts / MIN_PER_SHARD))
    return max(math.ceil(n_utts / MAX_PER_SHARD), at_least)


def split_shards(utts: list[Utterance], num_shards: int) -> list[list[Utterance]]:
    """Round-robin: every shard gets a mix of speakers and lengths (corpora come sorted)."""
    return [utts[k::num_shards] for k in range(num_shards)]


def shard_name(k: int, num_shards: int, suffix: str = ".tfrecord") -> str:
    return f"shard-{k:05d}-of-{num_shards:05d}{suffix}"


def _content_key(spec: Spec):
    """What the records depend on. Of the model only its time stride matters (it decides
    which transcripts CTC can fit), so one folder serves models of any size."""
    return {
        "feature_config": spec.features.to_dict(),
        "alphabet": spec.alphabet.to_dict(),
        "ctc_time_stride": spec.model.time_stride,
    }


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, default=str, sort_keys=True).encode()).hexdigest()[:20]


# --- preparing ------------------------------------------------------------------------


def _shard_done(out: Path, entry: dict) -> dict | None:
    """The shard's done-file when it and its record file are intact, else None."""
    sidecar = out / entry["done"]
    try:
        done = json.loads(sidecar.read_text())
        intact = (out / entry["file"]).stat().st_size == done["bytes"]
    except (OSError, ValueError, KeyError):
        return None
    return done if intact and done.get("key") == entry["key"] else None


def _check_folder(out: Path, plan: dict) -> None:
    """Refuse (one line) to mix a different config or utterance list into ``out``."""
    path = out / MANIFEST
    if not path.exists():
        strays = sorted(p.name for p in out.glob("shard-*.tfrecord"))
        if strays:
            raise ShardError(
                f"{out}: holds shard files ({strays[0]}, ...) but no {MANIFEST}; "
                "prepare into a new folder or delete these files"
            )
        return
    try:
        old = json.loads(path.read_text())
    except ValueError:
        raise ShardError(f"{path}: not valid JSON; delete the folder and prepare again") from None
    for key, what in (
        ("feature_config", "feature config"),
        ("alphabet", "alphabet"),
        ("ctc_time_stride", "model time stride"),
    ):
        if old.get(key) != plan[key]:
            a, b = old.get(key), plan[key]
            if isinstance(a, dict) and isinstance(b, dict):
                diff = [f"{k} {a.get(k)!r} -> {b.get(k)!r}" for k in b if a.get(k) != b.get(k)]
                detail = ", ".join(diff)
            else:
                detail = f"{a!r} -> {b!r}"
            raise ShardError(
                f"{out}: already holds shards prepared with a different {what} ({detail}); "
                "prepare into a new folder, or delete this one"
            )
    if old.get("inputs") != plan["inputs"] or len(old.get("shards", ())) != len(plan["shards"]):
        raise ShardError(
            f"{out}: already holds shards of a different utterance list "
            f"({old.get('planned')} utterances in {len(old.get('shards', ()))} shards; now "
            f"{plan['planned']} in {len(plan['shards'])}); prepare into a new --out folder"
        )


def write_shards(
    utts: list[Utterance],
    out_dir: str | os.PathLike,
    spec: Spec = Spec(),
    num_shards: int | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> ShardReport:
    """Compute features once into ``out_dir``'s shards, ``workers`` processes in parallel.

    Resumable: shards already done (done-file and record file intact) are
    skipped, so an interrupted run continues where it stopped and a deleted
    shard is recomputed alone. A folder prepared with another feature config,
    alphabet, time stride or utterance list is refused, never mixed. Bad
    audio and transcripts CTC cannot use are dropped and reported, like
    :func:`pipeline.make_examples`; a shard whose worker fails is reported in
    ``report.failed`` and the other shards are still written.

    With ``workers`` > 1 the workers are fresh processes (see
    ``shard_workers.START_METHOD``): a plain script must call this under
    ``if __name__ == "__main__":``, as Python's multiprocessing requires;
    notebooks and ``python -m asrlib`` need nothing. ``workers=1`` computes in
    this process.
    """
    start = time.perf_counter()
    num_shards = _checked_num_shards(utts, num_shards)
    workers = (os.cpu_count() or 1) if workers is None else workers
    out = Path(out_dir)
    groups = split_shards(utts, num_shards)
    plan = _plan(utts, groups, spec)
    entries = plan["shards"]
    out.mkdir(parents=True, exist_ok=True)
    _check_folder(out, plan)
    write_json(out / MANIFEST, plan)

    done = {k: d for k, e in enumerate(entries) if (d := _shard_done(out, e)) is not None}
    todo = [k for k in range(num_shards) if k not in done]
    report = ShardReport(out_dir=str(out), shards=num_shards, skipped=len(done))

    def finish(k: int, kept: list[Example], dropped: list[tuple[str, str]]) -> None:
        done[k] = _write_done_shard(out, entries[k], kept, dropped, spec.features.hop_ms)
        report.written += 1

    def fail(k: int, why: str) -> None:
        report.failed.append((shard_name(k, num_shards), why))

    from tqdm.auto import tqdm

    skipped_utts = sum(len(entries[k]["planned"]) for k in done)
    with tqdm(
        total=len(utts), initial=skipped_utts, unit="utt", desc="prepare", disable=not progress
    ) as bar:
        if todo:
            run(groups, todo, spec, workers, bar, finish,
                fail)
        bar.n = sum(len(entries[k]["planned"]) for k in done)  # ticks may lag the results
        bar.refresh()

    _summarise(plan, done, report)
    write_json(out / MANIFEST, plan)
    report.seconds = time.perf_counter() - start
    return report


def _checked_num_shards(utts: list[Utterance], num_shards: int | None) -> int:
    """The number of shards to write; raises on no utterances, repeated ids, ``num_shards`` < 1."""
    if not utts:
        raise ValueError("write_shards: no utterances")
    if len({u.id for u in utts}) != len(utts):
        raise ValueError("write_shards: utterance ids must be unique (they name the records)")
    if num_shards is None:
        num_shards = default_num_shards(len(utts))
    if num_shards < 1:
        raise ValueError(f"write_shards: num_shards must be at least 1, got {num_shards}")
    return min(num_shards, len(utts))


def _plan(
    utts: list[Utterance],
    groups: list[list[Utterance]],
    spec: Spec,
) -> dict:
    """The folder's manifest before any shard is written: configs, inputs, one entry a shard."""
    content = _content_key(spec)
    num_shards = len(groups)
    entries = []
    for k, group in enumerate(groups):
        entries.append(
            {
                "file": shard_name(k, num_shards),
                "done": shard_name(k, num_shards, ".json"),
                "key": _digest([content, [astuple(u) for u in group]]),
                "planned": [u.id for u in group],
            }
        )
    return {
        "format": FORMAT,
        **content,
        "model_config": spec.model.to_dict(),
        "inputs": _digest([astuple(u) for u in utts]),
        "planned": len(utts),
        "complete": False,
        "shards": entries,
    }


def _write_done_shard(
    out: Path, entry: dict, kept: list[Example], dropped: list[tuple[str, str]], hop_ms: float
) -> dict:
    """Write one computed shard's records, then its done-file; return the done-file's data."""
    size = write_shard(out / entry["file"], kept)
    done = {
        "key": entry["key"],
        "ids": [x.id for x in kept],
        "n_frames": [len(x.features) for x in kept],
        "dropped": dropped,
        "audio_seconds": sum(len(x.features) for x in kept) * hop_ms / 1000,
        "bytes": size,
    }
    write_json(out / entry["done"], done)  # after the records: done means done
    return done


def _summarise(plan: dict, done: dict[int, dict], report: ShardReport) -> None:
    """Fill ``report`` and the manifest ``plan`` in from the done shards' done-files."""
    for k, e in enumerate(plan["shards"]):
        if k in done:
            e.update({x: done[k][x] for x in ("ids", "n_frames", "dropped", "bytes")})
            report.kept += len(done[k]["ids"])
            report.dropped += [tuple(d) for d in done[k]["dropped"]]
            report.audio_seconds += done[k]["audio_seconds"]
            report.bytes += done[k]["bytes"]
    plan.update(
        complete=not report.failed,
        kept=report.kept,
        dropped=report.dropped,
        audio_seconds=round(report.audio_seconds, 3),
        bytes=report.bytes,
    )


# --- reading -------------------------------------------------------------------------------


def shard_info(folder: str | os.PathLike) -> dict:
    """The folder's ``manifest.json``: configs, shards, ids, frame counts, drops."""
    path = Path(folder) / MANIFEST
    if not path.is_file():
        raise ShardError(f"{folder}: no {MANIFEST}; run `python -m asrlib prepare --out {folder}`")
    info = json.loads(path.read_text())
    if info.get("format") != FORMAT:
        raise ShardError(f"{path}: format {info.get('format')!r}, expected {FORMAT!r}")
    return info


def _complete(folder: str | os.PathLike) -> tuple[dict, list[Path]]:
    """The manifest and the record files, checked: every shard written and intact."""
    info = shard_info(folder)
    if not info.get("complete"):
        raise ShardError(f"{folder}: prepare did not finish (see its report); rerun it to resume")
    files = []
    for e in info["shards"]:
        path = Path(folder) / e["file"]
        if not path.is_file() or path.stat().st_size != e["bytes"]:
            raise ShardError(f"{path}: missing or changed since prepare; rerun prepare to redo it")
        if e["ids"]:
            files.append(path)
    return info, files


def load_examples(folder: str | os.PathLike) -> list[Example]:
    """Every record as a :class:`pipeline.Example`, in shard order: for small splits."""
    _, files = _complete(folder)
    return records.read_examples(files)


def shard_dataset(
    folder: str | os.PathLike,
    batch_size: int = 32,
    shuffle: bool = True,
    seed: int | None = 0,
    bucket: bool = True,
    spec_augment: bool = False,
    drop_remainder: bool = False,
    *,
    n_buckets: int = 8,
    shuffle_buffer: int | None = None,
):
    """Padded ``(features, targets)`` batches streamed from the shards, like ``make_dataset``.

    Deterministic for a given ``seed`` (shard order, interleave and shuffle are
    all seeded), so several workers that build it get the same stream; it is
    marked for DATA auto-sharding so ``tf.distribute`` splits each global batch
    across workers the way it does for ``make_dataset``, instead of giving each
    worker different files (the default for file-based datasets, whose batches
    then differ from a single process's). ``seed=None``: unseeded, and a little
    faster. ``drop_remainder`` keeps full batches only, as ``make_dataset``.
    Shuffling holds ``shuffle_buffer`` serialized utterances (default: all, up
    to ``DEFAULT_SHUFFLE_BUFFER``); the buckets come from the manifest's frame
    counts, with the same quantiles as ``make_dataset``.
    """
    tf = records.tensorflow()
    info, files = _complete(folder)
    lengths = np.array([n for e in info["shards"] for n in e["n_frames"]], dtype=np.int64)
    if not len(lengths):
        raise ValueError(f"shard_dataset: {folder} holds no examples (all were dropped?)")
    width = FeatureConfig.from_dict(info["feature_config"]).n_features
    deterministic = seed is not None
    element = records.parser(width)

    names = [str(f) for f in files]
    if shuffle:
        ds = tf.data.Dataset.from_tensor_slices(names)
        ds = ds.shuffle(len(names), seed=seed, reshuffle_each_iteration=True)
        ds = ds.interleave(
            tf.data.TFRecordDataset,
            cycle_length=min(len(names), CYCLE_LENGTH),
            num_parallel_calls=tf.data.AUTOTUNE,
            deterministic=deterministic,
        )
        buffer = shuffle_buffer or min(len(lengths), DEFAULT_SHUFFLE_BUFFER)
        ds = ds.shuffle(buffer, seed=seed, reshuffle_each_iteration=True)
    else:
        ds = tf.data.TFRecordDataset(names)  # shard order, record order
    ds = ds.map(element, num_parallel_calls=tf.data.AUTOTUNE, deterministic=deterministic)
    from asrlib.pipeline import batch_by_length

    ds = batch_by_length(ds, lengths, batch_size, width, bucket, n_buckets, spec_augment,
                         drop_remainder, "shard_dataset")
    options = tf.data.Options()
    options.deterministic = deterministic
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return ds.with_options(options).prefetch(tf.data.AUTOTUNE)
