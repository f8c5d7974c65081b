"""The package's shape: no import cycle, display code above the stages, short modules and
functions, and the configs and recipes importable without TensorFlow."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("structure", ROOT / "benchmarks" / "structure.py")
structure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(structure)

MAX_MODULE_LINES = 450
MAX_FUNCTION_LINES = 80
DISPLAY = {"runtime", "plots", "app", "recorder", "live", "checks", "demo", "cli", "cli_commands"}
STAGES = {"audio", "features", "text", "model", "config", "ctc", "decoding", "lm", "metrics",
          "download", "archives", "corpora", "datasets", "manifest", "voices", "augment",
          "pipeline", "shards", "shard_workers", "checkpoint", "train", "distribute",
          "recipes", "protocol", "loso", "crossval", "results", "transcriber", "tflite",
          "export", "streaming", "latency", "files", "utterance", "decoders", "spelling", "records",
          "corpora.an4", "corpora.fsdd", "corpora.librispeech", "corpora.ljspeech",
          "corpora.alphanumeric", "corpora.speech_commands", "corpora.common_voice"}


def test_the_structure_tool_finds_a_cycle():
    assert structure.cycles({"a": {"b"}, "b": {"a"}, "c": set()}) == [["a", "b"]]


def test_asrlib_has_no_import_cycle():
    graph = structure.graph()
    assert set(graph) >= STAGES | DISPLAY - {"checks"}
    assert structure.cycles(graph) == []


def test_stage_modules_never_import_display_code():
    graph = structure.graph()
    for name in STAGES:
        assert not graph[name] & DISPLAY, (name, graph[name] & DISPLAY)
    assert graph["files"] == set()  # the support module imports nothing of asrlib


@pytest.mark.parametrize("name", sorted(structure.modules()))
def test_modules_and_functions_are_short(name):
    path = structure.modules()[name]
    assert len(path.read_text().splitlines()) <= MAX_MODULE_LINES, name
    long = [(f, n) for f, n in structure.functions(path) if n > MAX_FUNCTION_LINES]
    assert not long, long


def test_configs_and_recipes_import_without_tensorflow():
    code = ("import sys; import asrlib.config, asrlib.recipes, asrlib.results; "
            "print(sorted(m for m in ('tensorflow', 'keras') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]", out.stdout


def test_spec_is_one_frozen_value_and_the_one_parser_of_a_model_record():
    import dataclasses

    from asrlib.config import Spec
    from asrlib.decoding import DecoderSpec
    from asrlib.features import FeatureConfig
    from asrlib.model import ModelConfig
    from asrlib.text import Alphabet

    spec = Spec()
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.model = ModelConfig(units=64)
    assert Spec.from_dict({**spec.to_dict(), "info": {"any": 1}}) == spec
    with pytest.raises(ValueError, match="40 features per frame but the model expects 13"):
        Spec(FeatureConfig(kind="logmel"))
    with pytest.raises(ValueError, match=r"29 symbols .* but the model has 28 outputs"):
        Spec(alphabet=Alphabet.with_apostrophe())
    lexicon = DecoderSpec("lexicon", lm={"vocab": ["don't"]})
    with pytest.raises(ValueError, match="words the alphabet cannot spell"):
        Spec(decoder=lexicon)
    assert Spec(model=ModelConfig(n_classes=29), alphabet=Alphabet.with_apostrophe(),
                decoder=lexicon).decoder == lexicon
    with pytest.raises(ValueError, match="no 'alphabet' record"):
        Spec.from_dict({"features": {}, "model": {}})
