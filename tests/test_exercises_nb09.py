"""Notebook 09's exercises: the answers in the key pass the checks, and every exercise has one."""

import importlib.util
from pathlib import Path

from asrlib.checks import nb09

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location(
    "asrlib_teacher_answers_nb09", ROOT / "book" / "teacher" / "answers" / "nb09.py")
answers = importlib.util.module_from_spec(_spec)  # the teacher's KEY and solution_*
_spec.loader.exec_module(answers)


def test_every_exercise_has_a_key_entry(capsys):
    titles = []
    for check in (nb09.per_replica_batch, nb09.scaled_learning_rate, nb09.epoch_hours,
                  nb09.warmup_schedule):
        check(...)
        titles.append(capsys.readouterr().out.split("⏳ ", 1)[1].split(":", 1)[0])
    assert titles == list(answers.KEY)


def test_the_keys_answers_pass(capsys):
    assert nb09.per_replica_batch(32) and "**32.**" in answers.KEY["Exercise 1 (per-replica batch)"]
    assert nb09.scaled_learning_rate(0.008)
    assert "**0.008.**" in answers.KEY["Exercise 2 (learning rate for a bigger batch)"]
    fps = 28_561  # the key's formula, with any measured throughput
    assert nb09.epoch_hours(100 * 3600 * 100 / fps / 3600, 100, fps)
    assert nb09.epoch_hours(0.4, 100, fps) is False  # the table's rounded figure is not enough


def test_the_epoch_key_quotes_the_stored_benchmark():
    import json

    from asrlib import runtime

    rows = json.loads((runtime.REPO / "data" / "scaling.json").read_text())["rows"]
    fps = next(r["frames_per_s"] for r in rows if r["model"] == "seed" and not r["xla"]
               and r.get("variant", r["precision"]) == "float32")
    assert f"{fps:,} frames/s" in answers.KEY["Exercise 3 (epoch time)"]
    assert f"{100 * 100 / fps:.2f} h" in answers.KEY["Exercise 3 (epoch time)"]


def test_warmup_schedule_accepts_the_solution_and_rejects_slips(capsys):
    assert nb09.warmup_schedule(answers.solution_warmup_schedule)
    assert not nb09.warmup_schedule(lambda step, batch, warm: 1e-3 * batch / 32)  # no warm-up
    assert not nb09.warmup_schedule(lambda step, batch, warm: 1e-3 * min(1, step / warm))
    assert not nb09.warmup_schedule(lambda step, batch, warm: 1 / 0)
    assert "ZeroDivisionError" in capsys.readouterr().out

    def empty(step, batch, warm):
        ...

    assert not nb09.warmup_schedule(empty)
    assert "⏳" in capsys.readouterr().out
