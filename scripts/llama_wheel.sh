#!/usr/bin/env bash
# Builds llama-cpp-python once, with portable CPU flags, into a project-local wheelhouse and
# prints the directory that holds the wheel.
#
# Why not a plain `pip install`: llama.cpp's default is GGML_NATIVE=ON (-march=native), so a
# wheel built on a CPU with AVX-512 or AMX dies with SIGILL on any CPU without them, including
# a VM whose CPU advertises AMX it does not enable. pip's wheel cache does not key on
# CMAKE_ARGS, so such a wheel, once cached, is reused by every later install. Here the wheel is
# built with --no-cache-dir from the source distribution, and its directory's name carries the
# version and a hash of the flags: a wheel built with other flags is never picked up.
set -euo pipefail

version="${LLAMA_CPP_VERSION:?set LLAMA_CPP_VERSION}"
wheelhouse="${WHEELHOUSE:-.wheelhouse}"
python="${PYTHON:?set PYTHON to the venv python}"

# x86-64-v3 (Haswell, 2013, and later): AVX2, FMA, F16C, BMI2. Everything newer stays off,
# AVX-512 and AMX above all, so the library runs on any CPU of that level whatever it advertises.
flags=(
  -DGGML_NATIVE=OFF
  -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON
  -DGGML_AVX_VNNI=OFF
  -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF
  -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF
)
cmake_args="${flags[*]}"
flag_hash=$(printf '%s' "$cmake_args" | sha256sum | cut -c1-12)
dir="$wheelhouse/llama-cpp-python-$version-x86-64-v3-$flag_hash"
info="$dir/build-info.json"

if [ -f "$info" ] && ls "$dir"/llama_cpp_python-"$version"-*.whl >/dev/null 2>&1; then
  echo "$dir"
  exit 0
fi

mkdir -p "$dir"
echo "building llama-cpp-python $version with portable flags (about 7-10 minutes on 2 cores)" >&2
started=$(date +%s)
CMAKE_ARGS="$cmake_args" CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-$(nproc)}" \
  FORCE_CMAKE=1 "$python" -m pip wheel --quiet --no-deps --no-cache-dir \
  --no-binary llama-cpp-python -w "$dir" "llama-cpp-python==$version" >&2
seconds=$(( $(date +%s) - started ))
"$python" - "$info" "$version" "$cmake_args" "$seconds" <<'PY'
import json, os, sys, datetime
path, version, cmake_args, seconds = sys.argv[1:]
directory = os.path.dirname(os.path.abspath(path))
json.dump({
    "package": "llama-cpp-python",
    "version": version,
    "wheel": os.path.join(directory, next(n for n in os.listdir(directory) if n.endswith(".whl"))),
    "cmake_args": cmake_args.split(),
    "build_seconds": int(seconds),
    "built_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
}, open(path, "w"), indent=2)
PY
echo "built in ${seconds}s" >&2
echo "$dir"
