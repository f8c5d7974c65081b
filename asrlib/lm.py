"""Language model: a small word n-gram with Kneser-Ney smoothing, and its CTC beam scorer.

The model is trained from plain transcripts (normalised text, words separated by
spaces). :class:`LMScorer` plugs it into :func:`asrlib.decoding.prefix_beam_search`
through the ``Scorer`` hook ("shallow fusion")::

    score(path) = log P_ctc(path) + alpha · log P_lm(words) + beta · n_words

``alpha`` weighs the language model against the acoustic model and ``beta`` (the
word insertion bonus) offsets the LM's preference for fewer words; both are tuned
on validation data (:func:`tune`). With ``lexicon=True`` a word may only be spelled
as one of the LM's words, so the output always consists of real words (for
connected digits: the ten digit words).
"""

from __future__ import annotations

import functools
import itertools
import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from asrlib.text import Alphabet

BOS, EOS, UNK = "<s>", "</s>", "<unk>"


class WordLM:
    """What every word LM here offers on top of its ``logprob(word, history)``: whole
    sentences and perplexity (:class:`NGramLM`, :class:`asrlib.english_lm.EnglishLM`)."""

    def sentence_logprob(self, text: str) -> float:
        """``log P`` of a whole sentence, including its end."""
        words = text.split()
        return sum(self.logprob(w, words[:i]) for i, w in enumerate([*words, EOS]))

    def perplexity(self, texts: Iterable[str]) -> float:
        """Per-word perplexity (end of sentence counted as a word) on ``texts``."""
        logp, n = 0.0, 0
        for text in texts:
            logp += self.sentence_logprob(text)
            n += len(text.split()) + 1
        return math.exp(-logp / max(n, 1))


@dataclass
class NGramLM(WordLM):
    """Interpolated Kneser-Ney word n-gram; ``logprob`` is a natural log probability."""

    order: int = 3
    discount: float = 0.75
    # counts[n][context] = Counter of next words, for contexts of n words (0 … order-1);
    # the highest order holds raw counts, lower orders continuation counts.
    counts: list[dict[tuple[str, ...], Counter]] = field(default_factory=list)
    vocab: frozenset[str] = frozenset()

    def __post_init__(self):
        if self.order < 1:
            raise ValueError(f"order must be at least 1, got {self.order}")
        if not 0 < self.discount < 1:
            raise ValueError(f"discount must be in (0, 1), got {self.discount}")
        self._totals = [{c: sum(n.values()) for c, n in level.items()} for level in self.counts]
        self._logprob = functools.lru_cache(maxsize=200_000)(self._logprob_uncached)

    @classmethod
    def train(cls, texts: Iterable[str], order: int = 3, discount: float = 0.75) -> NGramLM:
        """Count n-grams in ``texts`` (one normalised sentence each)."""
        sentences = [t.split() for t in texts if t.split()]
        if not sentences:
            raise ValueError("cannot train a language model on no text")
        vocab = frozenset(w for s in sentences for w in s)
        top: dict[tuple[str, ...], Counter] = defaultdict(Counter)
        for words in sentences:
            padded = [BOS] * (order - 1) + words + [EOS]
            for i in range(order - 1, len(padded)):
                top[tuple(padded[i - order + 1 : i])][padded[i]] += 1
        counts = [top]
        for _ in range(order - 2, -1, -1):  # continuation counts: distinct left neighbours
            lower: dict[tuple[str, ...], Counter] = defaultdict(Counter)
            for context, nexts in counts[0].items():
                for word in nexts:
                    lower[context[1:]][word] += 1
            counts.insert(0, lower)
        return cls(order, discount, [dict(c) for c in counts], vocab)

    def logprob(self, word: str, context: Sequence[str] = ()) -> float:
        """``log P(word | context)``; unknown words share the uniform floor's mass."""
        context = tuple(context)[-(self.order - 1) :] if self.order > 1 else ()
        context = (BOS,) * (self.order - 1 - len(context)) + context
        return self._logprob(word, context)

    def _logprob_uncached(self, word: str, context: tuple[str, ...]) -> float:
        return math.log(self._prob(word, context))

    def _prob(self, word: str, context: tuple[str, ...]) -> float:
        """Interpolated KN: discounted count + back-off weight × lower-order probability."""
        if not context:
            lower = 1.0 / (len(self.vocab) + 2)  # uniform over words, </s> and <unk>
        else:
            lower = self._prob(word, context[1:])
        level = self.counts[len(context)]
        nexts = level.get(context)
        if not nexts:
            return lower
        total = self._totals[len(context)][context]
        d = self.discount
        return max(nexts.get(word, 0) - d, 0) / total + d * len(nexts) / total * lower

    def to_dict(self) -> dict:
        """JSON-ready counts, order, discount and vocabulary (see :meth:`from_dict`)."""
        return {
            "order": self.order,
            "discount": self.discount,
            "counts": [
                [[list(c), dict(n)] for c, n in sorted(level.items())] for level in self.counts
            ],
            "vocab": sorted(self.vocab),
        }

    @classmethod
    def from_dict(cls, data: dict) -> NGramLM:
        """The inverse of :meth:`to_dict`; ``ValueError`` when ``data`` is not such a dict."""
        try:
            counts = [{tuple(c): Counter(n) for c, n in level} for level in data["counts"]]
            return cls(int(data["order"]), float(data["discount"]), counts,
                       frozenset(data["vocab"]))
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"not an asrlib language model ({err})") from None

    def save(self, path) -> Path:
        """Write the model as JSON (counts, order, discount)."""
        path = Path(path)
        path.write_text(json.dumps(self.to_dict()))
        return path

    @classmethod
    def load(cls, path) -> NGramLM:
        """Read a model written by :meth:`save`; ``ValueError`` naming the file otherwise."""
        try:
            return cls.from_dict(json.loads(Path(path).read_text()))
        except (OSError, ValueError) as err:
            raise ValueError(f"{path}: not an asrlib language model ({err})") from None


