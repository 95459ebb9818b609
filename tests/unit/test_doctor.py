"""The doctor's reading of CPU features: what a build uses against what a CPU has."""

from __future__ import annotations

from pathlib import Path

from autoforge.health.doctor import compiled_features, cpu_flags, missing_features

NATIVE_ON_SAPPHIRE_RAPIDS = (
    "CPU : SSE3 = 1 | SSSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | "
    "AVX512 = 1 | AVX512_VBMI = 1 | AVX512_VNNI = 1 | AVX512_BF16 = 1 | AMX_INT8 = 1 | "
    "LLAMAFILE = 1 | OPENMP = 1 | REPACK = 0 | "
)


def test_compiled_features_are_the_ones_switched_on() -> None:
    features = compiled_features(NATIVE_ON_SAPPHIRE_RAPIDS)
    assert {"AVX2", "AVX512", "AMX_INT8", "OPENMP"} <= features
    assert "REPACK" not in features


def test_a_native_build_on_a_cpu_without_amx_is_caught(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(
        "processor : 0\nflags : fpu pni ssse3 avx avx2 f16c fma bmi2 avx512f avx512vbmi "
        "avx512_vnni avx512_bf16\n"
    )
    flags = cpu_flags(cpuinfo)
    assert missing_features(compiled_features(NATIVE_ON_SAPPHIRE_RAPIDS), flags) == ["AMX_INT8"]
    assert missing_features({"AVX2", "FMA"}, flags) == []


def test_an_unreadable_cpuinfo_is_no_flags(tmp_path: Path) -> None:
    assert cpu_flags(tmp_path / "missing") == set()
