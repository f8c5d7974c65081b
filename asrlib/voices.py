"""Many voices: the pooled digit speakers, their groups, speaker-grouped folds, their material.

Three sources of real voices say digits:

* ``fsdd``: the Free Spoken Digit Dataset's six men (8 kHz recordings, one setting),
* ``alphanumeric``: 49 people (women and men, mostly Indian-accented English) reading a
  phone number digit by digit at home on phones and laptops (16 kHz here),
* ``speech-commands``: 69 crowd-sourced speakers saying single digit words (16 kHz).

Every speaker has a pooled id (``fsdd:george``, ``alphanumeric:R_…``, ``speech-commands:
439c84f4``) and the groups a result is broken down by: gender, recording device, source.
:func:`folds` splits the speakers into k groups, balanced by source and gender; fold i
tests on group i, validates on group i+1 and trains on the rest, so no fold ever trains on
a voice it is scored or tuned on. :func:`material` gives a set of speakers' utterances:
connected digits (FSDD strings, phone numbers, strings joined from one Speech Commands
speaker's clips) and isolated digits (FSDD takes, Speech Commands clips).
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass, replace

from asrlib import corpora, datasets
from asrlib.datasets import Utterance

SOURCES = ("fsdd", "alphanumeric", "speech-commands")
KINDS = ("connected", "isolated")
FSDD_DEVICE = "FSDD recording (8 kHz)"
SPEECH_COMMANDS_DEVICE = "crowd-sourced (browser/phone)"
DEVICES = {"Phone Recorder": "phone", "Laptop": "laptop", "External Microphone": "external mic"}
GENDERS = {"Female": "female", "Male": "male"}
TRIM_DB = 30  # a Speech Commands clip is one second, mostly silence: trimmed before joining
# Voices group 0 always holds, so the model of fold 0 (``data/digits_heldout.keras``) never
# heard them: the three speakers whose clips ship in data/clips (``make demo``), FSDD's theo,
# and the first woman and the first man (by id) who recorded their phone number on a phone.
HELD_OUT = (
    "speech-commands:439c84f4", "speech-commands:51055bda", "speech-commands:b87bdb22",
    "fsdd:theo", "alphanumeric:R_15Rh8IA5GvyzCIF", "alphanumeric:R_1O7z12FZh2bL6ST",
)


@dataclass(frozen=True)
class Speaker:
    """One voice of the pool and the groups its results count towards."""

    id: str  # "<source>:<name in the source>"
    source: str
    gender: str  # female, male or unknown (not recorded, or not said)
    device: str

    @property
    def name(self) -> str:
        """The speaker's own id inside its source (``george``, ``R_…``, ``439c84f4``)."""
        return self.id.split(":", 1)[1]


def speakers(root=None, download: bool | None = None, sources=SOURCES) -> list[Speaker]:
    """Every pooled speaker of ``sources``, sorted by id. FSDD's six are men; Speech Commands
    records no gender; the alphanumeric set's metadata gives gender and device."""
    pool = []
    if "fsdd" in sources:
        pool += [Speaker(f"fsdd:{s}", "fsdd", "male", FSDD_DEVICE)
                 for s in datasets.FSDD_SPEAKERS]
    if "alphanumeric" in sources:
        folder = corpora.locate("alphanumeric", root, download)
        wanted = set(corpora.ids("alphanumeric"))
        with open(folder / "metadata.csv", encoding="utf-8", newline="") as f:
            rows = {r["Response_ID"]: r for r in csv.DictReader(f) if r["Response_ID"] in wanted}
        pool += [Speaker(f"alphanumeric:{rid}", "alphanumeric",
                         GENDERS.get(row.get("Gender", "").strip(), "unknown"),
                         DEVICES.get(row.get("Recording Machine", "").strip(), "unknown"))
                 for rid, row in rows.items()]
    if "speech-commands" in sources:
        names = {rel.split("/")[1].split("_nohash_")[0] for rel in corpora.ids(
            "speech-commands-digits")}
        pool += [Speaker(f"speech-commands:{n}", "speech-commands", "unknown",
                         SPEECH_COMMANDS_DEVICE) for n in names]
    return sorted(pool, key=lambda s: s.id)


@dataclass(frozen=True)
class Fold:
    """Speaker ids a fold tests on, validates on and trains on (disjoint)."""

    index: int
    test: tuple[str, ...]
    val: tuple[str, ...]
    train: tuple[str, ...]


def _order(speaker_id: str, seed: int) -> str:
    return hashlib.sha256(f"{seed}:{speaker_id}".encode()).hexdigest()


def groups(pool: list[Speaker], k: int = 5, seed: int = 0,
           pinned: tuple[str, ...] = HELD_OUT) -> list[list[str]]:
    """``k`` groups of speaker ids, each stratum (source × gender) dealt in a seeded order,
    each speaker to the group with fewest of that stratum (then fewest in all), so every
    group gets its share of each source and gender. The ``pinned`` speakers go to group 0."""
    if k < 3:
        raise ValueError(f"need at least 3 folds (test, validation, training), got {k}")
    out: list[list[str]] = [[] for _ in range(k)]
    strata: dict[tuple[str, str], list[Speaker]] = {}
    for s in pool:
        strata.setdefault((s.source, s.gender), []).append(s)
    for key in sorted(strata):
        share = [0] * k
        for s in sorted(strata[key], key=lambda s: (s.id not in pinned, _order(s.id, seed))):
            g = 0 if s.id in pinned else min(range(k), key=lambda j: (share[j], len(out[j]), j))
            out[g].append(s.id)
            share[g] += 1
    return [sorted(g) for g in out]


