"""The data directory and the SQLite files hold customers' data and password hashes:
only the server's own user may read them (directories 0700, files 0600)."""

import os
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600


def private_dir(path: Path) -> None:
    """Make `path` (and missing parents) readable by its owner alone; an existing data
    directory made before this rule is tightened too."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    os.chmod(path, PRIVATE_DIR)


def sqlite_path(database_url: str) -> Path | None:
    """The file of a SQLite URL (None for another database or an in-memory one)."""
    if not database_url.startswith("sqlite:///") or database_url.endswith(":memory:"):
        return None
    return Path(database_url.removeprefix("sqlite:///"))


def private_sqlite(database_url: str) -> None:
    """Create the SQLite file 0600 before SQLite does (its `-wal` and `-shm` files take the
    database file's mode), and tighten the files of an older installation; a folder it
    has to create is 0700. Other databases: nothing to do."""
    path = sqlite_path(database_url)
    if path is None:
        return
    if not path.parent.exists():
        private_dir(path.parent)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE))
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists():
            os.chmod(file, PRIVATE_FILE)
