"""The optional chat model of the generative mode, built from the settings (for every shell)."""

from __future__ import annotations

from typing import Any

from assistant.settings import Settings


def generative_available(settings: Settings) -> bool:
    """The generative mode is offered only when a chat model is configured."""
    return settings.llm_provider != "none" and bool(settings.llm_model)


def make_llm(settings: Settings) -> Any:
    """The configured LangChain chat model (its integration package must be installed)."""
    from langchain.chat_models import init_chat_model

    options: dict[str, Any] = {}
    if settings.llm_base_url:
        options["base_url"] = settings.llm_base_url
    return init_chat_model(settings.llm_model, model_provider=settings.llm_provider, **options)
