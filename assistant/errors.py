"""Every error the assistant raises on purpose, under one base: `AssistantError`.

    AssistantError
    ├── QuestionError      a question that cannot be asked (empty, no words…)
    ├── LoadError          a document that cannot be ingested (typed `SkipReason`)
    ├── UploadRejected     a file refused before it enters the corpus (UploadConflict: same name)
    ├── IndexUnavailable   no usable index: missing, damaged, built with another model
    │   └── DatabaseUnavailable  the index's database is unreachable or lacks pgvector
    ├── IndexBusy          another build holds the index
    ├── DocumentNotFound   an unknown document id
    ├── CorpusReadOnly     a corpus folder inside the installed package (never written to)
    └── SettingsError      an unknown or unreadable setting (names the known ones)

Messages are French and meant for users. The classes are defined where they
are raised (lower layers cannot import this module) and gathered here.
"""

from __future__ import annotations

from index.errors import DatabaseUnavailable, IndexBusy, IndexUnavailable
from ingest.errors import AssistantError, LoadError, SkipReason
from ingest.uploads import UploadConflict, UploadRejected


class QuestionError(AssistantError, ValueError):
    """A question that cannot be asked (empty, no words…); the message is French."""


class DocumentNotFound(AssistantError, KeyError):
    """A document id the index does not hold; the message lists the known ids."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class CorpusReadOnly(AssistantError, PermissionError):
    """A corpus folder inside the installed package: documents are added to the user's own folder."""


class SettingsError(AssistantError, ValueError):
    """An unknown setting key (TOML file, `ASSISTANT_*` variable or keyword) or an unreadable file."""


__all__ = [
    "AssistantError",
    "CorpusReadOnly",
    "DatabaseUnavailable",
    "DocumentNotFound",
    "IndexBusy",
    "IndexUnavailable",
    "LoadError",
    "QuestionError",
    "SettingsError",
    "SkipReason",
    "UploadConflict",
    "UploadRejected",
]
