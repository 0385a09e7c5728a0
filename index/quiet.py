"""Keep third-party chatter out of a model load unless logging is verbose.

Loading the embedder the first time converts and exports it; transformers
then draws "Loading weights" and "Writing model shards" progress bars and
onnxruntime's quantiser logs a pre-processing hint on the root logger —
noise for a user who only asked for an index (the project's own progress
bar says what is happening). Both are silenced while the project's `index`
logger is quieter than INFO; `assistant -v` (INFO) shows them again.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# Logged by onnxruntime.quantization on the root logger for every model it quantises;
# our int8 recipe is measured without that pre-processing (see onnx_backend.py).
ONNX_PREPROCESS_HINT = "Please consider to run pre-processing before quantization"


def verbose() -> bool:
    """Whether the user asked for details (the `index` logger passes INFO)."""
    return logging.getLogger("index").isEnabledFor(logging.INFO)


class _DropMessages(logging.Filter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


@contextmanager
def quiet_third_party() -> Iterator[None]:
    """Within the block, no transformers progress bars and no onnxruntime hint, unless verbose."""
    if verbose():
        yield
        return
    hint = _DropMessages(ONNX_PREPROCESS_HINT)
    root = logging.getLogger()
    root.addFilter(hint)
    bars_were_on = _progress_bars(False)
    try:
        yield
    finally:
        root.removeFilter(hint)
        if bars_were_on:
            _progress_bars(True)


def _progress_bars(enabled: bool) -> bool:
    """Turn Hugging Face progress bars on or off; whether they were on before.

    transformers copies huggingface_hub's switch when it is imported, and keeps
    its own afterwards: both are set. transformers is never imported here (it
    imports torch, which answering a question must not need).
    """
    from huggingface_hub import utils as hub

    was_on = not hub.are_progress_bars_disabled()
    (hub.enable_progress_bars if enabled else hub.disable_progress_bars)()
    transformers_logging = sys.modules.get("transformers.utils.logging")
    if transformers_logging is not None:
        switch = "enable_progress_bar" if enabled else "disable_progress_bar"
        getattr(transformers_logging, switch)()
    return was_on


def follow_application_logging(name: str) -> None:
    """Undo a library's forced logger level (bm25s sets DEBUG on import), so its records
    follow the application's logging configuration (WARNING by default, INFO with -v)."""
    logging.getLogger(name).setLevel(logging.NOTSET)
