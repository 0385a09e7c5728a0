"""The chat page shows a PDF citation's page with the quote highlighted (AppTest)."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.ui.conftest import ask, open_app
from tests.ui.helpers import all_markdown

pytestmark = pytest.mark.slow

QUESTION = "Les dépôts sauvages ont diminué de 15 % dans les quartiers où des caméras ont été installées ?"
WEB_QUESTION = "Combien coûtera l'entrée adulte de la piscine ?"


@pytest.fixture
def documents_env(monkeypatch, tmp_path, settings, documents_bot):
    """The app over the index of the issue #12 test documents (PDFs and web pages)."""
    monkeypatch.setenv("ASSISTANT_CORPUS_DIR", str(documents_bot.settings.corpus_dir))
    monkeypatch.setenv("ASSISTANT_INDEX_DIR", str(documents_bot.settings.index_dir))
    monkeypatch.setenv("ASSISTANT_CACHE_DIR", str(settings.cache_dir))
    monkeypatch.setenv("ASSISTANT_FEEDBACK_FILE", str(tmp_path / "feedback.jsonl"))
    monkeypatch.setenv("ASSISTANT_REPORTS_DIR", str(tmp_path / "reports"))
    return tmp_path


def _answer(at):
    return at.session_state["messages"][-1]["answer"]


def test_a_pdf_citation_shows_its_page_with_the_quote_highlighted(documents_env):
    at = ask(open_app(), QUESTION)
    assert not at.exception, at.exception
    answer = _answer(at)
    assert not answer.abstained
    first = answer.citations[0]
    assert first.doc_id == "pdf-chromium-rapport-municipal" and first.pages == [4, 5]
    card = at.chat_message[1].expander[0]
    assert "p. 4–5" in card.label
    images = card.image
    assert len(images) == 2  # the quote runs onto page 5
    assert [caption.split(" :")[0] for image in images for caption in image.captions] == ["p. 4", "p. 5"]
    # The passage text stays under the pages, its quote highlighted.
    assert ":orange-background[**" in all_markdown(card)


def test_a_web_page_citation_keeps_the_highlighted_passage_only(documents_env):
    at = ask(open_app(), WEB_QUESTION)
    assert not at.exception, at.exception
    answer = _answer(at)
    assert not answer.abstained and answer.citations[0].page is None
    card = at.chat_message[1].expander[0]
    assert len(card.image) == 0
    assert ":orange-background[**" in all_markdown(card)


def test_the_page_image_is_the_pdf_page_with_orange_marks(documents_bot):
    """What `render_citation` shows: the page as PNG, the quote's lines tinted."""
    answer = documents_bot.ask(QUESTION)
    [(page, png), *_] = documents_bot.page_images(answer.citations[0])
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert page == 4 and image.size[0] > 500
    orange = sum(1 for r, g, b in image.getdata() if r > 200 and 120 < g < 235 and b < 190 and r - b > 60)
    assert orange > 500
