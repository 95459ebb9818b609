"""Child process: commits an event, then dies by SIGKILL before anything can publish it."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

from autoforge.bootstrap import bootstrap
from autoforge.config import Settings
from tests.support.events import SomethingHappened


def main(data_dir: str) -> None:
    settings = Settings(autoforge_data_dir=Path(data_dir), _env_file=None)  # type: ignore[call-arg]
    container = bootstrap(settings)
    with container.database.transaction() as uow:
        uow.collect(SomethingHappened(subject="crash", amount=7))
    os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    main(sys.argv[1])
