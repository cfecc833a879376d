"""A throwaway PostgreSQL server for the poll's tests: Debian's package, on 127.0.0.1.

initdb and postgres refuse to run as root, so as root they run as the `postgres` user
(`runuser`), in a temporary folder that user owns. The server is stopped by its pid.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from servers import STOP_SECONDS, free_port, unavailable

# Debian's package puts each major version in its own folder (15 in bookworm, 17 in trixie).
_FOUND = sorted(Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3]))
BIN = _FOUND[-1].parent if _FOUND else Path("/usr/lib/postgresql/15/bin")
START_SECONDS = 30


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@contextmanager
def postgres_server():
    """Yield the SQLAlchemy URL of a fresh PostgreSQL server's `postgres` database; remove the
    server and its files after."""
    if not (BIN / "postgres").exists():
        unavailable(f"PostgreSQL not found in {BIN}; install it with `apt-get install postgresql`")
    folder = Path(tempfile.mkdtemp(prefix="xent-pg-"))
    data = folder / "data"
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(folder, user.pw_uid, user.pw_gid)
    subprocess.run(
        _as_postgres([str(BIN / "initdb"), "-D", str(data), "-U", "xent", "-A", "trust",
                      "--no-sync", "-E", "UTF8"]),
        check=True, capture_output=True,
    )  # fmt: skip
    port = free_port()
    log = (folder / "server.log").open("wb")
    process = subprocess.Popen(
        _as_postgres([str(BIN / "postgres"), "-D", str(data), "-p", str(port),
                      "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={folder}",
                      "-c", "fsync=off", "-c", "max_connections=200"]),
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"postgresql+psycopg://xent@127.0.0.1:{port}/postgres"
    try:
        deadline = time.monotonic() + START_SECONDS
        while subprocess.run(
            [str(BIN / "pg_isready"), "-h", "127.0.0.1", "-p", str(port)], capture_output=True
        ).returncode:
            if process.poll() is not None or time.monotonic() > deadline:
                said = (folder / "server.log").read_text()
                raise RuntimeError(f"PostgreSQL did not start: {said}")
            time.sleep(0.1)
        yield url
    finally:
        # SIGINT is PostgreSQL's "fast" shutdown (SIGTERM waits for every client to leave),
        # sent to the server's own pid (postmaster.pid's first line), not to runuser.
        pid_file = data / "postmaster.pid"
        if pid_file.exists() and process.poll() is None:
            os.kill(int(pid_file.read_text().split()[0]), signal.SIGINT)
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def new_database(server_url: str, name: str) -> str:
    """Create database `name` on the server of `server_url`; its URL."""
    import sqlalchemy as sa

    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as db:
        db.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return server_url.rsplit("/", 1)[0] + f"/{name}"
