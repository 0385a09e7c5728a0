"""French BM25 over chunk texts: one analyzer for documents and queries.

`analyze(text)` turns any text into index terms:

1. Unicode clean-up: superscript digits (footnote calls) become spaces, then
   NFKC (ligatures, full-width forms); curly/odd apostrophes become `'`,
   control/format/surrogate/private-use characters are removed, so emoji,
   right-to-left scripts or binary junk never crash the analyzer.
2. French elisions are split off and dropped: `l'`, `d'`, `qu'`, `j'`, `n'`,
   `s'`, `c'`, `m'`, `t'`, `jusqu'`, `lorsqu'`, `puisqu'`, `quoiqu'`, `presqu'`
   (so « l'intelligence » indexes « intelligence »).
3. Identifiers survive as single terms:
   - decimal numbers: `1,85` and `1.85` both become `1,85` (the French form);
   - thousands written with spaces (`5 000`, `1 000 000`) become `5000`;
   - money: `9,7 M€` and `9,7M€` give `9,7`, `m€` and the exact amount `9,7m€`;
   - hyphenated compounds (`2019-2021`, `COVID-19`, `e-santé`) give the whole
     compound plus each part;
   - upper-case acronyms (`SNDS`, `3IA`, `CE`) are kept even when their
     lower-case form is a stop word (« CE » the marking vs « ce » the
     pronoun). A line that is mostly upper case (a shouted heading: all of
     its words when it has two, 60 % when it has more) is treated as ordinary
     text, otherwise every word of « LES DONNÉES DE SANTÉ » would count as an
     acronym.
4. Case folding and accent folding BEFORE stemming, so that « santé »,
   « sante » and « SANTÉ » go through the stemmer as the same string and
   always match; then the French Snowball stemmer (PyStemmer), then a plural
   `s` it keeps after a vowel (« emplois », « euros ») and trailing `e`s are
   trimmed (« créée »/« créé », « intégrée »/« intégré » conflate once accents
   are gone). Words of three letters or fewer are not stemmed.
5. French stop words (bm25s's list, accent-folded) and a short list of English
   function words are dropped — but never acronyms, numbers or money units.

BM25 itself is `bm25s` (Lucene variant) fed with our token lists. Scores are raw
BM25 scores; weighting against the dense side is the fusion layer's job.

Storage uses no pickle: bm25s writes its sparse score matrix as plain `.npy`
arrays plus JSON vocabulary/parameters, and we load them with
`allow_pickle=False` explicitly, ourselves: reading and scoring need neither
bm25s nor the scipy it imports (see `LexicalIndex`).
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import Stemmer

from index.quiet import follow_application_logging
from ingest.text import APOSTROPHES, DASHES, SUPERSCRIPT_DIGITS, canonical_number, fold

if TYPE_CHECKING:
    import bm25s

# Bump when `analyze` changes: an index built with another analyzer version
# must have its BM25 part rebuilt.
ANALYZER_VERSION = 1

# Files written by `LexicalIndex.save` inside its directory.
BM25_FILES = (
    "data.csc.index.npy",
    "indices.csc.index.npy",
    "indptr.csc.index.npy",
    "vocab.index.json",
    "params.index.json",
)
META_FILE = "lexical.json"

MAX_TERM_CHARS = 64  # longer "words" are hashes, base64, URLs glued together

_ELISION = re.compile(
    r"\b(?:jusqu|lorsqu|puisqu|quoiqu|presqu|qu|[ldjnsctm])'(?=\w)", re.IGNORECASE
)
# Digit groups separated by a space: "5 000", "1 000 000" (leading group of 1-3 digits).
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
_THOUSANDS = re.compile(r"(?<![\d,.])\d{1,3}(?: \d{3})+(?!\d)")
_CURRENCY = "€$£¥"
_UNIT = r"(?:Mds|Md|Mrds|Mrd|M|k|K|G)?"
_TOKEN = re.compile(
    rf"(?P<money>\d+(?:[.,]\d+)?) ?(?P<unit>{_UNIT}[{_CURRENCY}])"  # 9,7 M€ / 57M€
    rf"|(?P<cur>{_UNIT}[{_CURRENCY}])"  # M€ on its own
    r"|(?P<num>\d+(?:[.,]\d+)+)(?![^\W_])"  # 1,85 / 4.0 / 2310.05694
    r"|(?P<word>[^\W_]+(?:-[^\W_]+)*)"  # words, 3IA, 2019-2021, COVID-19
)

_ENGLISH_STOPWORDS = frozenset(
    "the of and to in is are was were be been being it its this that these those "
    "what which who whom whose how why when where there their they them he she "
    "we you i my our your his her with from by for at as into about than then "
    "does do did has have had can could would should will shall may might must "
    "not no any all some such other more most also very just only".split()
)


def _bm25s_french_stopwords() -> tuple[str, ...]:
    """bm25s's French stop-word list, read from its `stopwords` module without importing
    the `bm25s` package (whose `__init__` imports scipy: see `LexicalIndex`)."""
    loaded = sys.modules.get("bm25s.stopwords")
    if loaded is None:
        package = importlib.util.find_spec("bm25s")
        if package is None or not package.submodule_search_locations:
            raise ImportError("bm25s is not installed")
        path = Path(package.submodule_search_locations[0]) / "stopwords.py"
        spec = importlib.util.spec_from_file_location("_bm25s_stopwords", path)
        loaded = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
        spec.loader.exec_module(loaded)  # type: ignore[union-attr]
    return tuple(loaded.STOPWORDS_FRENCH)


_STOPWORDS = frozenset(fold(w) for w in _bm25s_french_stopwords()) | _ENGLISH_STOPWORDS
_thread_local = threading.local()


def _stemmer() -> Stemmer.Stemmer:
    """One French stemmer per thread (PyStemmer objects are not thread-safe)."""
    stemmer = getattr(_thread_local, "stemmer", None)
    if stemmer is None:
        stemmer = _thread_local.stemmer = Stemmer.Stemmer("french")
    return stemmer


def _char_replacement(char: str) -> str:
    """What `_sanitize` turns one character into."""
    if char in _LINE_BREAKS:
        return "\n"
    category = unicodedata.category(char)
    if category[0] == "C":  # Cc control, Cf format, Cs surrogate, Co private use, Cn
        return " " if char == "\t" else ""
    if category == "Zs":
        return " "
    return char


def _sanitize(text: str) -> str:
    """NFKC, unified apostrophes and dashes, no control/format/surrogate chars."""
    text = unicodedata.normalize("NFKC", text.translate(SUPERSCRIPT_DIGITS))
    text = text.translate(APOSTROPHES).translate(DASHES)
    # Decide once per distinct character, then translate in C.
    table = {ord(c): _char_replacement(c) for c in set(text)}
    return text.translate(table)


def _is_shouting(line: str) -> bool:
    """True for a line written mostly in capitals (a heading, not acronyms)."""
    words = re.findall(r"[^\W\d_]{2,}", line)
    upper = sum(1 for w in words if w.isupper())
    if len(words) == 2:
        return upper == 2
    return len(words) >= 3 and upper / len(words) >= 0.6


@lru_cache(maxsize=200_000)
def _term(raw: str, *, acronym_ok: bool) -> str | None:
    """Index term for one word, or None when it is a stop word or noise."""
    folded = fold(raw)
    if not folded or len(folded) > MAX_TERM_CHARS:
        return None
    acronym = acronym_ok and len(raw) >= 2 and raw.isupper()
    if not acronym and folded in _STOPWORDS:
        return None
    if not folded.isalpha():
        return folded  # numbers, 3ia, mixed scripts: kept as they are
    if len(folded) == 1 and not acronym:
        return None
    if len(folded) <= 3:
        return folded
    stem = _stemmer().stemWord(folded)
    if len(stem) > 4 and stem.endswith("s"):  # Snowball keeps -s after a vowel
        stem = stem[:-1]
    while len(stem) > 3 and stem.endswith("e"):
        stem = stem[:-1]
    return stem


def _line_terms(line: str, terms: list[str]) -> None:
    acronym_ok = not _is_shouting(line)
    line = _THOUSANDS.sub(lambda m: m.group(0).replace(" ", ""), line)
    for match in _TOKEN.finditer(line):
        kind = match.lastgroup
        if match.group("money") is not None:
            amount, unit = canonical_number(match.group("money")), fold(match.group("unit"))
            terms += [amount, unit, amount + unit]  # "9,7", "m€" and the exact "9,7m€"
        elif kind == "cur":
            terms.append(fold(match.group("cur")))
        elif kind == "num":
            terms.append(canonical_number(match.group("num")))
        else:
            word = match.group("word")
            parts = word.split("-")
            part_terms = [t for t in (_term(p, acronym_ok=acronym_ok) for p in parts) if t]
            # "2019-2021", "covid-19": the whole compound too, unless it is all stop
            # words ("est-ce", "a-t-il").
            if len(parts) > 1 and part_terms:
                compound = fold(word)
                if len(compound) <= MAX_TERM_CHARS:
                    terms.append(compound)
            terms += part_terms


def analyze(text: str) -> list[str]:
    """Index terms of a text (documents and queries alike). Never raises on str input."""
    if not text:
        return []
    text = _ELISION.sub("", _sanitize(text))
    terms: list[str] = []
    for line in text.splitlines():
        _line_terms(line, terms)
    return terms


class LexicalIndex:
    """BM25 over chunk texts; rows are the chunk row numbers of `chunks.jsonl`.

    `bm25s` builds and writes the index; reading and scoring work on its saved
    arrays directly (the CSC matrix of precomputed per-term scores and the
    vocabulary), exactly as `bm25s` scores them, so that opening an index for
    questions does not import `bm25s` and the scipy modules it loads (0.3-0.4 s
    of a fresh process's start)."""

    def __init__(
        self,
        data: np.ndarray,
        indices: np.ndarray,
        indptr: np.ndarray,
        vocabulary: dict[str, int],
        num_rows: int,
        built: "bm25s.BM25 | None" = None,
    ) -> None:
        self._data, self._indices, self._indptr = data, indices, indptr
        self._vocabulary = vocabulary
        self.num_rows = num_rows
        self._built = built  # the `bm25s` object of a fresh build, which `save` writes

    @classmethod
    def build(cls, texts: Iterable[str]) -> "LexicalIndex":
        """Index texts; the i-th text gets row i."""
        import bm25s

        follow_application_logging("bm25s")  # bm25s forces its logger to DEBUG on import
        corpus = [analyze(text) for text in texts]
        if not corpus:
            raise ValueError("cannot build a BM25 index over zero passages")
        bm25 = bm25s.BM25(method="lucene", backend="numpy")
        # An always-empty term keeps bm25s happy on passages with no terms at all.
        bm25.index([terms or [""] for terms in corpus], show_progress=False)
        matrix = bm25.scores
        return cls(matrix["data"], matrix["indices"], matrix["indptr"], dict(bm25.vocab_dict), len(corpus), bm25)

    def scores(self, query: str) -> np.ndarray:
        """Raw BM25 score of every row for a query (zeros when nothing matches).

        `bm25s`' own sum (`BM25.get_scores_from_ids`, Lucene variant, float32): each
        known term's precomputed scores added in query order, repeats counted again."""
        scores = np.zeros(self.num_rows, dtype=np.float32)
        for term in analyze(query):
            term_id = self._vocabulary.get(term) if term else None
            if term_id is not None:
                start, end = self._indptr[term_id], self._indptr[term_id + 1]
                np.add.at(scores, self._indices[start:end], self._data[start:end])
        return scores

    def search(
        self, query: str, k: int, allowed_ids: np.ndarray | Sequence[int] | None = None
    ) -> list[tuple[int, float]]:
        """Best `k` rows with a positive score, as (row, raw BM25 score), best first.

        `allowed_ids` restricts the search to some rows (e.g. one document's chunks).
        """
        if k <= 0:
            return []
        return top_rows(self.scores(query), k, allowed_ids)

    def document_frequencies(self) -> dict[str, int]:
        """term → number of rows holding it (what `index.terms.count_terms` counts, read from
        the BM25 matrix instead of analysing every passage again)."""
        indptr = self._indptr
        return {
            term: int(indptr[term_id + 1] - indptr[term_id])
            for term, term_id in self._vocabulary.items()
            if term
        }

    def postings(self) -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
        """(term, rows holding it, its BM25 score in each row) for every indexed term.

        The eager BM25 matrix term by term: a store that keeps these (the
        PostgreSQL backend) scores a query with `scores_from_postings` exactly
        as `scores` does. The empty placeholder term is left out.
        """
        data, indices, indptr = self._data, self._indices, self._indptr
        for term, term_id in self._vocabulary.items():
            if term:
                start, end = int(indptr[term_id]), int(indptr[term_id + 1])
                yield term, indices[start:end].astype(np.int32), data[start:end].astype(np.float32)

    def save(self, directory: Path) -> list[Path]:
        """Write a freshly built index into `directory` (plain .npy + JSON); return the files written."""
        if self._built is None:
            raise ValueError("only a freshly built BM25 index is written (a loaded one is already on disk)")
        directory.mkdir(parents=True, exist_ok=True)
        self._built.save(str(directory), allow_pickle=False, show_progress=False)
        meta = {"analyzer_version": ANALYZER_VERSION, "num_rows": self.num_rows}
        (directory / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
        return [directory / name for name in (*BM25_FILES, META_FILE)]

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        """Load an index written by `save` (arrays read with `allow_pickle=False`, no `bm25s`)."""
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        if meta.get("analyzer_version") != ANALYZER_VERSION:
            raise ValueError(
                f"BM25 index built with analyzer version {meta.get('analyzer_version')}, "
                f"this code uses version {ANALYZER_VERSION}"
            )
        params = json.loads((directory / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method") != "lucene" or params.get("dtype", "float32") != "float32":
            raise ValueError(f"BM25 index of another kind: {params}")
        data, indices, indptr = (
            np.load(directory / f"{name}.csc.index.npy", allow_pickle=False) for name in ("data", "indices", "indptr")
        )
        vocabulary = json.loads((directory / "vocab.index.json").read_text(encoding="utf-8"))
        num_rows = int(meta["num_rows"])
        if int(params["num_docs"]) != num_rows:
            raise ValueError("BM25 index row count does not match its metadata")
        columns = len(indptr) - 1  # the empty placeholder term may have none
        if len(data) != len(indices) or int(indptr[-1]) != len(data) or any(
            term and not 0 <= term_id < columns for term, term_id in vocabulary.items()
        ):
            raise ValueError("BM25 index arrays do not hold together")
        return cls(data, indices, indptr, vocabulary, num_rows)


def query_terms(query: str) -> list[str]:
    """The analysed terms of a query, repeats kept (a repeated term counts again, as in bm25s)."""
    return [t for t in analyze(query) if t]


def scores_from_postings(
    terms: Sequence[str], postings: dict[str, tuple[np.ndarray, np.ndarray]], num_rows: int
) -> np.ndarray:
    """BM25 scores of every row from the postings of a query's terms (see `LexicalIndex.postings`).

    Adds each term's precomputed scores in query order, in float32, as bm25s
    does: the result equals `LexicalIndex.scores` over the same index.
    """
    scores = np.zeros(num_rows, dtype=np.float32)
    for term in terms:
        if term in postings:
            rows, values = postings[term]
            scores[rows] += values
    return scores


def top_rows(
    scores: np.ndarray, k: int, allowed_ids: np.ndarray | Sequence[int] | None = None
) -> list[tuple[int, float]]:
    """Best `k` rows with a positive score, best first, ties by row; within `allowed_ids` if given."""
    if k <= 0:
        return []
    if allowed_ids is not None:
        allowed = np.asarray(allowed_ids, dtype=np.int64)
        allowed = allowed[(allowed >= 0) & (allowed < scores.size)]
        masked = np.zeros_like(scores)
        masked[allowed] = scores[allowed]
        scores = masked
    candidates = np.flatnonzero(scores > 0)
    if candidates.size > k:
        top = np.argpartition(-scores[candidates], k - 1)[:k]
        candidates = candidates[top]
    # Sort by score, ties by row for a deterministic order.
    order = np.lexsort((candidates, -scores[candidates]))
    return [(int(row), float(scores[row])) for row in candidates[order]]
