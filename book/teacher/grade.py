"""The automatic part of the graded projects (book/projects.md), on the teacher's side.

    python book/teacher/grade.py P1 SUBMISSION.keras [--fold SPEAKER] [--budget SECONDS]
    python book/teacher/grade.py P2 SUBMISSION.keras
    python book/teacher/grade.py P3 SUBMISSION.keras --tuned-on TUNE.jsonl --heldout HELD.jsonl \
        [--base data/digits_model.keras] [--rerun SECOND_RUN.keras]

Add ``--json`` for the report as one JSON object instead of Markdown. Each project's test
material is fixed and scored with the library's own functions, and each figure is compared
with its reference by the series' one rule (:func:`asrlib.results.judge`):

- **P1** (beat the shipped digits recipe on one LOSO fold): 300 connected-digit strings of the
  fold's test speaker, exactly the strings the stored fold scored (``datasets.connected_digits``,
  seed 2, as :func:`asrlib.datasets.digits_split` builds them); the reference is the shipped
  recipe's stored fold (``data/loso/v4-helped/SPEAKER.json``, its last three epochs averaged,
  read by :func:`asrlib.results.load_results`); the floor is the one-fold noise floor of the
  stored claims runs (:func:`asrlib.results.noise_floor`: the seed's recipe trained twice).
- **P2** (a spelled-letters model): AN4's test split (:func:`asrlib.spelling.split`, scored
  by :func:`asrlib.spelling.score`); the references are the shipped AN4 model's stored results
  (``data/an4_model.results.json``) and the traditional recognisers measured beside it
  (:data:`asrlib.spelling.PEERS`); the floor is the series' minimum,
  :data:`asrlib.results.MIN_DIFFERENCE` (no AN4 recipe was trained twice).
- **P3** (your own voice): the student's held-out clips, before (the base model) and after
  (the fine-tuned one); the floor is the gap between two fine-tuning runs that differ only in
  their seed (``--rerun``), never less than one word of the held-out clips.

A model file is data: it is loaded with :func:`asrlib.checkpoint.load`, which refuses a bad or
hostile file with :class:`asrlib.checkpoint.ModelFileError` before TensorFlow is imported. A
file that cannot be graded (not a model, missing, a manifest that is not one) ends in one line
``error: …`` on stderr and exit status 2, never a traceback (``ASRLIB_DEBUG=1`` shows it). A
model that loads is always graded, even when a rule of its project was broken: its report says
which, with zero points where the rubric says so, and the exit status is 0.

This file is not installed with ``asrlib`` (nothing under ``book/`` is) and holds no answer;
students may run it on their own submission before handing it in.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "data"
POINTS = 50  # the automatic part of every project; the write-up is the other 50

# P1: the shipped digits recipe under leave-one-speaker-out (data/loso/, notebooks 07 and 11)
P1_REFERENCE = "v4-helped"  # the recipe whose levers data/digits_model.keras carries
P1_BUDGET = 300.0  # seconds of training per fold, the budget of every stored fold
P1_TEST_SEED = 2  # datasets.digits_split(seed=0) builds the test strings with seed 0 + 2
# P2: AN4, the shipped model's stored test table
P2_RESULTS = DATA / "an4_model.results.json"
# P3: your own voice
P3_BASE = DATA / "digits_model.keras"
P3_MIN_HELDOUT = 5  # held-out clips: fewer cannot tell a model from its rerun
MAX_CLIP_BYTES = 50 * 1024**2  # a clip's file is hashed; a 30 s recording is far smaller
MAX_CLIPS = 100  # per manifest: the project asks for about twenty
# Grading time stays small whatever a file asks for: the series decodes with beams of 8 (digits)
# and 16 (AN4); a file whose decoder asks for more is decoded with this many (and told so).
MAX_BEAM = 64

# The automatic part's rubric lines and their points, as book/projects.md states them
# (tests/test_projects.py checks that the page and this table agree).
RUBRIC = {
    "P1": (("fair comparison: the fold's FSDD voices only", 5),
           ("fair comparison: training budget", 5),
           ("the model's own decoder against the reference", 25),
           ("greedy letters against the reference", 15)),
    "P2": (("fair comparison: AN4's training speakers only", 5),
           ("fair comparison: no word only the test split says", 5),
           ("the model's own decoder, by the references", 30),
           ("greedy letters, by the references", 10)),
    "P3": (("fine-tuned from the base model", 5),
           ("noise floor measured (a second run)", 10),
           ("the model's own decoder, after against before", 20),
           ("greedy letters, after against before", 15)),
}
# What a verdict of the one rule is worth on a line: (better, within noise, worse).
VERDICT_POINTS = {
    "P1 own decoder": (25, 15, 0),
    "P1 greedy": (15, 9, 0),
    "P3 own decoder": (20, 10, 0),
    "P3 greedy": (15, 8, 0),
}
# P2's levels: (points, what the WER must be as good as, by the one rule)
P2_LEVELS = {"own": ((30, "the shipped AN4 model"), (20, "pocketsphinx with AN4's dictionary"),
                     (10, "pocketsphinx with its English LM")),
             "greedy": ((10, "the shipped AN4 model's greedy letters"),
                        (5, "pocketsphinx with AN4's dictionary"))}
# The fewest points of a submission as good as the reference (within noise on every verdict,
# every rule kept): what the rubric promises such a model.
AS_GOOD = {"P1": 5 + 5 + 15 + 9, "P2": 50, "P3": 5 + 10 + 10 + 8}


class GradeError(ValueError):
    """A submission (or an argument) that cannot be graded at all: one line, exit status 2."""


@dataclass
class Line:
    """One line of the rubric's automatic part."""

    name: str
    points: int
    max: int
    measured: str = ""
    reference: str = ""
    verdict: str = ""