def folds(pool: list[Speaker], k: int = 5, seed: int = 0) -> list[Fold]:
    """Fold i tests on group i, validates on group i+1, trains on the other k-2 groups."""
    parts = groups(pool, k, seed)
    return [
        Fold(i, tuple(parts[i]), tuple(parts[(i + 1) % k]),
             tuple(sorted(s for j, g in enumerate(parts) if j not in (i, (i + 1) % k)
                          for s in g)))
        for i in range(k)
    ]


@dataclass(frozen=True)
class Item:
    """One scored utterance: whose voice, which kind of digits."""

    speaker: str  # pooled speaker id
    kind: str  # connected or isolated
    utt: Utterance


def material(
    speaker_ids, n_fsdd_strings: int = 50, n_joined: int = 3, seed: int = 2, root=None,
    download: bool | None = None,
) -> list[Item]:
    """What a set of speakers is scored on: per FSDD speaker ``n_fsdd_strings`` connected
    strings and takes 0–4 of each digit (isolated); per alphanumeric speaker the phone
    number; per Speech Commands speaker every clip (isolated) and, with two or more clips,
    ``n_joined`` strings joined from them (connected)."""
    ids = set(speaker_ids)
    items: list[Item] = []
    fsdd = sorted(i.split(":", 1)[1] for i in ids if i.startswith("fsdd:"))
    for name in fsdd:
        items += [Item(f"fsdd:{name}", "connected", u) for u in datasets.connected_digits(
            n_fsdd_strings, [name], seed=seed, root=root, download=download)]
        items += [Item(f"fsdd:{name}", "isolated", u)
                  for u in datasets.fsdd(root, download, speakers={name})
                  if int(u.id.rsplit("_", 1)[1]) < 5]
    if any(i.startswith("alphanumeric:") for i in ids):
        items += [Item(f"alphanumeric:{u.speaker}", "connected", u)
                  for u in datasets.alphanumeric_numbers(root, download)
                  if f"alphanumeric:{u.speaker}" in ids]
    if any(i.startswith("speech-commands:") for i in ids):
        clips = _clips_by_speaker(ids, root, download)
        for name, own in clips.items():
            items += [Item(f"speech-commands:{name}", "isolated", u) for u in own]
        joined = {name: own for name, own in clips.items() if len(own) > 1}
        if joined:
            strings = datasets.join_clips(n_joined * len(joined), joined, seed=seed,
                                          min_digits=3, max_digits=7, prefix="sc-digits",
                                          trim_db=TRIM_DB)
            items += [Item(f"speech-commands:{u.speaker}", "connected", u) for u in strings]
    return items


def _clips_by_speaker(ids, root, download) -> dict[str, list[Utterance]]:
    clips: dict[str, list[Utterance]] = {}
    for u in datasets.speech_commands(root, download):
        if f"speech-commands:{u.speaker}" in ids:
            clips.setdefault(u.speaker, []).append(u)
    return dict(sorted(clips.items()))


def training_utterances(
    speaker_ids, n_fsdd: int = 4000, copies: int = 20, seed: int = 0,
    perturb: bool = False, effects: tuple[str, ...] = (), root=None,
    download: bool | None = None, fsdd_takes=None, exclude=frozenset(),
) -> list[Utterance]:
    """What a fold trains on: ``n_fsdd`` FSDD strings of its FSDD speakers (as the LOSO
    recipes), and per other speaker ``copies`` augmented versions of their own material
    (each phone number replayed; strings joined from a Speech Commands speaker's clips),
    with speed/loudness perturbation and ``effects`` drawn per copy as for FSDD strings.
    ``fsdd_takes`` limits the FSDD recordings used (e.g. ``range(5, 50)``); ``exclude`` lists
    utterance ids never to train on (phone numbers whose audio disagrees with the prompt)."""
    ids = set(speaker_ids)
    fsdd = sorted(i.split(":", 1)[1] for i in ids if i.startswith("fsdd:"))
    utts = datasets.connected_digits(n_fsdd, fsdd, seed=seed, perturb=perturb,
                                     effects=effects, root=root, download=download,
                                     takes=fsdd_takes) \
        if fsdd and n_fsdd else []
    numbers = {f"alphanumeric:{u.speaker}": u
               for u in datasets.alphanumeric_numbers(root, download)
               if f"alphanumeric:{u.speaker}" in ids and u.id not in exclude} \
        if any(i.startswith("alphanumeric:") for i in ids) else {}
    utts += _replayed(list(numbers.values()), copies, seed, perturb, effects)
    if any(i.startswith("speech-commands:") for i in ids):
        clips = _clips_by_speaker(ids, root, download)
        utts += datasets.join_clips(copies * len(clips), clips, seed=seed, perturb=perturb,
                                    effects=effects, prefix="sc-train", trim_db=TRIM_DB)
    return utts


def _replayed(recordings: list[Utterance], copies: int, seed: int, perturb: bool,
              effects: tuple[str, ...]) -> list[Utterance]:
    """``copies`` versions of each whole recording, each a one-part string (so it gets the
    same speed, loudness and effect draws as a joined string); the first copy is as is."""
    from asrlib import augment

    out = []
    for u in recordings:
        rng = random.Random(f"{seed}-{u.id}")
        for c in range(copies):
            first = c == 0
            speed = () if first or not perturb else (rng.uniform(*augment.SPEED_RANGE),)
            gain = () if first or not perturb else (rng.uniform(*augment.GAIN_DB_RANGE),)
            drawn = () if first or not effects else augment.draw_effects(rng, effects)
            tag = "-".join(k for k, _ in drawn)
            out.append(replace(u, id=f"{u.id}-copy{c:02d}" + (f"-{tag}" if tag else ""),
                               path=None, parts=(u.path,), pauses=(0.0, 0.0), speeds=speed,
                               gains=gain, effects=drawn))
    return out
