"""`python -m tests.support.fake_autoforge ARGS`: the `autoforge` command (serve, worker,
eval...) with every model replaced by the test fake (`tests/support/fake_model.py`),
configured by its environment variables. Only tests start it."""

from __future__ import annotations

from tests.support.fake_model import from_env, install

# At import, not under `__main__`: the processes `serve --workers N` spawns import this
# main module again (as `__mp_main__`), and their models must be the fake too.
install(from_env())

if __name__ == "__main__":
    from autoforge.cli.main import app

    app(prog_name="autoforge")