@dataclass
class Report:
    project: str
    title: str
    submission: str
    setting: list[str] = field(default_factory=list)  # what it was scored on, and against what
    lines: list[Line] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    gate: str = ""  # non-empty: a rule broken that makes every figure meaningless (0 points)
    seconds: float = 0.0

    @property
    def points(self) -> int:
        return 0 if self.gate else sum(line.points for line in self.lines)

    def add(self, name, points, maximum, measured="", reference="", verdict="") -> Line:
        line = Line(name, int(points), int(maximum), measured, reference, verdict)
        self.lines.append(line)
        return line

    def to_dict(self) -> dict:
        return {"project": self.project, "title": self.title, "submission": self.submission,
                "points": self.points, "max": POINTS, "gate": self.gate or None,
                "setting": self.setting, "lines": [asdict(line) for line in self.lines],
                "notes": self.notes, "seconds": round(self.seconds, 1)}

    def markdown(self) -> str:
        out = [f"# {self.project} · {self.title}", "", f"submission: `{self.submission}`", ""]
        out += [f"- {s}" for s in self.setting]
        if self.gate:
            out += ["", f"**Not graded further: {self.gate}** The automatic part is 0."]
        out += ["", "| rubric line | measured | reference | verdict | points |",
                "|---|---|---|---|---|"]
        for line in self.lines:
            points = f"{line.points} / {line.max}" if not self.gate else f"0 / {line.max}"
            out.append(f"| {line.name} | {line.measured} | {line.reference} | {line.verdict} "
                       f"| {points} |")
        out.append(f"| **automatic part** | | | | **{self.points} / {POINTS}** |")
        if self.notes:
            out += ["", "Notes:"] + [f"- {n}" for n in self.notes]
        out += ["", f"graded in {self.seconds:.0f} s"]
        return "\n".join(out)


# --- shared helpers ----------------------------------------------------------------------------


def pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def load(path, what: str = "submission"):
    """An asrlib model file, or :class:`GradeError` in one line (checked before TensorFlow)."""
    from asrlib import checkpoint, files

    path = Path(path)
    try:
        checkpoint.spec_of(checkpoint.read_meta(path), path)  # a bad file: no TensorFlow yet
        files.import_tensorflow_quietly()
        return checkpoint.load(path)
    except checkpoint.ModelFileError as err:
        raise GradeError(f"{what}: {err}") from None


def record(value) -> dict:
    """A part of a model's record that should be a dict (a hostile file may hold anything)."""
    return value if isinstance(value, dict) else {}


