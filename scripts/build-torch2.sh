#!/usr/bin/env bash
# Builds stylesweep against PyPI's libtorch 2.x (a CUDA build) in its own tree, next to the
# Debian libtorch 1.13 build: `scripts/build-torch2.sh [BUILD_DIR]` (default build-torch2).
# torch comes from PyPI into a virtual environment (TORCH_VENV, default build-torch2-venv); its
# libtorch and CMake config are what the GPU machines run. CUDA kernels need the CUDA toolkit
# (nvcc) at configure time; the build then runs on machines with or without a GPU.
# Set TORCH_CMAKE_PREFIX to an existing libtorch (e.g. a GPU machine's python3 torch) to skip pip.
set -euo pipefail
cd "$(dirname "$0")/.."

build_dir=${1:-build-torch2}
torch_version=${TORCH_VERSION:-2.11.0}
venv=${TORCH_VENV:-build-torch2-venv}

bash scripts/install-deps.sh torch2
if [[ -z "${TORCH_CMAKE_PREFIX:-}" ]]; then
  if [[ ! -x "$venv/bin/python" ]]; then
    /usr/bin/python3 -m venv "$venv"
  fi
  installed=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)
  if [[ "${installed%%+*}" != "$torch_version" ]]; then
    echo "build-torch2: installing torch $torch_version from PyPI into $venv (about 5 GB)"
    "$venv/bin/pip" install --quiet --progress-bar off "torch==$torch_version"
  fi
  # The torch package directory: its share/cmake holds TorchConfig, its lib the libraries. As
  # the prefix (not share/cmake), its lib/ is searched before /usr/lib, where Debian's 1.13 is.
  TORCH_CMAKE_PREFIX=$("$venv/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null)
fi

cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$TORCH_CMAKE_PREFIX" \
  ${TORCH_CUDA_ARCH_LIST:+-DTORCH_CUDA_ARCH_LIST="$TORCH_CUDA_ARCH_LIST"} ${CMAKE_FLAGS:-} >/dev/null
cmake --build "$build_dir" -j "${JOBS:-$(nproc)}"
