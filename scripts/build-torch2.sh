#!/usr/bin/env bash
# Builds stylesweep against PyPI's libtorch 2.x (a CUDA build; its libtorch and CMake config are
# what the GPU machines run) in its own tree, next to the Debian libtorch 1.13 build, as an
# unprivileged user: scripts/build-rootless.sh, with every library but the site's (compiler, CMake,
# Open MPI, OpenCV, the CUDA toolkit) in prefixes that user owns, so no step silently needs root.
# As root (CI), the only privileged steps come first: Debian's python3-venv, the user
# (scripts/as-build-user.sh), and copies it owns of the source tree (tracked and untracked files,
# not ignored ones) in BUILD_DIR-source and of STYLESWEEP_REFERENCE_EXE's directory (the 1.13 build
# that libtorch_versions_test compares with) in BUILD_DIR-reference.
# Usage: scripts/build-torch2.sh [BUILD_DIR]   (default build-torch2; torch in BUILD_DIR-venv)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=$(realpath -m "${1:-build-torch2}")
reference=${STYLESWEEP_REFERENCE_EXE:-}

bash scripts/install-deps.sh torch2
if [[ $(id -u) -ne 0 ]]; then
  exec env CMAKE_FLAGS="${reference:+-DSTYLESWEEP_REFERENCE_EXE=$reference} ${CMAKE_FLAGS:-}" \
    bash scripts/build-rootless.sh "$build_dir"
fi

user=${BUILD_USER:-stylesweep}
bash scripts/as-build-user.sh true  # creates the user
source=$build_dir-source
rm -rf "$source"
mkdir -p "$source"
# Modification times kept, so the build stays incremental.
git ls-files -z --cached --others --exclude-standard |
  tar --null --ignore-failed-read -T - -cf - 2>/dev/null | tar -xf - -C "$source"
if [[ -n "$reference" ]]; then
  rm -rf "$build_dir-reference"
  mkdir -p "$build_dir-reference"
  cp "$(dirname "$reference")"/stylesweep* "$build_dir-reference/"
  reference=$build_dir-reference/$(basename "$reference")
fi
# The user cannot create directories beside the checkout: made here, handed over.
mkdir -p "$build_dir" "${TORCH_VENV:-$build_dir-venv}" "${DEPS_PREFIX:-$build_dir-deps}"
for owned in "$source" "$build_dir" "$build_dir-reference" "${TORCH_VENV:-$build_dir-venv}" "${DEPS_PREFIX:-$build_dir-deps}"; do
  if [[ -e "$owned" ]]; then chown -R "$user:" "$owned"; fi
done
exec bash scripts/as-build-user.sh env CCACHE_BASEDIR="$source" CMAKE_FLAGS="${reference:+-DSTYLESWEEP_REFERENCE_EXE=$reference} ${CMAKE_FLAGS:-}" \
  bash "$source/scripts/build-rootless.sh" "$build_dir"
