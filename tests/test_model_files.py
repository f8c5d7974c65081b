"""Every model shipped in data/ loads and transcribes exactly as it did before decoders became
part of the model's spec: ``shipped_transcripts.json`` holds what the library wrote for each
model, with its own decoder and with greedy, on the shipped clips and on strings joined from
them, before the change (those files keep their decoder in the older ``info`` record)."""

import json
from pathlib import Path

import numpy as np
import pytest

from asrlib import audio, checkpoint
from asrlib.transcriber import Transcriber

ROOT = Path(__file__).resolve().parents[1]
EXPECTED = json.loads((Path(__file__).parent / "shipped_transcripts.json").read_text())
WORDS = ["three", "one", "four", "one", "five", "nine", "two", "six"]  # the joined strings


def _inputs() -> dict[str, object]:
    clips = sorted((ROOT / "data" / "clips").rglob("*.flac"))
    inputs: dict[str, object] = {str(c.relative_to(ROOT)): c for c in clips}
    pad = np.zeros(3200, np.float32)
    for speaker in sorted({c.name.split("_")[0] for c in clips}):
        parts = [audio.load(next(c for c in clips if c.parent.name == w
                                 and c.name.startswith(speaker))) for w in WORDS]
        inputs[f"string:{speaker}"] = np.concatenate([x for p in parts for x in (pad, p)] + [pad])
    return inputs


@pytest.mark.slow
@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_shipped_model_transcribes_as_before(key):
    name, decoder = key.split("|")
    transcriber = Transcriber.from_file(ROOT / "data" / name, None if decoder == "own" else decoder)
    got = {}
    for label, source in _inputs().items():
        got[label] = (transcriber.transcribe(source) if isinstance(source, np.ndarray)
                      else transcriber.transcribe_file(source).text)
    assert got == EXPECTED[key]


def test_every_older_model_file_is_compared():
    """The files written before the change (the decoder in ``info``) are all in the table."""
    shipped = {p.name for p in (ROOT / "data").glob("*.keras")}
    older = {p for p in shipped if "decoder" not in checkpoint.read_meta(ROOT / "data" / p)}
    assert {k.split("|")[0] for k in EXPECTED} == older
    for path in (ROOT / "data").glob("*.keras"):
        meta = checkpoint.read_meta(path)
        spec = checkpoint.spec_of(meta, path)
        own = (meta.get("info") or {}).get("decoder") or meta.get("decoder")
        assert spec.decoder.kind == ("lexicon" if own else "greedy"), path.name