def heard_voices(info: dict) -> dict[str, list[str]] | None:
    """The speakers the model's record says it trained and validated on, or None when the
    record does not say (then nothing about its test voices can be verified)."""
    speakers = info.get("speakers") if isinstance(info, dict) else None
    if not isinstance(speakers, dict):
        return None
    out = {}
    for split in ("train", "val"):
        names = speakers.get(split, [])
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            return None
        out[split] = list(names)
    return out if out.get("train") else None


def transcribe(bundle, utts, cache: bool = True) -> tuple[dict, list[str]]:
    """Greedy letters and the model's own decoder (the one its file carries) for ``utts``:
    ``({"greedy": [...], "own": [...]}, notes)``. An utterance the model cannot read (too short
    for its frames, unreadable audio) is scored as an empty transcript: every word missed."""
    from dataclasses import replace

    from asrlib import decoders, pipeline
    from asrlib.decoding import DecoderSpec
    from asrlib.model import predict_probs

    examples, report = pipeline.make_examples(utts, bundle.spec, cache=cache)
    probs = predict_probs(bundle.model, [e.features for e in examples], bundle.spec.model)
    by_id = dict(zip([e.id for e in examples], probs))
    own, notes = bundle.spec.decoder, []
    if own.beam_width > MAX_BEAM:
        notes.append(f"its decoder asks for a beam of {own.beam_width}; graded with {MAX_BEAM}")
        own = replace(own, beam_width=MAX_BEAM)
    built = {"greedy": decoders.build(DecoderSpec(), bundle.alphabet),
             "own": decoders.build(own, bundle.alphabet)}
    hyps = {name: [d(by_id[u.id]) if u.id in by_id else "" for u in utts]
            for name, d in built.items()}
    if report.dropped:
        notes.append(f"{len(report.dropped)} of {len(utts)} utterances could not be read by this "
                     f"model and count as empty transcripts (first: {report.dropped[0][1]})")
    return hyps, notes


def scores(refs: list[str], hyps: list[str]) -> dict:
    from asrlib import metrics

    return {"wer": metrics.wer(refs, hyps), "cer": metrics.cer(refs, hyps)}


def own_decoder_name(bundle) -> str:
    d = bundle.spec.decoder
    if d.kind == "greedy":
        return "greedy (the file carries no other decoder)"
    return f"{d.kind}, beam {d.beam_width}" + (f", α {d.alpha:g}, β {d.beta:g}" if d.has_lm else "")


def verdict_points(line: str, verdict: str) -> int:
    better, within, worse = VERDICT_POINTS[line]
    return {"better": better, "within noise": within, "worse": worse}[verdict]


def as_good_as(reference: float, mine: float, floor: float) -> bool:
    """The one rule: ``mine`` is not worse than ``reference`` (better, or within noise)."""
    from asrlib import results

    return results.judge([reference], [mine], floor) != "worse"


# --- P1: beat the shipped digits recipe on one LOSO fold -------------------------------------


