"""The naive LangChain pipeline the evaluation compares against.

What a tutorial builds: `RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200)` over the raw files (no cleaning, no structure), the same
embedding model in a LangChain FAISS vector store, top-4 passages, and the
first passage's best sentence (by cosine to the question) as the answer,
cited [1]. It never abstains.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from langchain_community.vectorstores import FAISS
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.embeddings import EmbedderEmbeddings
from assistant.models import Answer, Citation, ScoredPassage
from index.embedder import Embedder
from ingest.sentences import split_sentences


class NaiveBaseline:
    """Tutorial-grade retrieval-augmented QA over the raw corpus files."""

    def __init__(self, corpus_dir: Path, embedder: Embedder, k: int = 4) -> None:
        self.embedder = embedder
        self.k = k
        splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
        documents = [
            Document(page_content=path.read_text(encoding="utf-8", errors="replace"),
                     metadata={"doc_id": path.stem, "title": path.stem})
            for path in sorted(corpus_dir.glob("*.txt"))
            if path.name != "SOURCES.md"
        ]
        chunks = splitter.split_documents(documents)
        self.store = FAISS.from_documents(chunks, EmbedderEmbeddings(embedder))

    def retrieve(self, question: str, k: int | None = None) -> list[ScoredPassage]:
        hits = self.store.similarity_search_with_score(question, k=k or self.k)
        return [
            ScoredPassage(
                chunk_id=f"baseline-{rank}",
                doc_id=doc.metadata["doc_id"],
                title=doc.metadata["title"],
                section="",
                page=None,
                text=doc.page_content,
                score=float(-distance),
                start=0,
                end=len(doc.page_content),
            )
            for rank, (doc, distance) in enumerate(hits)
        ]

    def ask(self, question: str, history: Sequence[object] | None = None) -> tuple[Answer, list[ScoredPassage]]:
        passages = self.retrieve(question, k=max(self.k, 10))
        first = passages[0]
        spans = [(s, e) for s, e in split_sentences(first.text) if first.text[s:e].strip()]
        sentences = [first.text[s:e].strip() for s, e in spans]
        vectors = self.embedder.embed_passages(sentences)
        best = int(np.argmax(vectors @ self.embedder.embed_queries([question])[0]))
        start, end = spans[best]
        citation = Citation(
            number=1, doc_id=first.doc_id, title=first.title, section="", page=None,
            quote=sentences[best], passage=first.text, start=start, end=end,
            score=first.score, chunk_id=first.chunk_id,
        )
        answer = Answer(question=question, text=f"{sentences[best]} [1]", abstained=False,
                        citations=[citation], mode="baseline", confidence=None)  # it has no gate
        return answer, passages
