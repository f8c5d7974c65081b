import numpy as np
import pytest

from asrlib import datasets, pipeline
from asrlib.config import Spec
from asrlib.model import ModelConfig
from asrlib.utterance import Utterance


def test_prepare_reports_every_drop(mirror, tmp_path):
    good = datasets.connected_digits(4, ["lucas"], seed=0)
    short = Utterance(
        "short", "one two three four five six seven eight nine ten " * 3, "x", good[0].parts[0]
    )
    empty = Utterance("empty", "?!", "x", good[0].parts[0])
    missing = Utterance("missing", "one", "x", str(tmp_path / "nope.wav"))
    examples, report = pipeline.make_examples([*good, short, empty, missing], cache=tmp_path)
    assert [e.id for e in examples] == [u.id for u in good]
    reasons = dict(report.dropped)
    assert "needs" in reasons["short"] and "CTC frames" in reasons["short"]
    assert "empty transcript" in reasons["empty"]
    assert "no such file" in reasons["missing"]
    assert "dropped 3" in str(report)
    # the second call reads the feature cache and gives the same result
    again, report2 = pipeline.make_examples([*good, short, empty, missing], cache=tmp_path)
    assert len(list(tmp_path.glob("*.npz"))) == 1
    assert all(np.array_equal(a.features, b.features) for a, b in zip(examples, again))
    assert report2.dropped == report.dropped


def test_dataset_batches_carry_lengths(mirror):
    utts = datasets.connected_digits(40, ["nicolas"], seed=1)
    examples, _ = pipeline.make_examples(utts, cache=False)
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
    gen = pipeline.seed_generator(utts, batch_size=4, spec=Spec())
    x, y = next(gen)
    assert x.shape[0] == 4 and y.shape[0] == 4 and x.shape[1] == y[:, 0].max()


def test_padding_fraction_and_bucketing(mirror):
    utts = datasets.connected_digits(48, ["lucas"], seed=3)
    examples, _ = pipeline.make_examples(utts, cache=False)
    x, y = pipeline.pad_batch(examples[:3])
    padding = sum(x.shape[1] - len(e.features) for e in examples[:3])
    assert pipeline.padding_fraction([(x, y)]) == padding / (3 * x.shape[1])
    plain = pipeline.padding_fraction(pipeline.make_dataset(examples, 8, bucket=False))
    bucketed = pipeline.padding_fraction(pipeline.make_dataset(examples, 8, n_buckets=4))
    assert 0 <= bucketed < plain < 1


def test_measure_throughput_counts_only_consumed_batches(mirror):
    utts = datasets.connected_digits(20, ["jackson"], seed=4)
    examples, _ = pipeline.make_examples(utts, cache=False)
    batches = [pipeline.pad_batch(examples[i : i + 4]) for i in range(0, 20, 4)]
    result = pipeline.measure_throughput(iter(batches), steps=3, warmup=1)
    timed = batches[1:4]  # the first one is the untimed warm-up
    assert result.batches == 3
    assert result.frames == sum(int(y[:, 0].sum()) for _, y in timed)
    assert result.padding == sum(x.shape[0] * x.shape[1] for x, _ in timed) - result.frames
    assert result.frames_per_second > 0 and 0 <= result.padded_fraction < 1
    with pytest.raises(ValueError, match="only 1 batches"):
        pipeline.measure_throughput(iter(batches), steps=2, warmup=4)


@pytest.mark.slow  # transcribes or trains for several seconds
def test_measure_throughput_while_training(mirror):
    from asrlib import train
    from asrlib.model import build_model

    utts = datasets.connected_digits(8, ["nicolas"], seed=5)
    config = ModelConfig(units=8, filters=4)
    model = train.compile_model(build_model(config), config)
    gen = pipeline.seed_generator(utts, batch_size=2, spec=Spec(model=config))
    result = pipeline.measure_throughput(gen, steps=2, model=model)
    assert result.batches == 2 and result.frames > 0


def test_measure_throughput_trains_on_batches_of_any_width():
    """Keras fixes a plain generator's shapes from its first batches: two of one width, then a
    wider one, must still train (the batches go in as a dataset with every axis free)."""
    import numpy as np

    from asrlib import train
    from asrlib.model import build_model

    config = ModelConfig(units=8, filters=4)
    model = train.compile_model(build_model(config), config)
    rng = np.random.default_rng(0)

    def batch(frames, labels):
        return pipeline.pad_batch([
            pipeline.Example(f"u{k}", "", rng.normal(size=(frames - k, 13)).astype(np.float32),
                             rng.integers(2, 28, size=labels).astype(np.int32))
            for k in range(2)])

    batches = [batch(40, 5), batch(40, 5), batch(90, 9), batch(60, 7)]
    result = pipeline.measure_throughput(iter(batches), steps=3, model=model, warmup=1)
    assert result.batches == 3
