"""The LangChain retriever: `langchain-tests`' standard suite, `k` and documents per call, metadata."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from langchain_tests.integration_tests import RetrieversIntegrationTests

from assistant.retriever import AssistantRetriever

QUERY = "Quel était le budget du Health Data Hub ?"


class TestAssistantRetrieverStandard(RetrieversIntegrationTests):
    """LangChain's own conformance tests, run on the tiny corpus with the keyword embedder."""

    @pytest.fixture(autouse=True)
    def _tiny_bot(self, tiny_bot) -> None:
        type(self).bot = tiny_bot

    @property
    def retriever_constructor(self) -> type[AssistantRetriever]:
        return AssistantRetriever

    @property
    def retriever_constructor_params(self) -> dict:
        return {"assistant": self.bot, "k": 2}

    @property
    def retriever_query_example(self) -> str:
        return QUERY


def test_k_given_at_invoke_wins_over_the_constructor(tiny_bot):
    retriever = tiny_bot.as_retriever(k=3)  # the tiny corpus has 3 distinct passages
    assert len(retriever.invoke(QUERY)) == 3
    assert len(retriever.invoke(QUERY, k=1)) == 1


def test_documents_given_at_invoke_restrict_the_search(tiny_bot):
    docs = tiny_bot.as_retriever(k=3).invoke(QUERY, documents=["robotique"])
    assert docs and {d.metadata["doc_id"] for d in docs} == {"robotique"}


def test_metadata_has_the_keys_langchain_loaders_use_and_the_citation(tiny_bot, tiny_settings):
    doc = tiny_bot.as_retriever(k=1).invoke(QUERY)[0]
    meta = doc.metadata
    assert meta["doc_id"] == "rapport"
    assert Path(meta["source"]) == (Path(tiny_settings.corpus_dir) / "rapport.md").resolve()
    assert meta["section"] and "Budget" in meta["section"]
    assert "page" in meta and meta["chunk_id"] == doc.id
    assert isinstance(meta["score"], float)
    assert isinstance(meta["start"], int) and meta["end"] > meta["start"]


def test_ainvoke_returns_what_invoke_returns(tiny_bot):
    retriever = tiny_bot.as_retriever(k=3)
    sync = retriever.invoke(QUERY, k=2)
    async_ = asyncio.run(retriever.ainvoke(QUERY, k=2))
    assert [d.id for d in async_] == [d.id for d in sync]
    assert len(async_) == 2