def grade_p1(path, fold: str = "theo", budget: float = P1_BUDGET) -> Report:
    from asrlib import datasets, loso, results

    try:
        train_voices, val_voice, _ = loso.fold_speakers(fold)
    except ValueError as err:
        raise GradeError(f"--fold: {err}") from None
    stored = {f.test_speaker: f for f in results.load_results(DATA / "loso", P1_REFERENCE)}
    if fold not in stored or "averaged" not in stored[fold].extra:
        raise GradeError(f"data/loso/{P1_REFERENCE}/{fold}.json: the reference fold is missing")
    reference = stored[fold]
    ref = {"greedy": reference.extra["averaged"]["greedy"],
           "own": reference.extra["averaged"]["task"]}
    claims = results.load_claims(DATA / "claims")
    floor = {"greedy": results.noise_floor(claims, "greedy"),
             "own": results.noise_floor(claims, "task")}
    report = Report("P1", "beat the shipped digits recipe on one fold", str(path))
    report.setting = [
        f"fold: test speaker {fold} (never heard), validation {val_voice} in the reference, "
        f"training {', '.join(train_voices)}",
        f"reference: the shipped digits recipe `{P1_REFERENCE}` on this fold, its last three "
        f"epochs averaged, {reference.time_budget:g} s of training "
        f"(`data/loso/{P1_REFERENCE}/{fold}.json`)",
        f"test material: the fold's {reference.n_test} connected-digit strings of {fold}",
        f"noise floor of one fold (the seed's recipe trained twice, `data/claims`): greedy "
        f"{pct(floor['greedy'])}, digit decoder {pct(floor['own'])}",
    ]
    bundle = load(path)
    heard = heard_voices(bundle.info)
    if heard is None:
        report.gate = ("its record does not name the voices it trained and validated on, so "
                       "nobody can tell whether it heard the test speaker (train it with asrlib: "
                       "`checkpoint.record` or the command line write them).")
    else:
        names = {n.removeprefix("fsdd:") for n in heard["train"] + heard["val"]}
        if fold in names:
            report.gate = (f"it trained or validated on {fold}, the fold's test speaker: its "
                           "score would measure memory, not a new voice.")
    names = [name for name, _ in RUBRIC["P1"]]
    if report.gate:  # no scoring: the figure would mean nothing
        for name, maximum in RUBRIC["P1"]:
            report.add(name, 0, maximum)
        return report

    all_names = heard["train"] + heard["val"]
    outside = sorted(n for n in all_names if n.removeprefix("fsdd:") not in datasets.FSDD_SPEAKERS)
    if bundle.info.get("more_voices"):
        outside.append("the sentence corpora (more_voices)")
    report.add(names[0], 0 if outside else 5, 5,
               f"{len(all_names)} voices" + (f", {len(outside)} outside FSDD" if outside else ""),
               "4 FSDD voices + 1 to validate")
    if outside:
        shown = ", ".join(outside[:5]) + (" …" if len(outside) > 5 else "")
        report.notes.append(f"trained or validated on voices outside FSDD ({shown}): more data "
                            "than the reference had")
    spent = record(bundle.info.get("train")).get("time_budget")
    within_budget = isinstance(spent, (int, float)) and spent <= budget * 1.001
    report.add(names[1], 5 if within_budget else 0, 5,
               f"{spent:g} s" if isinstance(spent, (int, float)) else "not recorded",
               f"at most {budget:g} s")
    if not within_budget:
        report.notes.append("the training budget is over the class's, or not recorded "
                            "(`info['train']['time_budget']`): not a comparison at an equal budget")

    utts = datasets.connected_digits(reference.n_test, [fold], seed=P1_TEST_SEED)
    refs = [bundle.alphabet.normalize(u.text) for u in utts]
    hyps, notes = transcribe(bundle, utts)
    report.notes += notes
    for key, label, line in (("own", names[2], "P1 own decoder"),
                             ("greedy", names[3], "P1 greedy")):
        mine = scores(refs, hyps[key])
        verdict = results.judge([ref[key]["wer"]], [mine["wer"]], floor[key])
        report.add(label, verdict_points(line, verdict), VERDICT_POINTS[line][0],
                   f"WER {pct(mine['wer'])}, CER {pct(mine['cer'])}",
                   f"WER {pct(ref[key]['wer'])}", verdict)
    report.notes.append(f"the model's own decoder: {own_decoder_name(bundle)}")
    kept = record(bundle.info.get("averaged")).get("epochs") or bundle.info.get("epoch")
    report.notes.append(f"epochs its file holds: {kept if kept else 'not recorded'}; the "
                        f"reference trained {reference.epochs} epochs in its "
                        f"{reference.time_budget:g} s and averaged epochs "
                        f"{reference.extra['averaged']['epochs']}")
    if bundle.spec.decoder.kind == "greedy":
        report.notes.append("no digit-word decoder in the file: `python -m asrlib tune-decoder "
                            "--model FILE` tunes one on its validation speaker")
    return report


# --- P2: a spelled-letters model on AN4 ------------------------------------------------------


