"""`autoforge doctor`: what works on this machine and what does not, one verdict per line.

Each check returns a `Check`. `required` says whether the configuration needs the thing:
a failed required check makes the command exit non-zero (and `make run` stop before it
serves); a failed optional one (Node for UI builds, Chromium for the browser tests) is a
warning. Nothing here runs native model code in this process: the build's features are
read by a child interpreter, and the model runs in its own supervised process.
"""

from __future__ import annotations

import json
import platform
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from autoforge import __version__
from autoforge.config import Settings


class Verdict(StrEnum):
    OK = "ok"
    WARN = "warn"
    FAIL = "fail"
    SKIP = "skip"  # not configured, so not needed


@dataclass(frozen=True)
class Check:
    name: str
    verdict: Verdict
    detail: str
    required: bool = True

    @property
    def broken(self) -> bool:
        return self.verdict is Verdict.FAIL and self.required


# llama.cpp's names for the CPU features it was compiled for -> /proc/cpuinfo's flag names.
CPU_FLAGS = {
    "SSE3": "pni",
    "SSSE3": "ssse3",
    "AVX": "avx",
    "AVX2": "avx2",
    "F16C": "f16c",
    "FMA": "fma",
    "BMI2": "bmi2",
    "AVX_VNNI": "avx_vnni",
    "AVX512": "avx512f",
    "AVX512_VBMI": "avx512vbmi",
    "AVX512_VNNI": "avx512_vnni",
    "AVX512_BF16": "avx512_bf16",
    "AMX_INT8": "amx_int8",
    "AMX_BF16": "amx_bf16",
    "AMX_TILE": "amx_tile",
}
_SYSTEM_INFO = "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"
BUILD_INFO = Path(sys.prefix) / "llama-cpp-build.json"


def compiled_features(system_info: str) -> set[str]:
    """The CPU features a llama.cpp build uses, from its system info ("AVX2 = 1 | ...")."""
    return {name for name, on in re.findall(r"([A-Z0-9_]+) = (\d)", system_info) if on == "1"}


def cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> set[str]:
    try:
        text = cpuinfo.read_text()
    except OSError:
        return set()
    match = re.search(r"^flags\s*:\s*(.*)$", text, re.MULTILINE)
    return set(match.group(1).split()) if match else set()


def missing_features(compiled: set[str], flags: set[str]) -> list[str]:
    """Features the build uses that this CPU does not list: each one is a SIGILL waiting."""
    return sorted(f for f in compiled if f in CPU_FLAGS and CPU_FLAGS[f] not in flags)


def run_checks(settings: Settings, *, model: bool = True) -> Iterator[Check]:
    """Every check, in the order the table shows them; each is isolated from the others."""
    steps: list[Callable[[Settings], Check]] = [
        _python,
        _data_dir,
        _database,
        _llama_build,
    ]
    if model:
        steps.append(_local_model)
    steps += [_embedder, _redis, _node, _chromium]
    for step in steps:
        try:
            yield step(settings)
        except Exception as exc:  # a check that breaks is a failed check, not a crash
            yield Check(step.__name__.strip("_").replace("_", " "), Verdict.FAIL, repr(exc))


def _python(_settings: Settings) -> Check:
    return Check(
        "python",
        Verdict.OK,
        f"Python {platform.python_version()} ({sys.executable}), autoforge {__version__}",
    )


def _data_dir(settings: Settings) -> Check:
    directory = settings.data_dir
    directory.mkdir(parents=True, exist_ok=True)
    probe = directory / ".doctor-probe"
    probe.write_text("ok")
    probe.unlink()
    free_gb = shutil.disk_usage(directory).free / 1e9
    return Check(
        "data directory", Verdict.OK, f"{directory.resolve()} (writable, {free_gb:.1f} GB free)"
    )


def _database(settings: Settings) -> Check:
    from autoforge.db import migrations
    from autoforge.db.engine import database_kind, make_engine

    target = settings.resolved_database_url
    kind = database_kind(target)
    engine = make_engine(settings)
    try:
        started = time.perf_counter()
        current = migrations.current(engine)
        elapsed_ms = (time.perf_counter() - started) * 1000
    finally:
        engine.dispose()
    head = migrations.head()
    where = "remote (sqld / Turso)" if kind == "libsql-remote" else f"local file {target}"
    if current != head:
        return Check(
            "database",
            Verdict.WARN,
            f"{where}: at migration {current or 'none'}, newest is {head}; "
            "`autoforge db upgrade` (serve applies it at start)",
        )
    return Check(
        "database", Verdict.OK, f"{where}: migrations current ({head}), {elapsed_ms:.0f} ms"
    )


