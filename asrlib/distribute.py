"""Distribution: the same training on one device, every GPU of a machine, or many machines.

TensorFlow's own ``tf.distribute`` does the work; this module only chooses the
strategy, explains the batch arithmetic, and keeps the callbacks honest when
several processes train one model:

* ``default``: one device (the CPU, or the first GPU).
* ``mirrored``: :class:`tf.distribute.MirroredStrategy`, one replica per local GPU
  (on a CPU-only machine that is one replica: the same result as ``default``).
* ``multiworker``: :class:`tf.distribute.MultiWorkerMirroredStrategy`, one process per
  machine (or per GPU), configured by the standard ``TF_CONFIG`` environment variable::

      TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]},
                  "task": {"type": "worker", "index": 0}}'

Batch arithmetic: ``TrainConfig.batch_size`` is the GLOBAL batch, the number of
utterances one optimizer step averages over. Each replica gets
``global / replicas`` of every batch, so the gradient of a step is the same as on one
device with the same global batch (``tests/test_distribute.py`` checks that two workers'
losses match one process's; Keras 3 clips each replica's gradient before they are
summed, so with ``clipnorm`` on the steps differ slightly). Keeping the
global batch fixed keeps the learning rate valid; growing it with the replicas (the
usual way to go faster) calls for a larger learning rate, and ``scale_learning_rate``
applies the linear rule of Goyal et al. (2017), "Accurate, Large Minibatch SGD".

Workers must agree on every decision: the number of steps in an epoch (full batches
only, ``drop_remainder``), when to stop (early stopping on the same validation CER; a
wall-clock budget is refused), and where the run restarts (every worker restores the
chief's ``BackupAndRestore`` checkpoint, so the backup folder must be on storage all
workers can read). Only the chief (worker 0) writes the model file and the main log.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

STRATEGIES = ("default", "mirrored", "multiworker")


class DistributeError(ValueError):
    """A strategy that cannot start; the message says what to fix."""


@dataclass(frozen=True)
class Worker:
    """Which process this is in a multi-worker cluster (index 0 of 1 when alone)."""

    index: int = 0
    count: int = 1

    @property
    def is_chief(self) -> bool:
        """Worker 0 writes the model, the log and the backups; the others only train."""
        return self.index == 0


def read_tf_config(env: dict | None = None) -> Worker:
    """The worker index and count from ``TF_CONFIG`` (one clear error when it is malformed)."""
    raw = (env if env is not None else os.environ).get("TF_CONFIG", "")
    if not raw.strip():
        return Worker()
    try:
        conf = json.loads(raw)
        workers = conf["cluster"]["worker"]
        task = conf.get("task", {})
        index = int(task.get("index", 0))
        kind = task.get("type", "worker")
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as err:
        raise DistributeError(
            f"TF_CONFIG is not valid ({type(err).__name__}: {err}); expected "
            '{"cluster": {"worker": ["host:port", ...]}, "task": {"type": "worker", "index": N}}'
        ) from None
    if kind not in ("worker", "chief"):
        raise DistributeError(f"TF_CONFIG task type {kind!r}: only 'worker' tasks are used here")
    if not isinstance(workers, list) or not workers:
        raise DistributeError("TF_CONFIG cluster.worker must be a non-empty list of host:port")
    if not 0 <= index < len(workers):
        raise DistributeError(f"TF_CONFIG task index {index} is outside the {len(workers)} workers")
    return Worker(index, len(workers))


def make_strategy(name: str = "default"):
    """The ``tf.distribute`` strategy called ``name`` (one of :data:`STRATEGIES`)."""
    import tensorflow as tf

    if name not in STRATEGIES:
        raise DistributeError(f"unknown strategy {name!r}; choose one of {', '.join(STRATEGIES)}")
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        gpus = tf.config.list_logical_devices("GPU")
        return tf.distribute.MirroredStrategy([d.name for d in gpus] or ["/cpu:0"])
    if not os.environ.get("TF_CONFIG"):
        raise DistributeError(
            "the multiworker strategy needs the TF_CONFIG environment variable on every worker "
            "(see the README's 'Many machines' section)"
        )
    read_tf_config()  # a malformed TF_CONFIG fails here with one line, not inside TensorFlow
    _patch_keras_for_multiworker()
    return tf.distribute.MultiWorkerMirroredStrategy()


def is_multiworker(strategy) -> bool:
    import tensorflow as tf

    return isinstance(strategy, tf.distribute.MultiWorkerMirroredStrategy)


def worker(strategy) -> Worker:
    """This process's place in the cluster (index 0 of 1 for single-process strategies)."""
    return read_tf_config() if is_multiworker(strategy) else Worker()


