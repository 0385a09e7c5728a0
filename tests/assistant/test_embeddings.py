"""`Assistant.embeddings()`: the project's embedder as a LangChain `Embeddings`."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest
from langchain_tests.integration_tests import EmbeddingsIntegrationTests

from assistant.embeddings import EmbedderEmbeddings
from tests.fakes import KeywordEmbedder


class TestEmbedderEmbeddingsStandard(EmbeddingsIntegrationTests):
    """LangChain's own conformance tests, on the keyword embedder."""

    @property
    def embeddings_class(self) -> type[EmbedderEmbeddings]:
        return EmbedderEmbeddings

    @property
    def embedding_model_params(self) -> dict:
        return {"embedder": KeywordEmbedder(["foo", "bar", "baz"])}


def test_documents_are_embedded_as_passages_and_queries_as_queries():
    embedder = KeywordEmbedder(["budget", "plateforme"])
    embeddings = EmbedderEmbeddings(embedder)
    embeddings.embed_documents(["budget", "plateforme"])
    embeddings.embed_query("budget")
    assert (embedder.passages_embedded, embedder.queries_embedded) == (2, 1)
    assert embeddings.embed_documents([]) == []


def test_async_methods_give_the_sync_vectors():
    embeddings = EmbedderEmbeddings(KeywordEmbedder(["budget", "plateforme"]))
    assert asyncio.run(embeddings.aembed_query("budget")) == embeddings.embed_query("budget")
    assert asyncio.run(embeddings.aembed_documents(["plateforme"])) == embeddings.embed_documents(["plateforme"])


@pytest.mark.slow
def test_the_assistant_embeddings_are_its_own_model(bot):
    embeddings = bot.embeddings()
    query = "Quel budget pour le Health Data Hub ?"
    vector = np.asarray(embeddings.embed_query(query), dtype=np.float32)
    assert vector.shape == (bot.embedder.dim,)
    np.testing.assert_allclose(vector, bot.embedder.embed_queries([query])[0], atol=1e-6)
    assert abs(float(np.linalg.norm(vector)) - 1.0) < 1e-4
    [passage] = embeddings.embed_documents(["Le budget était de 9,7 M€ en 2020."])
    assert float(np.dot(vector, passage)) > 0.7
