"""The project's error base, and why a file cannot be ingested.

Every error the project raises on purpose derives from `AssistantError`, so a
caller can catch the project's errors apart from bugs (`from assistant import
AssistantError`). It is defined here, in the bottom layer, because every
stage raises some: ingestion (`LoadError`), the index (`IndexUnavailable`,
`IndexBusy`), the assistant (`QuestionError`).

A file that cannot be used is skipped with a `SkipReason`: a stable code, a
French text for users (the one table below) and an English detail for logs.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path


class AssistantError(Exception):
    """Base of every error the project raises on purpose; messages are meant for users."""


class SkipReason(str, Enum):
    """Why a file was left out of the index. The value is the stable machine code."""

    UNSUPPORTED_TYPE = "unsupported_type"
    EMPTY = "empty"
    NO_TEXT = "no_text"
    BINARY = "binary"
    BAD_ENCODING = "bad_encoding"
    UNREADABLE = "unreadable"
    TOO_LARGE = "too_large"
    NOT_PDF = "not_pdf"
    CORRUPT_PDF = "corrupt_pdf"
    ENCRYPTED_PDF = "encrypted_pdf"
    NO_PAGES = "no_pages"
    TOO_MANY_PAGES = "too_many_pages"
    NO_TEXT_LAYER = "no_text_layer"
    TOO_SLOW = "too_slow"
    SAME_CONTENT = "same_content"
    UNEXPECTED = "unexpected"

    @property
    def french(self) -> str:
        """What to tell a user, in French."""
        return FRENCH_REASONS[self]


FRENCH_REASONS: dict[SkipReason, str] = {
    SkipReason.UNSUPPORTED_TYPE: "type de fichier non pris en charge",
    SkipReason.EMPTY: "fichier vide",
    SkipReason.NO_TEXT: "aucun texte exploitable",
    SkipReason.BINARY: "contenu binaire, pas du texte",
    SkipReason.BAD_ENCODING: "encodage de texte invalide",
    SkipReason.UNREADABLE: "fichier illisible",
    SkipReason.TOO_LARGE: "fichier trop volumineux",
    SkipReason.NOT_PDF: "ce n'est pas un fichier PDF",
    SkipReason.CORRUPT_PDF: "PDF corrompu ou tronqué",
    SkipReason.ENCRYPTED_PDF: "PDF chiffré (protégé par un mot de passe)",
    SkipReason.NO_PAGES: "PDF sans aucune page",
    SkipReason.TOO_MANY_PAGES: "trop de pages",
    SkipReason.NO_TEXT_LAYER: "PDF sans texte (document scanné ou images seulement ?)",
    SkipReason.TOO_SLOW: "lecture trop longue (limite de temps par document dépassée)",
    SkipReason.SAME_CONTENT: "contenu identique à celui d'un autre document du corpus",
    SkipReason.UNEXPECTED: "erreur inattendue à la lecture",
}


class LoadError(AssistantError):
    """A file that cannot be ingested: its `kind` of problem and a one-line English `reason`."""

    def __init__(self, path: Path | str, reason: str, kind: SkipReason = SkipReason.UNREADABLE) -> None:
        self.path = Path(path)
        self.reason = reason
        self.kind = kind
        super().__init__(f"{self.path.name}: {reason}")

    @property
    def french(self) -> str:
        """« fichier.pdf » : the French reason, for users."""
        return f"« {self.path.name} » : {self.kind.french}"
