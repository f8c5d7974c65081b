import numpy as np

from asrlib import datasets, pipeline
from asrlib.datasets import Utterance
from asrlib.model import ModelConfig


def test_prepare_reports_every_drop(mirror, tmp_path):
    good = datasets.connected_digits(4, ["lucas"], seed=0)
    short = Utterance(
        "short", "one two three four five six seven eight nine ten " * 3, "x", good[0].parts[0]
    )
    empty = Utterance("empty", "?!", "x", good[0].parts[0])
    missing = Utterance("missing", "one", "x", str(tmp_path / "nope.wav"))
    examples, report = pipeline.prepare([*good, short, empty, missing], cache=tmp_path)
    assert [e.id for e in examples] == [u.id for u in good]
    reasons = dict(report.dropped)
    assert "needs" in reasons["short"] and "CTC frames" in reasons["short"]
    assert "empty transcript" in reasons["empty"]
    assert "no such file" in reasons["missing"]
    assert "dropped 3" in str(report)
    # the second call reads the feature cache and gives the same result
    again, report2 = pipeline.prepare([*good, short, empty, missing], cache=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    assert all(np.array_equal(a.features, b.features) for a, b in zip(examples, again))
    assert report2.dropped == report.dropped


def test_dataset_batches_carry_lengths(mirror):
    examples, _ = pipeline.prepare(datasets.connected_digits(40, ["nicolas"], seed=1), cache=False)
    by_id = {e.id: e for e in examples}
    lengths = {len(e.features) for e in examples}
    ds = pipeline.make_dataset(examples, batch_size=8, seed=0)
    seen = 0
    for x, y in ds:
        x, y = x.numpy(), y.numpy()
        assert x.shape[0] == y.shape[0] <= 8 and x.shape[2] == 13
        for row in range(len(x)):
            frames = y[row, 0]
            assert frames in lengths and frames <= x.shape[1]
            assert np.all(x[row, frames:] == 0)  # padding after each utterance
            labels = y[row, 1:][y[row, 1:] > 0]
            assert any(np.array_equal(labels, e.labels) for e in by_id.values())
        seen += len(x)
    assert seen == len(examples)


def test_seed_generator_yields_padded_random_batches(mirror):
    utts = datasets.connected_digits(10, ["jackson"], seed=2)
    gen = pipeline.seed_generator(utts, batch_size=4, model_config=ModelConfig())
    x, y = next(gen)
    assert x.shape[0] == 4 and y.shape[0] == 4 and x.shape[1] == y[:, 0].max()
