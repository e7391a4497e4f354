#!/usr/bin/env bash
# Fetches what bench/gpu.sh needs on a GPU machine beyond its PyTorch, as Debian 12 packages:
# the headers and libraries of HDF5, yaml-cpp, fmt, CLI11 and stb (unpacked there with dpkg -x),
# and the libraries HDF5 loads (used there only where the machine lacks them). They go into
# bench/gpu-deps (git-ignored, about 12 MB), which travels with the command that runs gpu.sh.
# Needs Debian's archive, not root: `apt-get download` only fetches.
# Usage: scripts/fetch-gpu-deps.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(realpath -m "${1:-bench/gpu-deps}")

# For the build: headers, CMake configs and the libraries linked directly.
build_packages=(libhdf5-dev libhdf5-103-1 libhdf5-cpp-103-1 libhdf5-hl-100 libhdf5-hl-cpp-100
                libyaml-cpp-dev libyaml-cpp0.7 libfmt-dev libfmt9 libcli11-dev libstb-dev libstb0)
# For the run, where the machine lacks them: what libhdf5 loads (libsz, libaec, libcurl and the
# libraries libcurl loads), without the C runtime every machine has.
runtime_packages=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
                     --no-replaces --no-enhances libhdf5-103-1 |
                   grep -E '^[a-z0-9]' | grep -vxE 'libc6|libgcc-s1|gcc-12-base|libhdf5-103-1' | sort -u)

mkdir -p "$out/build" "$out/runtime"
rm -f "$out"/build/*.deb "$out"/runtime/*.deb
# apt-get download writes into the current directory; as root it warns that its sandbox user
# cannot write there, and downloads anyway.
(cd "$out/build" && apt-get download -q "${build_packages[@]}" 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
# shellcheck disable=SC2086
(cd "$out/runtime" && apt-get download -q $runtime_packages 2>&1 | grep -v "^W: Download is performed unsandboxed" || true)
count=$(find "$out" -name '*.deb' | wc -l)
expected=$(( ${#build_packages[@]} + $(wc -w <<< "$runtime_packages") ))
if [[ $count -ne $expected ]]; then
  echo "fetch-gpu-deps: got $count of $expected packages in $out (is Debian's archive reachable?)" >&2
  exit 1
fi
for deb in "$out"/build/*.deb "$out"/runtime/*.deb; do
  dpkg-deb --show --showformat='${Package} ${Version}\n' "$deb"  # one archive per call
done > "$out/MANIFEST"
echo "fetch-gpu-deps: $count packages, $(du -sh "$out" | cut -f1), in $out"
