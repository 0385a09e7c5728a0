"""The project's embedder behind LangChain's `Embeddings` interface (`Assistant.embeddings()`).

The default embedder is an ONNX int8 model, not a `SentenceTransformer`; this
adapter lets any LangChain component (a vector store, a semantic splitter…)
reuse it, with the model's own prompts: documents are embedded as passages
(`passage: `), queries as queries (`query: `). Vectors are L2-normalised,
so inner product and cosine agree. The async methods run the embedding in a
worker thread (`asyncio.to_thread`): the ONNX session releases the GIL, so
the event loop stays free while a batch is embedded.
"""

from __future__ import annotations

import asyncio

from langchain_core.embeddings import Embeddings

from index.embedder import Embedder


class EmbedderEmbeddings(Embeddings):
    """An `index.embedder.Embedder` as a LangChain `Embeddings`."""

    def __init__(self, embedder: Embedder, batch_size: int = 32) -> None:
        self.embedder = embedder
        self.batch_size = batch_size  # passages per model call when embedding documents

    @property
    def model_id(self) -> str:
        """The embedder's id, as the index manifest records it."""
        return self.embedder.model_id

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, embedded as a passage."""
        if not texts:
            return []
        return self.embedder.embed_passages(list(texts), batch_size=self.batch_size).tolist()

    def embed_query(self, text: str) -> list[float]:
        """The vector of a search query."""
        return self.embedder.embed_queries([text])[0].tolist()

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        return await asyncio.to_thread(self.embed_documents, texts)

    async def aembed_query(self, text: str) -> list[float]:
        return await asyncio.to_thread(self.embed_query, text)