def _llama_build(_settings: Settings) -> Check:
    probe = subprocess.run(
        [sys.executable, "-c", _SYSTEM_INFO],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if probe.returncode != 0:
        return Check(
            "llama.cpp build", Verdict.FAIL, f"cannot import llama_cpp: {probe.stderr[-300:]}"
        )
    compiled = compiled_features(probe.stdout)
    flags = cpu_flags()
    missing = missing_features(compiled, flags)
    built_for = " ".join(sorted(f for f in compiled if f in CPU_FLAGS))
    has = " ".join(sorted(f for f, flag in CPU_FLAGS.items() if flag in flags))
    flags_note = _build_flags_note()
    if missing:
        return Check(
            "llama.cpp build",
            Verdict.FAIL,
            f"built for {built_for}; this CPU lacks {', '.join(missing)}: it would die with "
            f"SIGILL. Rebuild portably: `make clean install`. {flags_note}",
        )
    return Check(
        "llama.cpp build", Verdict.OK, f"built for {built_for}; CPU has {has}. {flags_note}"
    )


def _build_flags_note() -> str:
    try:
        info = json.loads(BUILD_INFO.read_text())
    except (OSError, ValueError):
        return "No wheelhouse record: not installed by `make install`."
    native = "-DGGML_NATIVE=OFF" not in info.get("cmake_args", [])
    kind = "a NATIVE build" if native else "portable wheel"
    return f"{kind} {info.get('version')} built in {info.get('build_seconds')} s."


def _local_model(settings: Settings) -> Check:
    from autoforge.bootstrap import local_model_config
    from autoforge.llm.local_model import GATEWAY_NAME
    from autoforge.llm.model_process import LocalModelProcess

    required = settings.llm_default_model.startswith("local/")
    model = LocalModelProcess(local_model_config(settings))
    try:
        started = time.perf_counter()
        status = model.warm()
        started_s = time.perf_counter() - started
        first = time.perf_counter()
        model.complete("Hello", {"max_tokens": 1, "temperature": 0}, chat=False, timeout_s=60)
        first_ms = (time.perf_counter() - first) * 1000
        timed = time.perf_counter()
        result = model.complete(
            "1, 2, 3, 4, 5,", {"max_tokens": 48, "temperature": 0}, chat=False, timeout_s=120
        )
        tokens_per_s = result.tokens_out / (time.perf_counter() - timed)
    except Exception as exc:
        detail = getattr(exc, "detail", None) or str(exc)
        return Check(GATEWAY_NAME, Verdict.FAIL, detail, required=required)
    finally:
        model.close()
    return Check(
        GATEWAY_NAME,
        Verdict.OK,
        f"answers in its own process: started and loaded in {started_s:.1f} s "
        f"(weights {status.load_s:.2f} s), a 1-token completion in {first_ms:.0f} ms, "
        f"{tokens_per_s:.0f} tokens/s",
        required=required,
    )


def _embedder(_settings: Settings) -> Check:
    from autoforge.evaluations.embeddings import SentenceEmbedder

    started = time.perf_counter()
    vectors = SentenceEmbedder().embed(["a sentence to embed"])
    return Check(
        "embedder",
        Verdict.OK,
        f"MiniLM, {vectors.shape[1]} dimensions, loaded and embedded in "
        f"{time.perf_counter() - started:.1f} s (for similarity assertions)",
        required=False,
    )


def _redis(settings: Settings) -> Check:
    if not settings.redis_url:
        return Check("redis", Verdict.SKIP, "REDIS_URL not set: jobs run in the server", False)
    import redis

    client = redis.Redis.from_url(settings.redis_url, socket_timeout=3)
    try:
        version = client.info("server")["redis_version"]
    except redis.RedisError as exc:
        return Check("redis", Verdict.FAIL, f"REDIS_URL is set but Redis does not answer: {exc}")
    finally:
        client.close()
    return Check("redis", Verdict.OK, f"Redis {version} answers")


def _version_of(command: list[str]) -> str | None:
    if shutil.which(command[0]) is None:
        return None
    done = subprocess.run(command, check=False, capture_output=True, text=True, timeout=30)
    return done.stdout.strip() if done.returncode == 0 else None


def _node(_settings: Settings) -> Check:
    node, npm = _version_of(["node", "--version"]), _version_of(["npm", "--version"])
    if node is None or npm is None:
        return Check(
            "node / npm", Verdict.WARN, "not found: needed only to build the web UI", False
        )
    major, minor = (int(p) for p in node.lstrip("v").split(".")[:2])
    if (major, minor) < (20, 9):
        return Check(
            "node / npm", Verdict.WARN, f"Node {node} is older than 20.9 (UI build)", False
        )
    return Check("node / npm", Verdict.OK, f"Node {node}, npm {npm} (web UI build)", False)


def _chromium(_settings: Settings) -> Check:
    version = _version_of(["chromium", "--version"])
    if version is None:
        return Check(
            "chromium",
            Verdict.WARN,
            "not found: `make test` installs it for the browser tests",
            False,
        )
    return Check("chromium", Verdict.OK, f"{version} (browser tests)", False)
