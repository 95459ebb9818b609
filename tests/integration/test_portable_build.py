"""The installed llama.cpp is the portable build: the wheel from the project's wheelhouse,
compiled without -march=native, AVX-512 or AMX. Fails if a native build slips back in (a
wheel from pip's cache, a `pip install` without the flags)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import llama_cpp

from autoforge.health.doctor import (
    BUILD_INFO,
    CPU_FLAGS,
    compiled_features,
    cpu_flags,
    missing_features,
)

# x86-64-v3: what the wheelhouse build enables, and all it may enable.
PORTABLE = {"SSE3", "SSSE3", "AVX", "AVX2", "F16C", "FMA", "BMI2"}


def build_info() -> dict[str, object]:
    info: dict[str, object] = json.loads(BUILD_INFO.read_text())
    return info


def test_the_wheel_was_built_with_portable_flags() -> None:
    flags = build_info()["cmake_args"]
    assert isinstance(flags, list)
    assert "-DGGML_NATIVE=OFF" in flags
    for feature in ("AVX512", "AMX_TILE", "AMX_INT8", "AMX_BF16", "AVX_VNNI"):
        assert f"-DGGML_{feature}=OFF" in flags
    # The wheelhouse directory is named after the version and a hash of exactly these flags.
    wheel = Path(str(build_info()["wheel"]))
    digest = hashlib.sha256(" ".join(flags).encode()).hexdigest()[:12]
    assert wheel.parent.name == f"llama-cpp-python-{llama_cpp.__version__}-x86-64-v3-{digest}"


def test_the_installed_library_is_the_one_in_the_wheelhouse() -> None:
    installed = Path(llama_cpp.__file__).parent / "lib" / "libggml-cpu.so"
    with zipfile.ZipFile(str(build_info()["wheel"])) as wheel:
        packed = wheel.read("llama_cpp/lib/libggml-cpu.so")
    assert hashlib.sha256(installed.read_bytes()).digest() == hashlib.sha256(packed).digest()


def test_the_library_uses_no_cpu_feature_beyond_the_baseline() -> None:
    """Read from the built library itself, in a child interpreter."""
    probe = subprocess.run(
        [sys.executable, "-c", "import llama_cpp; print(llama_cpp.llama_print_system_info())"],
        check=True,
        capture_output=True,
        text=True,
    )
    compiled = compiled_features(probe.stdout) & CPU_FLAGS.keys()  # minus LLAMAFILE, OPENMP...
    assert compiled == PORTABLE
    assert missing_features(compiled, cpu_flags()) == []