def grade_p2(path) -> Report:
    from asrlib import spelling
    from asrlib.corpora import an4
    from asrlib.results import MIN_DIFFERENCE

    stored = json.loads(P2_RESULTS.read_text(encoding="utf-8"))["scores"]["all"]
    peers = {p["system"]: p["wer"] for p in spelling.PEERS}
    sphinx_an4 = next(w for s, w in peers.items() if "AN4's dictionary" in s)
    sphinx_english = next(w for s, w in peers.items() if "English LM" in s)
    shipped_own, shipped_greedy = stored["lexicon + LM"]["wer"], stored["greedy"]["wer"]
    report = Report("P2", "a spelled-letters model (CMU AN4)", str(path))
    report.setting = [
        "test material: AN4's test split, the speakers no model of the series trains or tunes on",
        f"references (`data/an4_model.results.json`, `asrlib.spelling.PEERS`): the shipped AN4 "
        f"model, its own decoder {pct(shipped_own)} and greedy {pct(shipped_greedy)}; "
        f"pocketsphinx with AN4's dictionary {pct(sphinx_an4)}, with its English LM "
        f"{pct(sphinx_english)}",
        f"noise floor: the series' minimum, {pct(MIN_DIFFERENCE)} (no AN4 recipe was trained "
        "twice; notebook 07 shows nine test voices can move a figure by several points)",
    ]
    bundle = load(path)
    splits = spelling.split()
    test_speakers = set(an4.speakers("test"))
    train_speakers = set(an4.speakers("train"))
    heard = heard_voices(bundle.info)
    if heard is None:
        report.gate = ("its record does not name the voices it trained and validated on, so "
                       "nobody can tell whether it heard AN4's test speakers (train it with "
                       "`spelling.train_model` or `python -m asrlib an4`).")
    elif test_speakers & set(heard["train"] + heard["val"]):
        leaked = sorted(test_speakers & set(heard["train"] + heard["val"]))
        report.gate = f"it trained or validated on AN4's test speakers ({', '.join(leaked)})."
    names = [name for name, _ in RUBRIC["P2"]]
    if report.gate:
        for name, maximum in RUBRIC["P2"]:
            report.add(name, 0, maximum)
        return report

    others = sorted(set(heard["train"] + heard["val"]) - train_speakers)
    report.add(names[0], 0 if others else 5, 5,
               f"{len(heard['train'])} + {len(heard['val'])} voices"
               + (f", {len(others)} not AN4 training speakers" if others else ""),
               "AN4's 74 training speakers")
    norm = bundle.alphabet.normalize
    train_words = {w for u in splits["train"] + splits["val"] for w in norm(u.text).split()}
    test_only = {w for u in splits["test"] for w in norm(u.text).split()} - train_words
    vocab = set((bundle.spec.decoder.lm or {}).get("vocab", []))
    leaked = sorted(vocab & test_only)
    report.add(names[1], 0 if leaked else 5, 5,
               f"{len(vocab)} words in its decoder" if vocab else "no word list",
               f"none of {', '.join(sorted(test_only))}")
    if leaked:
        report.notes.append(f"its decoder knows {', '.join(leaked)}, words that only AN4's test "
                            "transcripts say: its language model read the test split")

    utts = splits["test"]
    refs = [norm(u.text) for u in utts]
    hyps, notes = transcribe(bundle, utts)
    report.notes += notes
    rows = [{"speaker": u.speaker, "gender": an4.gender(u.speaker), "ref": r,
             "greedy": g, "own": o} for u, r, g, o in zip(utts, refs, hyps["greedy"], hyps["own"])]
    scored = spelling.score(rows, ["greedy", "own"])
    own, greedy = scored["all"]["own"], scored["all"]["greedy"]
    references = {"own": (shipped_own, sphinx_an4, sphinx_english),
                  "greedy": (shipped_greedy, sphinx_an4)}
    for key, name, mine in (("own", names[2], own), ("greedy", names[3], greedy)):
        levels = zip(P2_LEVELS[key], references[key])
        points, label = next(((p, f"as good as {who}") for (p, who), wer in levels
                              if as_good_as(wer, mine["wer"], MIN_DIFFERENCE)),
                             (0, "worse than every reference"))
        report.add(name, points, P2_LEVELS[key][0][0],
                   f"WER {pct(mine['wer'])}, CER {pct(mine['cer'])}",
                   " / ".join(pct(w) for w in references[key]), label)
    per_speaker = {s: v["own"]["wer"] for s, v in scored["speaker"].items()}
    worst = max(per_speaker, key=per_speaker.get)
    report.notes.append(f"the model's own decoder: {own_decoder_name(bundle)}; "
                        f"{scored['utterances']} utterances, {scored['words']} words; by gender "
                        + ", ".join(f"{g} {pct(v['own']['wer'])}"
                                    for g, v in scored["gender"].items())
                        + f"; worst voice {worst} {pct(per_speaker[worst])}")
    if bundle.spec.decoder.kind == "greedy":
        report.notes.append("no lexicon in the file: `python -m asrlib an4 --out FILE "
                            "--evaluate-only` tunes one on the validation speakers and saves it")
    return report


