"""The one lock every pdfium call goes through.

PDFium is not thread-safe: two threads may not call it at the same time, not
even on different documents (pypdfium2's documentation: it would crash or
corrupt the process). The chat page renders cited pages in one thread per
session while an upload may be indexed in another, so the loader and the
renderer hold this process-wide lock around all their pdfium work, one page
at a time, and close what they open before letting go.
"""

from __future__ import annotations

import threading

PDFIUM_LOCK = threading.RLock()
