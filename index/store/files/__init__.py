"""The files backend of the index store (the default): see `store.FileStore`."""

from index.store.files.reader import FileSnapshot
from index.store.files.store import FileStore

__all__ = ["FileSnapshot", "FileStore"]
