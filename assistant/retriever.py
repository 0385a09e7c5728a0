"""A LangChain `BaseRetriever` over the assistant's hybrid retrieval.

    retriever = AssistantRetriever(assistant=Assistant.load(), k=5)
    docs = retriever.invoke("Quel budget pour le Health Data Hub en 2020 ?")

Each `Document` carries the passage text and its citation metadata, so the
index plugs into any LangChain chain.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from assistant.models import ScoredPassage


def passage_to_document(passage: ScoredPassage) -> Document:
    """A LangChain Document with the passage's citation metadata."""
    return Document(
        page_content=passage.text,
        id=passage.chunk_id,
        metadata={
            "chunk_id": passage.chunk_id,
            "doc_id": passage.doc_id,
            "title": passage.title,
            "section": passage.section,
            "page": passage.page,
            "score": passage.score,
            "start": passage.start,
            "end": passage.end,
            "sources": [source.doc_id for source in passage.sources] or [passage.doc_id],
        },
    )


class AssistantRetriever(BaseRetriever):
    """Hybrid (e5 + French BM25) retrieval with the sentence-level rerank."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    assistant: Any
    k: int = 5
    documents: list[str] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        passages = self.assistant.retrieve(query, k=self.k, documents=self.documents)
        return [passage_to_document(p) for p in passages]
