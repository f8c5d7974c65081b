"""Where a language model matters: the sentence model decoded with an English word LM.

    python benchmarks/sentence_lm.py                  # writes data/sentence_lm.json

The sentence model (``data/sentence_baseline.keras``) transcribes the held-out LibriSpeech
speaker four ways: greedy letters; a lexicon (every word must be one of the English LM's
70,000 words, plus a word bonus, no LM: α = 0); lexicon and LM with the weights tuned on the
validation voice (never trained on); and the same with the LM weighed far too much. The
weights are chosen on the validation voice only; the test speaker is decoded once per row.
Notebook 06 shows the table and re-decodes a few test utterances live.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ALPHAS = (0.0, 0.25, 0.5, 1.0, 2.0)
BETAS = (0.0, 1.5, 3.0)
BEAM = 16
TOO_LARGE = 4.0  # "far too much": this many times the tuned weight (at least 3.0)


def _probs(bundle, utts):
    from asrlib import pipeline
    from asrlib.model import predict_probs

    examples, report = pipeline.make_examples(utts, bundle.spec)
    if report.dropped:
        print(f"note: {len(report.dropped)} utterances dropped: {report.dropped}")
    # one utterance at a time, as `transcribe` does: in a padded batch the backward LSTM
    # would also read the padding, and the probabilities would depend on the batch
    probs = predict_probs(bundle.model, [e.features for e in examples], bundle.spec.model,
                          batch_size=1)
    return probs, [e.text for e in examples], [e.id for e in examples]


def _row(name, decode, probs, refs):
    from asrlib import metrics

    t0 = time.perf_counter()
    hyps = [decode(p) for p in probs]
    seconds = time.perf_counter() - t0
    return {"decoder": name, "wer": metrics.wer(refs, hyps), "cer": metrics.cer(refs, hyps),
            "seconds": round(seconds, 1)}, hyps


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default=str(ROOT / "data" / "sentence_baseline.keras"))
    parser.add_argument("--n-val", type=int, default=40, help="validation utterances to tune on")
    parser.add_argument("--n-test", type=int, help="test utterances (default: all)")
    parser.add_argument("--out", default=str(ROOT / "data" / "sentence_lm.json"))
    args = parser.parse_args(argv)

    from asrlib import checkpoint, datasets, english_lm, lm
    from asrlib.decoding import greedy

    t_start = time.perf_counter()
    bundle = checkpoint.load(args.model)
    split = datasets.sentences_split()
    english = english_lm.load()
    val_probs, val_refs, _ = _probs(bundle, split["val"][: args.n_val])
    test_probs, test_refs, test_ids = _probs(bundle, split["test"][: args.n_test])
    print(f"tuning on {len(val_refs)} validation utterances ({split['val'][0].speaker}), "
          f"testing on {len(test_refs)} of speaker {split['test'][0].speaker}", flush=True)
    grid = lm.tune(val_probs, val_refs, english, bundle.alphabet, ALPHAS, BETAS, BEAM,
                   lexicon=True)
    best = grid[0]
    lexicon_only = min((g for g in grid if g["alpha"] == 0.0), key=lambda g: g["wer"])
    too_large = max(3.0, TOO_LARGE * best["alpha"])

    def task(alpha, beta):
        return lm.LexiconDecoder(english, alpha, beta, BEAM, True, alphabet=bundle.alphabet)

    decoders = [
        ("greedy", None, None, lambda p: bundle.alphabet.decode(greedy(p))),
        ("lexicon", 0.0, lexicon_only["beta"], task(0.0, lexicon_only["beta"])),
        ("lexicon + LM (tuned)", best["alpha"], best["beta"], task(best["alpha"], best["beta"])),
        ("lexicon + LM (weight too large)", too_large, best["beta"],
         task(too_large, best["beta"])),
    ]
    rows, hyps = [], {}
    for name, alpha, beta, decode in decoders:
        row, hyps[name] = _row(name, decode, test_probs, test_refs)
        rows.append({**row, "alpha": alpha, "beta": beta})
        print(f"{name:<34} WER {row['wer']:.1%}  CER {row['cer']:.1%}  ({row['seconds']} s)",
              flush=True)
    result = {
        "command": "python benchmarks/sentence_lm.py",
        "model": Path(args.model).name,
        "speakers": bundle.info.get("speakers"),
        "lm": {"source": "pocketsphinx en-us trigram + CMU dictionary", "words": len(english.vocab),
               "test_perplexity": round(english.perplexity(test_refs), 1)},
        "beam_width": BEAM,
        "val_utterances": len(val_refs),
        "grid": grid,
        "test": rows,
        "utterances": [{"id": i, "ref": r, **{name: hyps[name][k] for name in hyps}}
                       for k, (i, r) in enumerate(zip(test_ids, test_refs))],
        "seconds": round(time.perf_counter() - t_start, 1),
    }
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out} ({result['seconds']} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