class LMScorer:
    """Shallow fusion of a word :class:`NGramLM` into CTC prefix beam search.

    A word is scored when the space after it is emitted, and the last word at the
    end. ``lexicon=True`` forbids spelling anything that is not a prefix of an LM
    word (and a space after a non-word), so every output word is in the vocabulary.
    """

    def __init__(self, lm: NGramLM, alphabet: Alphabet = Alphabet(), alpha: float = 0.5,
                 beta: float = 1.0, lexicon: bool = False):
        self.lm, self.alphabet = lm, alphabet
        self.alpha, self.beta, self.lexicon = alpha, beta, lexicon
        self.space = alphabet.symbols.index(" ")
        self.prefixes = {w[:i] for w in lm.vocab for i in range(len(w) + 1)}
        self._split = functools.lru_cache(maxsize=100_000)(self._split_uncached)

    def _split_uncached(self, prefix: tuple[int, ...]) -> tuple[tuple[str, ...], str]:
        """Label ids → (finished words, the word being spelled)."""
        text = self.alphabet.decode(prefix)
        words = text.split(" ")
        return tuple(w for w in words[:-1] if w), words[-1]

    def _word(self, history: tuple[str, ...], word: str) -> float:
        if self.lexicon and word not in self.lm.vocab:
            return -math.inf
        return self.alpha * self.lm.logprob(word, history) + self.beta

    def score(self, prefix: tuple[int, ...], token: int) -> float:
        """Bonus for extending ``prefix`` by ``token`` (see :class:`asrlib.decoding.Scorer`)."""
        history, partial = self._split(prefix)
        if token == self.space:
            if not partial:  # a space at the start or after a space adds nothing
                return -math.inf
            return self._word(history, partial)
        if self.lexicon and partial + self.alphabet.symbols[token] not in self.prefixes:
            return -math.inf
        return 0.0

    def final(self, prefix: tuple[int, ...]) -> float:
        """Bonus for ending after ``prefix``: its last word, then the end of the sentence."""
        history, partial = self._split(prefix)
        bonus = 0.0
        if partial:
            bonus = self._word(history, partial)
            history = (*history, partial)
        return bonus + self.alpha * self.lm.logprob(EOS, history)


def decode(probs: np.ndarray, scorer: LMScorer, beam_width: int = 16,
           length: int | None = None, prune: float = 0.0) -> str:
    """Best transcript of one ``(time, classes)`` matrix with LM fusion."""
    from asrlib.decoding import prefix_beam_search

    beams = prefix_beam_search(probs, beam_width, length=length, scorer=scorer, prune=prune)
    if beams:
        return scorer.alphabet.decode(beams[0][0])
    # every beam ended inside a word the lexicon cannot finish: keep the words before it
    beams = prefix_beam_search(probs, beam_width, length=length, scorer=_WordsSoFar(scorer),
                               prune=prune)
    return " ".join(scorer._split(beams[0][0])[0]) if beams else ""


