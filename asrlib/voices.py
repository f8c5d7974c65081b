"""Many voices: the pooled digit speakers, their groups, speaker-grouped folds, their material.

Every corpus that declares a :class:`asrlib.corpora.Pool` adds its voices; today four:

* ``fsdd``: the Free Spoken Digit Dataset's six men (8 kHz recordings, one setting),
* ``alphanumeric``: 49 people (women and men, mostly Indian-accented English) reading a
  phone number digit by digit at home on phones and laptops (16 kHz here),
* ``speech-commands``: 69 crowd-sourced speakers saying single digit words (16 kHz),
* ``an4``: CMU AN4's 74 training speakers (women and men, a close-talking microphone)
  saying zip codes and phone numbers, "oh" written as "zero" (16 kHz).

Every speaker has a pooled id (``fsdd:george``, ``alphanumeric:R_…``, ``speech-commands:
439c84f4``) and the groups a result is broken down by: gender, recording device, source.
:func:`folds` splits the speakers into k groups, balanced by source and gender; fold i
tests on group i, validates on group i+1 and trains on the rest, so no fold ever trains on
a voice it is scored or tuned on. :func:`material` gives a set of speakers' utterances:
connected digits (FSDD strings, phone numbers, strings joined from one Speech Commands
speaker's clips) and isolated digits (FSDD takes, Speech Commands clips); each corpus's
module says which.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from asrlib import corpora
from asrlib.corpora import Item, Speaker
from asrlib.utterance import Utterance

KINDS = ("connected", "isolated")
# Voices group 0 always holds, so the model of fold 0 (``data/digits_heldout.keras``) never
# heard them: the three speakers whose clips ship in data/clips (``make demo``), FSDD's theo,
# and the first woman and the first man (by id) who recorded their phone number on a phone.
HELD_OUT = (
    "speech-commands:439c84f4", "speech-commands:51055bda", "speech-commands:b87bdb22",
    "fsdd:theo", "alphanumeric:R_15Rh8IA5GvyzCIF", "alphanumeric:R_1O7z12FZh2bL6ST",
)


def sources() -> dict[str, corpora.Pool]:
    """The corpora whose voices are pooled, in the pool's order (rank, then name)."""
    return dict(sorted(corpora.pooled().items(), key=lambda kv: (kv[1].rank, kv[0])))


def speakers(root=None, download: bool | None = None, only=None) -> list[Speaker]:
    """Every pooled speaker (of the corpora named in ``only``, default all), sorted by id,
    with the gender and device each corpus records ("unknown" where it records none)."""
    pool = []
    for name, part in sources().items():
        if only is None or name in only:
            pool += part.speakers(root, download)
    return sorted(pool, key=lambda s: s.id)


@dataclass(frozen=True)
class Fold:
    """Speaker ids a fold tests on, validates on and trains on (disjoint)."""

    index: int
    test: tuple[str, ...]
    val: tuple[str, ...]
    train: tuple[str, ...]


def seeded_order(speaker_id: str, seed: int) -> str:
    """A sort key that deals speakers in a fixed, seeded order unrelated to their ids."""
    return hashlib.sha256(f"{seed}:{speaker_id}".encode()).hexdigest()


def groups(pool: list[Speaker], k: int = 5, seed: int = 0,
           pinned: tuple[str, ...] = HELD_OUT) -> list[list[str]]:
    """``k`` groups of speaker ids, each stratum (source × gender) dealt in a seeded order,
    each speaker to the group with fewest of that stratum (then fewest in all), so every
    group gets its share of each source and gender. The ``pinned`` speakers go to group 0.
    Strata are dealt by when their corpus joined the pool, then by name: a corpus that joins
    later adds voices to every group without moving the earlier voices between groups."""
    if k < 3:
        raise ValueError(f"need at least 3 folds (test, validation, training), got {k}")
    out: list[list[str]] = [[] for _ in range(k)]
    strata: dict[tuple[str, str], list[Speaker]] = {}
    for s in pool:
        strata.setdefault((s.source, s.gender), []).append(s)
    joined = {name: part.joined for name, part in sources().items()}
    for key in sorted(strata, key=lambda key: (joined.get(key[0], 1), key)):
        share = [0] * k
        for s in sorted(strata[key], key=lambda s: (s.id not in pinned, seeded_order(s.id, seed))):
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
class Material:
    """How much of each voice's audio to score or train on (what the corpora's pool hooks
    read): strings built per FSDD speaker, joined strings per Speech Commands speaker, copies
    of each other recording, augmentation, and recordings never to train on."""

    seed: int = 0
    n_strings: int = 50  # scored: connected strings per FSDD speaker
    n_joined: int = 3  # scored: strings joined from one Speech Commands speaker's clips
    n_train_strings: int = 4000  # training: FSDD strings of the fold's FSDD speakers
    copies: int = 20  # training: augmented versions of every other speaker's material
    perturb: bool = False
    effects: tuple[str, ...] = ()
    takes: range | None = None  # FSDD recordings used for training (None: all 50)
    exclude: frozenset = frozenset()  # utterance ids never trained on
    root: str | None = None
    download: bool | None = None


def _by_source(speaker_ids) -> dict[str, list[str]]:
    names: dict[str, list[str]] = {}
    for sid in sorted(set(speaker_ids)):
        source, _, name = sid.partition(":")
        names.setdefault(source, []).append(name)
    return names


def material(
    speaker_ids, n_fsdd_strings: int = 50, n_joined: int = 3, seed: int = 2, root=None,
    download: bool | None = None,
) -> list[Item]:
    """What a set of speakers is scored on: per FSDD speaker ``n_fsdd_strings`` connected
    strings and takes 0–4 of each digit (isolated); per alphanumeric speaker the phone
    number; per Speech Commands speaker every clip (isolated) and, with two or more clips,
    ``n_joined`` strings joined from them (connected)."""
    m = Material(seed=seed, n_strings=n_fsdd_strings, n_joined=n_joined, root=root,
                 download=download)
    names = _by_source(speaker_ids)
    return [item for source, part in sources().items() if names.get(source)
            for item in part.scored(names[source], m)]


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
    m = Material(seed=seed, n_train_strings=n_fsdd, copies=copies, perturb=perturb,
                 effects=tuple(effects), takes=fsdd_takes, exclude=frozenset(exclude),
                 root=root, download=download)
    names = _by_source(speaker_ids)
    return [u for source, part in sources().items() if names.get(source)
            for u in part.training(names[source], m)]
