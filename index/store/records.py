"""Clean documents as plain dictionaries, the form every store backend keeps them in."""

from __future__ import annotations

from dataclasses import asdict

from ingest.models import CleanDocument, Heading

__all__ = ["document_from_dict", "document_to_dict"]


def document_to_dict(doc: CleanDocument) -> dict:
    """A clean document as one line of `documents.jsonl`."""
    return asdict(doc)


def document_from_dict(data: dict) -> CleanDocument:
    """The inverse of `document_to_dict` (extra keys such as `file_hash` ignored)."""
    return CleanDocument(
        doc_id=data["doc_id"],
        title=data["title"],
        source_path=data["source_path"],
        format=data["format"],
        text=data["text"],
        page_starts=tuple(data.get("page_starts", ())),
        headings=tuple(Heading(**h) for h in data.get("headings", ())),
        footnotes=tuple(data.get("footnotes", ())),
        content_hash=data.get("content_hash", ""),
        chars_in=data.get("chars_in", 0),
        page_labels=tuple(data.get("page_labels", ())),
        image_only_pages=tuple(data.get("image_only_pages", ())),
    )
