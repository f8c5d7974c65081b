"""Notebook 10's exercises: each reference solution passes its check, wrong answers fail,
and every exercise has an answer in the key."""

from pathlib import Path

import numpy as np
import teacher

from asrlib.checks import nb10

ROOT = Path(__file__).resolve().parents[1]
answers = teacher.answers("nb10")  # the teacher's KEY and solution_*

CHECKS = [nb10.running_mean, nb10.lstm_step, nb10.reread_samples]


def test_the_solutions_pass(capsys):
    assert nb10.running_mean(answers.solution_running_mean) is True
    assert nb10.lstm_step(answers.solution_lstm_step) is True
    assert nb10.reread_samples(answers.solution_reread_samples) is True
    assert capsys.readouterr().out.count("✅") == 3
    # the figure the notebook and the key quote: 30 s in 200 ms chunks → 2,265 s read
    assert answers.solution_reread_samples(30 * 16_000, 3_200) == 2_265 * 16_000


def test_wrong_answers_fail(capsys):
    assert nb10.running_mean(lambda x: np.full(len(x), np.mean(x))) is False  # needs the future
    assert nb10.running_mean(np.cumsum) is False  # a running sum, not a mean

    def no_forget_gate(x, h, c, W, U, b):  # keeps all of the old cell
        i, _, g, o = np.split(x @ W + h @ U + b, 4)
        sig = 1 / (1 + np.exp(-np.stack([i, o])))
        c = c + sig[0] * np.tanh(g)
        return sig[1] * np.tanh(c), c

    def no_output_gate(x, h, c, W, U, b):
        _, c_new = answers.solution_lstm_step(x, h, c, W, U, b)
        return np.tanh(c_new), c_new

    assert nb10.lstm_step(no_forget_gate) is False
    assert nb10.lstm_step(no_output_gate) is False
    assert nb10.lstm_step(lambda x, h, c, W, U, b: answers.solution_lstm_step(x, h, c, W, U, b)[0]
                          ) is False  # h only, not (h, c)
    assert nb10.reread_samples(lambda n, chunk: n) is False  # streaming: each sample once
    assert nb10.reread_samples(lambda n, chunk: (n // chunk) * (n // chunk + 1) // 2 * chunk
                               ) is False  # forgets the last, shorter chunk
    assert capsys.readouterr().out.count("❌") == 7


def test_every_exercise_has_a_key_entry(capsys):
    titles = []
    for check in CHECKS:
        check(...)
        titles.append(capsys.readouterr().out.split("⏳ ", 1)[1].split(":", 1)[0])
    assert titles == list(answers.KEY)
    assert "solution_running_mean" in answers.KEY["Exercise 1 (a running mean)"]
    assert "solution_lstm_step" in answers.KEY["Exercise 2 (one LSTM step)"]