def check_batch(global_batch: int, replicas: int) -> int:
    """The per-replica batch; an error when the global batch does not split evenly."""
    if global_batch < replicas or global_batch % replicas:
        raise DistributeError(
            f"the global batch {global_batch} does not split evenly over {replicas} replicas; "
            f"use a global batch that is a multiple of {replicas} (e.g. "
            f"{replicas * max(1, global_batch // replicas)})"
        )
    return global_batch // replicas


def scale_learning_rate(learning_rate: float, global_batch: int, reference_batch: int) -> float:
    """The linear scaling rule: a ``k`` times larger global batch gets a ``k`` times larger
    learning rate (Goyal et al., 2017). Use it with a warm-up on long runs."""
    return learning_rate * global_batch / reference_batch


# --- Keras 3 + MultiWorkerMirroredStrategy ---------------------------------------------------

_PATCHED = False


def _patch_keras_for_multiworker() -> None:
    """Two small fixes that let Keras 3's ``fit`` run under MultiWorkerMirroredStrategy.

    Keras 3.15's TensorFlow trainer reduces per-replica scalars (the logged loss) with
    ``strategy.reduce("MEAN", v, axis=0)`` when the strategy is multi-worker, which fails
    for a scalar, and reduces the first data batch the same way before building the
    model (keras-team/keras#20585, open). The first is replaced by a plain mean over
    replicas; the build takes shapes from the dataset's ``element_spec`` instead of a
    batch. Nothing else changes: gradients are
    all-reduced by TensorFlow as usual. The test suite checks that two workers give
    the same loss as one process with the same global batch.
    """
    global _PATCHED
    if _PATCHED:
        return
    import tensorflow as tf
    from keras.src.backend.tensorflow import trainer as tf_trainer

    original_reduce = tf_trainer.reduce_per_replica

    def reduce_per_replica(values, strategy, reduction):
        if reduction in ("auto", "mean") and tf_trainer._collective_all_reduce_multi_worker(
            strategy
        ):
            return tf.nest.map_structure(lambda v: strategy.reduce("MEAN", v, axis=None), values)
        return original_reduce(values, strategy, reduction)

    def maybe_symbolic_build(self, iterator=None, data_batch=None):
        if self._distribute_strategy is None:
            return
        if iterator is not None and data_batch is None:
            # shapes and dtypes are all the build needs: take them from the dataset's spec.
            # (Keras draws a batch instead, which starts an extra pass over the dataset and
            # so shifts every later epoch's shuffle order by one.)
            data_batch = iterator.data_adapter.get_tf_dataset().element_spec
        with self.distribute_strategy.scope():
            self._symbolic_build(data_batch=data_batch)

    tf_trainer.reduce_per_replica = reduce_per_replica
    tf_trainer.TensorFlowTrainer._maybe_symbolic_build = maybe_symbolic_build
    _PATCHED = True


def chief_backup(backup_dir, worker: Worker):
    """``keras.callbacks.BackupAndRestore`` where every worker restores the chief's backup
    and only the chief writes it (workers are in step, so their states are equal)."""
    import keras

    class ChiefBackupAndRestore(keras.callbacks.BackupAndRestore):
        def _save_model(self):
            if worker.is_chief:
                super()._save_model()

    return ChiefBackupAndRestore(str(backup_dir), delete_checkpoint=False)
