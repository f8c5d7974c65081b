"""Spelling: the AN4 recogniser (letters, digits, number words, commands) and its test table.

The split follows the published one: AN4's test split is only ever scored; its training
split loses :data:`N_VAL_FEMALE` women and :data:`N_VAL_MALE` men (chosen by a seeded hash
of their ids, before any training) to validation, which picks the epoch and tunes the
decoders. The decoders: greedy letters; a lexicon of the training transcripts' words
(``alpha = 0``); and that lexicon with a word trigram LM of the training transcripts
(Kneser-Ney, :mod:`asrlib.lm`), alpha and beta tuned on the validation speakers.
"""

from __future__ import annotations

import time
from dataclasses import replace

from asrlib.corpora import an4
from asrlib.decoding import DecoderSpec

N_VAL_FEMALE, N_VAL_MALE = 2, 6  # validation speakers taken from AN4's 21 women and 53 men
COPIES = 2  # each training recording as it is, and once with speed/loudness/effects drawn
LM_ORDER = 3
ALPHAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5)
BETAS = (0.0, 0.5, 1.0, 2.0, 3.0)
BEAM = 16


def validation_speakers(genders: dict[str, str], seed: int = 0) -> list[str]:
    """:data:`N_VAL_FEMALE` women and :data:`N_VAL_MALE` men of ``genders`` (``{id: gender}``),
    the first by a seeded hash of their ids: a choice made before any result is seen."""
    from asrlib.voices import seeded_order

    def order(s):
        return seeded_order(s, seed)

    women = sorted((s for s, g in genders.items() if g == "female"), key=order)
    men = sorted((s for s, g in genders.items() if g == "male"), key=order)
    return sorted(women[:N_VAL_FEMALE] + men[:N_VAL_MALE])


def split(root=None, download: bool | None = None, seed: int = 0) -> dict[str, list]:
    """``train`` / ``val`` (training speakers held out) / ``test`` (AN4's test split)."""
    train = an4.load("train", root, download)
    val_speakers = set(validation_speakers({u.speaker: an4.gender(u.speaker) for u in train},
                                           seed))
    return {"train": [u for u in train if u.speaker not in val_speakers],
            "val": [u for u in train if u.speaker in val_speakers],
            "test": an4.load("test", root, download)}


def training_material(utts: list, recipe, copies: int = COPIES, seed: int = 0) -> list:
    """Each training recording ``copies`` times: as it is, then with the recipe's speed and
    loudness perturbation and effects drawn per copy."""
    from asrlib import utterance

    return utterance.replayed(utts, copies, seed, recipe.perturb, recipe.effects)


def train_model(recipe, out, time_budget: float, root=None, download: bool | None = None,
                log=print, copies: int = COPIES, command: str | None = None, verbose: int = 2):
    """Train ``recipe`` on the training speakers into ``out`` (best validation CER kept; AN4's
    test split is never read here); → (bundle, splits, examples, seconds). ``command`` is
    what the model's record says made it (default: the ``an4`` command line)."""
    from asrlib import checkpoint, pipeline, train

    splits = split(root, download)
    spec = recipe.spec()
    t0 = time.perf_counter()
    examples = {}
    for name, utts in (("train", training_material(splits["train"], recipe, copies)),
                       ("val", splits["val"])):
        examples[name], report = pipeline.make_examples(utts, spec)
        log(f"{name}: {report}")
    log(f"features in {time.perf_counter() - t0:.0f} s")
    info = checkpoint.record(
        "an4", command or f"python -m asrlib an4 --out {out} --budget {time_budget:g}",
        {k: sorted({u.speaker for u in v}) for k, v in splits.items() if k != "test"}, recipe,
        copies=copies)
    t0 = time.perf_counter()
    train.fit(examples["train"], examples["val"], out, spec,
              replace(recipe.train, time_budget=time_budget), info=info, verbose=verbose)
    seconds = time.perf_counter() - t0
    return checkpoint.load(out), splits, examples, seconds


def fit_decoders(bundle, train_texts: list[str], val_examples) -> tuple[dict, dict]:
    """The three decoders of the table, tuned on the validation speakers: greedy, the
    lexicon of the training words (``alpha = 0``, ``beta`` tuned) and the lexicon with the
    word trigram LM (``alpha``, ``beta`` tuned). → ({name: DecoderSpec}, {name: grid})."""
    from asrlib import lm
    from asrlib.decoding import DecoderSpec
    from asrlib.model import predict_probs

    probs = predict_probs(bundle.model, [e.features for e in val_examples], bundle.spec.model)
    refs = [e.text for e in val_examples]
    words = lm.NGramLM.train(train_texts, order=LM_ORDER)
    specs, grids = {"greedy": DecoderSpec()}, {}
    for name, alphas in (("lexicon", (0.0,)), ("lexicon + LM", ALPHAS)):
        grid = lm.tune(probs, refs, words, bundle.alphabet, alphas, BETAS, BEAM, lexicon=True)
        best = grid[0]
        specs[name] = lm.LexiconDecoder(words, best["alpha"], best["beta"], BEAM,
                                        alphabet=bundle.alphabet).spec
        grids[name] = grid
    return specs, grids


