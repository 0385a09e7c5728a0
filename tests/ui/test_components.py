"""Safe Markdown rendering of document text, answers and source cards (`ui/components.py`).

Literalness is checked with a real CommonMark parser (markdown-it-py, installed
with spaCy's dependencies): escaped text must render as exactly the same
characters, with no link, HTML, emphasis or code element.
"""

from __future__ import annotations

import html
import re

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from ui.components import (
    answer_markdown,
    citation_label,
    escape_markdown,
    format_timestamp,
    index_status,
    markdown_block,
)

HOSTILE = [
    "<script>alert('x')</script>",
    "[cliquez](javascript:alert(1)) et ![img](http://exemple.fr/x.png)",
    "**gras** _italique_ `code` ~~barré~~ # titre",
    "Prix : $5 et $10$ puis $$x^2$$",
    ":red[rouge] :material/home: :orange-background[fond]",
    "&lt;b&gt; &amp; &#60;i&#62; \\ antislash \\* final\\",
    "1. liste\n- puce\n> citation\n    code indenté\n| a | b |\n|---|---|",
    "<img src=x onerror=alert(1)> <a href='https://evil'>lien</a> https://www.exemple.fr",
]

_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])


def rendered_html(markdown: str) -> str:
    return _MD.render(markdown)


def visible_text(markup: str) -> str:
    """Text a browser would show for this HTML (tags dropped, entities decoded)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def _no_markup(markup: str) -> None:
    body = re.sub(r"</?p>", "", markup)
    assert not re.search(r"<(a|img|script|em|strong|code|pre|h\d|ol|ul|li|blockquote|table|del|s)\b", body), markup


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_renders_literally(text):
    escaped = escape_markdown(text)
    markup = rendered_html(escaped)
    _no_markup(markup)
    assert visible_text(markup) == " ".join(text.split())
    assert "\n" not in escaped


@pytest.mark.parametrize("text", HOSTILE)
def test_passage_block_renders_literally_line_by_line(text):
    markup = rendered_html(markdown_block(text))
    _no_markup(markup)
    expected = " ".join(line.strip() for line in text.split("\n"))
    assert visible_text(markup) == " ".join(expected.split())


def test_streamlit_extensions_are_escaped_too():
    # LaTeX and directives are Streamlit additions that CommonMark does not know.
    assert escape_markdown("$x$ :red[y] :smile:") == "\\$x\\$ \\:red\\[y\\] \\:smile\\:"


def test_highlight_wraps_exactly_the_quoted_spans():
    passage = "Contexte [1] <b>. Les données sont dispersées. Une suite ; puis\nune fin *citée*."
    first = passage.index("Les données")
    second = passage.index("une fin")
    spans = [(first, first + len("Les données sont dispersées.")), (second, len(passage))]
    block = markdown_block(passage, spans)
    highlighted = re.findall(r":orange-background\[((?:\\.|[^\]\\])*)\]", block)
    unescaped = [re.sub(r"\\(.)", r"\1", h.removeprefix("**").removesuffix("**")) for h in highlighted]
    assert unescaped == ["Les données sont dispersées.", "une fin *citée*."]
    # Outside the directives, nothing is left unescaped.
    outside = re.sub(r":orange-background\[(?:\\.|[^\]\\])*\]", "", block)
    _no_markup(rendered_html(outside))
    assert "\\[1\\] \\<b\\>" in outside


def test_highlight_spanning_lines_is_split_per_line_and_skips_indentation():
    passage = "Avant.\n    Première ligne citée\n\nseconde ligne citée. Après."
    start = passage.index("Première")
    end = passage.index(" Après")
    block = markdown_block(passage, [(start, end)])
    assert block.split("\n") == [
        "Avant\\.",
        ":orange-background[**Première ligne citée**]",
        "",
        ":orange-background[**seconde ligne citée\\.**] Après\\.",
    ]


def test_answer_markers_become_badges_and_prose_is_escaped():
    text = "Les données [sic] sont *dispersées*. [1] Il faut <agir>. [2]"
    md = answer_markdown(text)
    assert md.count(":blue-badge[") == 2
    assert ":blue-badge[\\[1\\]]" in md and ":blue-badge[\\[2\\]]" in md
    assert "\\[sic\\]" in md and "\\*dispersées\\*" in md and "\\<agir\\>" in md


def test_card_label_numbers_title_section_and_page_and_no_rank_score():
    from assistant.models import Citation

    citation = Citation(number=2, doc_id="d", title="Rapport [IA] *santé*", section="Partie 1 › Données",
                        page=12, quote="q", passage="q", start=0, end=1, score=0.02)
    label = citation_label(citation)
    assert label.startswith("**\\[2\\]** ")
    assert "Rapport \\[IA\\] \\*santé\\*" in label
    assert label.endswith("Partie 1 › Données — p. 12")
    assert "pertinence" not in label  # a rank score relative to the best card is not a confidence


def test_card_label_says_the_printed_page_label_and_a_page_break():
    from assistant.models import Citation

    def label(**pages) -> str:
        citation = Citation(number=1, doc_id="d", title="Rapport", section="", quote="q", passage="q",
                            start=0, end=1, score=0.5, **pages)
        return citation_label(citation)

    assert "p. 4–5" in label(page=4, pages=[4, 5])
    assert "p. ii (page 2 du fichier)" in label(page=2, pages=[2], page_label="ii")
    assert "p. 3 (page 5 du fichier), suite page 6 du fichier" in label(page=5, pages=[5, 6], page_label="3")
    assert label(page=7, pages=[7], page_label="7").endswith("p. 7")  # a label equal to the index adds nothing
    assert " p. " not in label(page=None)


def test_index_status_shows_the_manifest_facts():
    from index.store import DocumentRecord, Manifest
    from index.store.manifest import EmbeddingInfo
    from ingest.config import ChunkingConfig

    documents = tuple(DocumentRecord(d, d, d, d, "txt", "h", 21) for d in ("a", "b"))
    manifest = Manifest("20250102-030405-00000000", EmbeddingInfo("m@onnx", 3, 512), ChunkingConfig(),
                        42, documents, built_at="2025-01-02T03:04:05+00:00")
    status = index_status(manifest)
    assert status["Documents"] == "2" and status["Passages"] == "42" and status["Modèle"] == "m@onnx"
    assert re.fullmatch(r"\d\d/\d\d/2025 \d\d:\d\d", status["Construit le"])
    assert status["Version"] == "20250102-030405-00000000"
    assert format_timestamp("") == "—" and format_timestamp("pas une date") == "pas une date"


def _card_app() -> None:
    import streamlit as st

    from assistant.models import Answer, Citation, ScoredPassage
    from ui.components import render_answer

    hostile = "<script>alert(1)</script> [x](javascript:alert(1)) Les données sont dispersées."
    start = hostile.index("Les données")
    citation = Citation(number=1, doc_id="d", title="<b>Titre</b>", section="S", page=None,
                        quote="Les données sont dispersées.", passage=hostile, start=start,
                        end=len(hostile), score=0.5, highlights=[(start, len(hostile))])
    if st.session_state.get("abstain"):
        passage = ScoredPassage(chunk_id="c", doc_id="d", title="Proche", section="S", page=4,
                                text=hostile, score=0.1, start=0, end=1)
        render_answer(Answer(question="q", text="Les rapports ne répondent pas à cette question.",
                             abstained=True, see_also=[passage]))
    else:
        render_answer(Answer(question="q", text="Les données sont dispersées. [1]", abstained=False,
                             citations=[citation]))


def test_rendered_card_has_no_raw_html_or_link():
    at = AppTest.from_function(_card_app).run()
    assert not at.exception
    assert [e.label for e in at.expander] == ["**\\[1\\]** \\<b\\>Titre\\<\\/b\\> — S"]
    bodies = [m.value for m in at.expander[0].markdown]
    assert any(":orange-background[**Les données sont dispersées\\.**]" in b for b in bodies)
    for body in [m.value for m in at.markdown]:
        assert "<script>" not in body and "](javascript" not in body
        assert not getattr(at.markdown[0].proto, "allow_html", False)
    assert not at.warning


def test_rendered_abstention_is_a_warning_with_see_also():
    at = AppTest.from_function(_card_app)
    at.session_state["abstain"] = True
    at.run()
    assert not at.exception
    assert "Les rapports ne répondent pas" in at.warning[0].value
    assert any("Voir aussi" in m.value for m in at.markdown)
    assert [e.label for e in at.expander] == ["Proche — S — p. 4"]
