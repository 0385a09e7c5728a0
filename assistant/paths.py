"""Where the assistant keeps things by default — the one rule, written once.

* **Shipped with the package, read-only**: the bundled corpus
  (`assistant/corpus/`, found through `importlib.resources`; in a source
  checkout it is a link to the repository's `data/corpus/`) and the gate's
  packaged calibration (`assistant/gate_calibration.json`).
* **Written by the assistant**: under the user's data directory
  (`platformdirs.user_data_dir`, `~/.local/share/assistant-sante` on Linux,
  which honours `XDG_DATA_HOME`): the index, chat feedback, evaluation
  reports, kept conversations and the calibrations `assistant calibrate`
  fits; the converted embedding model under the user's cache directory
  (`~/.cache/assistant-sante`, see `index.config.default_cache_dir`).

Each of them can be set in `Settings` (`ASSISTANT_INDEX_DIR`…); nothing is
ever written inside the installed package.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from platformdirs import user_data_dir

from index.config import default_cache_dir

APP_NAME = "assistant-sante"  # the platformdirs application name (also the cache's)
PACKAGE = "assistant"  # the package whose data holds the corpus and the calibration
CORPUS_RESOURCE = "corpus"
CALIBRATION_RESOURCE = "gate_calibration.json"

__all__ = [
    "APP_NAME",
    "bundled_corpus",
    "default_cache_dir",
    "default_calibration_file",
    "default_conversations_file",
    "default_feedback_file",
    "default_index_dir",
    "default_reports_dir",
    "inside_package",
    "package_dir",
    "packaged_calibration_file",
    "user_data_dir_path",
]


def package_dir() -> Path:
    """The installed `assistant` package folder (resolved)."""
    return Path(str(files(PACKAGE))).resolve()


def bundled_corpus() -> Path:
    """The corpus shipped with the package (resolved: `data/corpus` in a source checkout)."""
    return Path(str(files(PACKAGE) / CORPUS_RESOURCE)).resolve()


def packaged_calibration_file() -> Path:
    """The gate calibration shipped with the package (fitted on the gold set's dev split)."""
    return Path(str(files(PACKAGE) / CALIBRATION_RESOURCE))


def user_data_dir_path() -> Path:
    """The user's data directory for this application (not created here)."""
    return Path(user_data_dir(APP_NAME, appauthor=False))


def default_index_dir() -> Path:
    return user_data_dir_path() / "index"


def default_feedback_file() -> Path:
    return user_data_dir_path() / "feedback.jsonl"


def default_reports_dir() -> Path:
    return user_data_dir_path() / "reports"


def default_conversations_file() -> Path:
    return user_data_dir_path() / "conversations.sqlite3"


def default_calibration_file() -> Path:
    """Where `assistant calibrate` writes unless told otherwise (never the package)."""
    return user_data_dir_path() / CALIBRATION_RESOURCE


def inside_package(path: Path) -> bool:
    """Whether `path` lies inside the installed package folder (where nothing is written).

    In a source checkout the bundled corpus resolves to `data/corpus`, outside
    the package, so it stays editable there.
    """
    root = package_dir()
    resolved = Path(path).resolve()
    return resolved == root or root in resolved.parents