def transcribe(bundle, specs: dict, examples) -> list[dict]:
    """One row per example: its id, speaker, gender, reference and each decoder's text."""
    from asrlib import decoders
    from asrlib.model import predict_probs

    probs = predict_probs(bundle.model, [e.features for e in examples], bundle.spec.model)
    built = {name: decoders.build(spec, bundle.alphabet) for name, spec in specs.items()}
    return [{"id": e.id, "speaker": e.speaker, "gender": an4.gender(e.speaker), "ref": e.text,
             **{name: d(p) for name, d in built.items()}} for e, p in zip(examples, probs)]


def score(rows: list[dict], names) -> dict:
    """Corpus WER and CER per decoder: over all rows, by gender and by speaker."""
    from asrlib import metrics

    def rates(subset):
        refs = [r["ref"] for r in subset]
        return {n: {"wer": round(metrics.wer(refs, [r[n] for r in subset]), 4),
                    "cer": round(metrics.cer(refs, [r[n] for r in subset]), 4)} for n in names}

    out = {"all": rates(rows), "words": sum(len(r["ref"].split()) for r in rows),
           "utterances": len(rows)}
    for key in ("gender", "speaker"):
        out[key] = {g: rates([r for r in rows if r[key] == g])
                    for g in sorted({r[key] for r in rows})}
    return out


# Published and measured results on AN4's test split, for the table beside ours. Our copy has
# no transcripts for one test speaker (fcaw, 13 recordings): 117 utterances, 699 words.
PEERS = (
    {"system": "pocketsphinx 5.1.1, en-us model, its English LM", "wer": 0.413, "cer": None,
     "utterances": 117, "note": "measured on this machine"},
    {"system": "pocketsphinx 5.1.1, en-us model, AN4's dictionary and unigram LM",
     "wer": 0.199, "cer": 0.125, "utterances": 117, "note": "measured on this machine"},
    {"system": "ESPnet AN4 Transformer + LM (GPU-trained, published)", "wer": 0.074, "cer": None,
     "utterances": 130, "note": "all 130 test utterances (773 words)"},
    {"system": "asrlib train --data manifest, 2 BiLSTM(192), 20 min (a first try)",
     "wer": 0.169, "cer": 0.078, "utterances": 117, "note": "greedy, no LM"},
)


def evaluate(model_path, root=None, download: bool | None = None, save_decoder: bool = True,
             log=print) -> dict:
    """Tune the decoders on the validation speakers, score AN4's test split with each, and
    (``save_decoder``) make the lexicon + LM decoder the model file's own."""
    from asrlib import checkpoint, pipeline

    bundle = checkpoint.load(model_path)
    bundle.spec = replace(bundle.spec, decoder=DecoderSpec())
    splits = split(root, download)
    val, _ = pipeline.make_examples(splits["val"], bundle.spec)
    test, report = pipeline.make_examples(splits["test"], bundle.spec)
    t0 = time.perf_counter()
    texts = [bundle.alphabet.normalize(u.text) for u in splits["train"]]  # as the model spells
    specs, grids = fit_decoders(bundle, texts, val)
    log(f"decoders tuned on {len(val)} validation utterances in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    rows = transcribe(bundle, specs, test)
    seconds = time.perf_counter() - t0
    scores = score(rows, list(specs))
    if save_decoder:
        checkpoint.set_decoder(model_path, specs["lexicon + LM"])
    return {"model": str(model_path), "scores": scores, "rows": rows,
            "decoders": {n: {k: v for k, v in s.to_dict().items() if k != "lm"}
                         for n, s in specs.items()},
            "tuning": {n: g[:5] for n, g in grids.items()},
            "untranscribed_test": an4.untranscribed("test", root, download),
            "dropped_test": report.dropped, "decode_seconds": round(seconds, 1),
            "epoch": bundle.info.get("epoch"), "val_cer": bundle.info.get("val_cer")}


def format_table(result: dict, label: str = "this model") -> str:
    """The test-split table: the peers, then our model (``label``) with each decoder; per
    gender."""
    s = result["scores"]
    lines = [f"AN4 test split: {s['utterances']} utterances, {s['words']} words "
             "(letters count as words)", "",
             f"{'system':<66}{'WER':>7}{'CER':>7}"]
    for p in PEERS:
        cer = f"{p['cer']:.1%}" if p["cer"] is not None else "–"
        lines.append(f"{p['system']:<66}{p['wer']:>7.1%}{cer:>7}")
    for name, r in s["all"].items():
        d = result["decoders"][name]
        tuned = f", α={d['alpha']:g} β={d['beta']:g}" if d["kind"] != "greedy" else ""
        by = ", ".join(f"{g} {v[name]['wer']:.1%}" for g, v in s["gender"].items())
        lines.append(f"{f'{label}, {name}{tuned} ({by})':<66}"
                     f"{r['wer']:>7.1%}{r['cer']:>7.1%}")
    return "\n".join(lines)