# --- P3: your own voice ------------------------------------------------------------------------


def read_clips(path, what: str) -> tuple[list, list[str]]:
    """A manifest of the student's clips: its utterances and one note per row left out. Every
    audio file must lie in the manifest's folder (or below it) and be a small regular file."""
    from asrlib import manifest
    from asrlib.utterance import ManifestError

    path = Path(path)
    try:
        utts, problems = manifest.read(path)
    except ManifestError as err:
        raise GradeError(f"{what}: {err}") from None
    if len(utts) > MAX_CLIPS:
        problems.append(f"{len(utts)} clips: only the first {MAX_CLIPS} are used")
        utts = utts[:MAX_CLIPS]
    home, kept = path.resolve().parent, []
    for u in utts:
        audio = Path(u.path).resolve()
        if not audio.is_relative_to(home):
            problems.append(f"{u.id}: {u.path} is outside the manifest's folder")
        elif not audio.is_file() or audio.stat().st_size > MAX_CLIP_BYTES:
            problems.append(f"{u.id}: {u.path} is missing or not a small audio file")
        else:
            kept.append(u)
    return kept, [f"{what}: {p}" for p in problems]


def fingerprint(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def same_network(a, b) -> bool:
    return a.spec.model == b.spec.model and a.spec.features == b.spec.features


def same_weights(a, b) -> bool:
    import numpy as np

    wa, wb = a.model.get_weights(), b.model.get_weights()
    return len(wa) == len(wb) and all(x.shape == y.shape and np.array_equal(x, y)
                                      for x, y in zip(wa, wb))


def grade_p3(path, tuned_on, heldout, base=P3_BASE, rerun=None) -> Report:
    from asrlib import results

    report = Report("P3", "your own voice, before and after fine-tuning", str(path))
    tune, tune_notes = read_clips(tuned_on, "--tuned-on")
    held, held_notes = read_clips(heldout, "--heldout")
    report.notes += tune_notes + held_notes
    bundle = load(path)
    before = load(base, "--base")
    second = load(rerun, "--rerun") if rerun else None
    report.setting = [f"base (before): `{base}`",
                      f"clips: {len(tune)} fine-tuned on (`{tuned_on}`), {len(held)} held out "
                      f"(`{heldout}`)"]

    tuned_prints = {fingerprint(u.path) for u in tune}
    shared = [u.id for u in held if fingerprint(u.path) in tuned_prints]
    if shared:
        report.gate = (f"{len(shared)} held-out clip(s) are also fine-tuning clips (the same "
                       f"audio, e.g. {shared[0]}): a score on trained clips means nothing.")
    elif not tune:
        report.gate = "no readable fine-tuning clip: the split cannot be checked."
    elif len(held) < P3_MIN_HELDOUT:
        report.gate = (f"{len(held)} readable held-out clips; at least {P3_MIN_HELDOUT} are "
                       "needed to measure anything.")
    names = [name for name, _ in RUBRIC["P3"]]
    if report.gate:
        for name, maximum in RUBRIC["P3"]:
            report.add(name, 0, maximum)
        return report

    from_base = same_network(bundle, before) and not same_weights(bundle, before)
    why = ("a different network or features" if not same_network(bundle, before) else
           "the base's own weights: nothing was fine-tuned" if not from_base else
           "the base's network, new weights")
    report.add(names[0], 5 if from_base else 0, 5, why, "")
    refs = [before.alphabet.normalize(u.text) for u in held]
    n_words = sum(len(r.split()) for r in refs)
    one_word = 1 / max(n_words, 1)
    runs = {"before": transcribe(before, held, cache=False),
            "after": transcribe(bundle, held, cache=False)}
    rerun_ok = (second is not None and same_network(second, bundle)
                and not same_weights(second, bundle))
    if second is not None:
        runs["rerun"] = transcribe(second, held, cache=False)
    for notes in (n for _, n in runs.values()):
        report.notes += notes
    wer = {name: {k: scores(refs, hyps[k]) for k in ("greedy", "own")}
           for name, (hyps, _) in runs.items()}
    floor = {}
    for key in ("greedy", "own"):
        measured = (results.rerun_floor(wer["after"][key]["wer"], wer["rerun"][key]["wer"])
                    if rerun_ok else results.MIN_DIFFERENCE)
        floor[key] = max(measured, one_word)
    report.add(names[1], 10 if rerun_ok else 0, 10,
               (f"greedy {pct(floor['greedy'])}, own decoder {pct(floor['own'])}"
                if rerun_ok else "no second run" if second is None else
                "the second run is not another run of the same fine-tuning"),
               f"at least one word: {pct(one_word)}")
    report.setting.append(f"{len(held)} held-out clips, {n_words} words; noise floor "
                          + ("from the two runs" if rerun_ok else "the series' minimum")
                          + f", never below one word: greedy {pct(floor['greedy'])}, own "
                          f"decoder {pct(floor['own'])}")
    for key, label, line in (("own", names[2], "P3 own decoder"),
                             ("greedy", names[3], "P3 greedy")):
        a = wer["before"][key]["wer"]
        after = [wer["after"][key]["wer"]] + ([wer["rerun"][key]["wer"]] if rerun_ok else [])
        verdict = results.judge([a], after, floor[key])
        points = verdict_points(line, verdict)
        if verdict == "within noise" and a <= floor[key]:  # nothing was left to gain
            points = VERDICT_POINTS[line][0]
            report.notes.append(f"{label}: the base model already made at most one floor of "
                                "errors on these clips, so no gain was possible")
        measured = " / ".join(pct(x) for x in after)
        report.add(label, points, VERDICT_POINTS[line][0], f"after: WER {measured}",
                   f"before: WER {pct(a)}", verdict)
    report.notes.append(f"the model's own decoder: {own_decoder_name(bundle)}")
    if "fine_tuned" not in bundle.info:
        report.notes.append("its record has no `fine_tuned` entry (`train.fine_tune` writes one)")
    return report


# --- the command line --------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python book/teacher/grade.py",
        description="The automatic part of the projects of book/projects.md: points per rubric "
                    "line, as Markdown (or JSON).")
    parser.add_argument("project", choices=["P1", "P2", "P3"], type=str.upper)
    parser.add_argument("submission", help="the student's .keras model file (saved by asrlib)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    p1 = parser.add_argument_group("P1")
    p1.add_argument("--fold", default="theo", help="the fold's test speaker (default theo)")
    p1.add_argument("--budget", type=float, default=P1_BUDGET,
                    help=f"training seconds the class was given (default {P1_BUDGET:g}, the "
                         "reference's)")
    p3 = parser.add_argument_group("P3")
    p3.add_argument("--tuned-on", help="manifest of the clips the model was fine-tuned on")
    p3.add_argument("--heldout", help="manifest of the held-out clips of the same voice")
    p3.add_argument("--base", default=str(P3_BASE), help="the model before fine-tuning")
    p3.add_argument("--rerun", help="the same fine-tuning with another seed (the noise floor)")
    return parser


def grade(args) -> Report:
    if args.project == "P1":
        if not args.budget > 0:
            raise GradeError(f"--budget must be a positive number of seconds, got {args.budget:g}")
        return grade_p1(args.submission, args.fold, args.budget)
    if args.project == "P2":
        return grade_p2(args.submission)
    if not (args.tuned_on and args.heldout):
        raise GradeError("P3 needs --tuned-on TUNE.jsonl and --heldout HELDOUT.jsonl")
    return grade_p3(args.submission, args.tuned_on, args.heldout, args.base, args.rerun)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    start = time.perf_counter()
    try:
        report = grade(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # a bad file, a missing corpus: one line, never a traceback
        if os.environ.get("ASRLIB_DEBUG"):
            raise
        from asrlib import files

        print(f"error: {files.one_line(err)}", file=sys.stderr)
        return 2
    report.seconds = time.perf_counter() - start
    print(json.dumps(report.to_dict(), indent=1) if args.json else report.markdown())
    return 0


if __name__ == "__main__":
    sys.exit(main())
