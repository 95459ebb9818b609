"""Where the vault's keys come from: SECRET_KEYS (a JSON list, newest first), else, in local
mode only, one key generated on first use and kept in `<data dir>/secret.key` (mode 0600).

A server that requires credentials never invents a key: a key it made up would sit next to
the database it protects, and would differ between the processes of a deployment.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from autoforge.config import Settings
from autoforge.secrets.vault import SecretsUnavailable, Vault, new_key

log = logging.getLogger(__name__)

KEY_FILE = "secret.key"


def vault_of(settings: Settings) -> Vault:
    """The vault for these settings; raises SecretsUnavailable when there is no key."""
    if settings.secret_keys:
        return Vault([key.get_secret_value() for key in settings.secret_keys])
    if settings.auth_mode != "local":
        raise SecretsUnavailable(
            "storing or reading secrets needs an encryption key: set SECRET_KEYS to a JSON "
            "list of Fernet keys, newest first (e.g. SECRET_KEYS='[\"<key>\"]'; make one "
            "with `autoforge secret keygen`)"
        )
    return Vault([local_key(settings.data_dir / KEY_FILE)])


def local_key(path: Path) -> str:
    """The key in `path`, made (readable by its owner only) if there is none yet.

    The file is written under another name and linked into place, so a process that races
    this one either finds no file (and makes its own, losing the link) or a whole one."""
    if path.exists():
        return _read(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, staged = tempfile.mkstemp(dir=path.parent, prefix=".secret-key-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as file:
            file.write(new_key() + "\n")
        os.link(staged, path)
        log.info("made a new encryption key for stored secrets in %s", path)
    except FileExistsError:
        pass  # another process made it first: its key is the one
    finally:
        os.unlink(staged)
    return _read(path)


def _read(path: Path) -> str:
    if path.stat().st_mode & 0o077:
        log.warning("%s is readable by others than its owner: chmod 600 it", path)
    key = path.read_text().strip()
    if not key:
        raise SecretsUnavailable(f"{path} is empty: delete it to have a new key made")
    return key
