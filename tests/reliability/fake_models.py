"""A LangChain chat model that plays one obeying whatever its prompt says, and keeps its prompts.

Unlike `FakeListChatModel`, whose replies are fixed in advance, its reply is
computed from the messages it receives (`respond(system, human)`), so a test
can prove what reached the model: an order planted in a passage is obeyed
only if that passage was in the prompt.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import SimpleChatModel
from langchain_core.messages import BaseMessage, SystemMessage
from pydantic import Field

Respond = Callable[[str, str], str]  # (system text, user text) -> reply


class ObeyingChatModel(SimpleChatModel):
    """Replies `respond(system, human)`; every prompt it was sent is in `prompts`."""

    respond: Respond
    prompts: list[list[BaseMessage]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "obeying-fake"

    def _call(self, messages: list[BaseMessage], stop: list[str] | None = None,
              run_manager: Any = None, **kwargs: Any) -> str:
        self.prompts.append(list(messages))
        system = "\n".join(str(m.content) for m in messages if isinstance(m, SystemMessage))
        human = "\n".join(str(m.content) for m in messages if not isinstance(m, SystemMessage))
        return self.respond(system, human)

    @property
    def last_prompt(self) -> str:
        """Everything the model was last sent, as one text."""
        return "\n".join(str(m.content) for m in self.prompts[-1])