class _WordsSoFar:
    """``scorer`` that ends a transcript after its last finished word (a last, unfinished word
    is dropped instead of ruling the whole transcript out)."""

    def __init__(self, scorer: LMScorer):
        self.inner, self.score = scorer, scorer.score

    def final(self, prefix: tuple[int, ...]) -> float:
        history, _ = self.inner._split(prefix)
        return self.inner.alpha * self.inner.lm.logprob(EOS, history)


def tune(
    probs: Sequence[np.ndarray],
    refs: Sequence[str],
    lm: NGramLM,
    alphabet: Alphabet = Alphabet(),
    alphas: Sequence[float] = (0.0, 0.25, 0.5, 1.0, 1.5),
    betas: Sequence[float] = (0.0, 1.0, 2.0, 4.0),
    beam_width: int = 8,
    lexicon: bool = False,
) -> list[dict]:
    """WER and CER for every (alpha, beta) on validation data, best (lowest WER) first."""
    from asrlib import metrics

    results = []
    for alpha, beta in itertools.product(alphas, betas):
        decoder = LexiconDecoder(lm, alpha, beta, beam_width, lexicon, alphabet=alphabet)
        hyps = [decoder(p) for p in probs]
        results.append({"alpha": alpha, "beta": beta, "wer": metrics.wer(list(refs), hyps),
                        "cer": metrics.cer(list(refs), hyps)})
    return sorted(results, key=lambda r: (r["wer"], r["cer"]))


class LexiconDecoder:
    """Beam search over words: a word LM, its fusion weights and its beam → text of real words.

    With ``lexicon`` a word may only be spelled as one of the LM's words (the digits model:
    the ten digit words); ``alpha`` weighs the LM (0: the lexicon alone), ``beta`` is the word
    insertion bonus. Its :attr:`spec` (a :class:`asrlib.decoding.DecoderSpec` of kind
    ``lexicon``, or ``lm`` without a lexicon) is what a model file saves;
    :func:`asrlib.decoders.build` makes one back from it.
    """

    def __init__(self, lm: NGramLM, alpha: float = 0.5, beta: float = 1.0, beam_width: int = 8,
                 lexicon: bool = True, prune: float = 1e-3, alphabet: Alphabet = Alphabet()):
        from asrlib.decoding import DecoderSpec

        DecoderSpec("beam", beam_width, alpha, beta, prune)  # the same checks as a saved one
        self.lm, self.alphabet, self.lexicon = lm, alphabet, lexicon
        self.alpha, self.beta, self.beam_width, self.prune = alpha, beta, beam_width, prune
        self.scorer = LMScorer(lm, alphabet, alpha, beta, lexicon)

    def __call__(self, probs: np.ndarray, length: int | None = None,
                 beam_width: int | None = None) -> str:
        """The best transcript of one ``(time, classes)`` matrix."""
        return decode(probs, self.scorer, beam_width or self.beam_width, length, self.prune)

    @property
    def spec(self):
        """This decoder as a :class:`asrlib.decoding.DecoderSpec` (what a model file saves)."""
        from asrlib.decoding import DecoderSpec

        return DecoderSpec("lexicon" if self.lexicon else "lm", self.beam_width, self.alpha,
                           self.beta, self.prune, self.lm.to_dict())

    @classmethod
    def from_spec(cls, spec, alphabet: Alphabet = Alphabet()) -> LexiconDecoder:
        """The inverse of :attr:`spec`."""
        return cls(NGramLM.from_dict(spec.lm), spec.alpha, spec.beta, spec.beam_width,
                   spec.kind == "lexicon", spec.prune, alphabet)

    @classmethod
    def fit(
        cls,
        train_texts: Iterable[str],
        val_probs: Sequence[np.ndarray],
        val_refs: Sequence[str],
        alphabet: Alphabet = Alphabet(),
        order: int = 2,
        lexicon: bool = True,
        alphas: Sequence[float] = (0.0, 0.5, 1.0),
        betas: Sequence[float] = (0.0, 1.0, 2.0),
        beam_width: int = 8,
    ) -> tuple[LexiconDecoder, list[dict]]:
        """Train the LM on ``train_texts``, pick α and β on validation; → (decoder, grid)."""
        lm = NGramLM.train(train_texts, order=order)
        grid = tune(val_probs, val_refs, lm, alphabet, alphas, betas, beam_width, lexicon)
        best = grid[0]
        return cls(lm, best["alpha"], best["beta"], beam_width, lexicon,
                   alphabet=alphabet), grid
