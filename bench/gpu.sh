#!/usr/bin/env bash
# The GPU figures, in one prepared script (under 8 minutes on one GPU): builds stylesweep's
# benchmark programs against a CUDA libtorch and records
#   - seconds per loss evaluation at 512 px, L-BFGS and Adam (bench/engine_bench.cc), and
#   - batched against unbatched Adam throughput at 256 and 512 px (bench/batch_bench.cc).
# The CUDA libtorch is $LIBTORCH when set (an unpacked libtorch from pytorch.org, cxx11 ABI),
# otherwise the one inside an installed PyTorch (torch.utils.cmake_prefix_path). Without a GPU
# the script stops, unless STYLESWEEP_GPU_BENCH_ALLOW_CPU=1, which runs the same steps against
# Debian's CPU libtorch at small sizes (to check the script itself).
# Usage: bench/gpu.sh [BUILD_DIR]   (default build-gpu; results also in BUILD_DIR/gpu-bench.txt)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build="$root/${1:-build-gpu}"
python=${PYTHON:-python3}
started=$SECONDS
say() { echo "gpu.sh: $*" >&2; }

if [[ "${STYLESWEEP_GPU_BENCH_ALLOW_CPU:-0}" == 1 ]]; then
  prefix=""
  sizes=(64 128)
  batches=(2 4)
  say "CPU check run against the system libtorch (STYLESWEEP_GPU_BENCH_ALLOW_CPU=1)"
else
  command -v nvidia-smi >/dev/null || { say "no nvidia-smi: this machine has no NVIDIA GPU"; exit 1; }
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >&2
  if [[ -n "${LIBTORCH:-}" ]]; then
    prefix=$LIBTORCH
  else
    prefix=$("$python" - <<'PY'
import sys
try:
    import torch, torch.utils
except ImportError:
    sys.exit("no PyTorch for " + sys.executable + "; install one with CUDA or set LIBTORCH")
if not torch.cuda.is_available():
    sys.exit(f"PyTorch {torch.__version__} sees no CUDA device (built with CUDA {torch.version.cuda})")
if not torch._C._GLIBCXX_USE_CXX11_ABI:
    sys.exit(f"PyTorch {torch.__version__} was built with the pre-C++11 string ABI, which cannot link "
             "with Debian's HDF5, yaml-cpp and fmt; set LIBTORCH to a cxx11-ABI libtorch from pytorch.org")
print(torch.utils.cmake_prefix_path)
PY
) || { say "cannot use the installed PyTorch (above)"; exit 1; }
  fi
  sizes=(256 512)
  batches=(2 4 8)
fi

"$root/scripts/install-deps.sh"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release ${prefix:+-DCMAKE_PREFIX_PATH="$prefix"} >/dev/null
cmake --build "$build" --target stylesweep engine_bench batch_bench -j "$(nproc)"
say "built in $((SECONDS - started)) s"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$build/src/stylesweep" weights random --seed 0 --out "$work/weights.h5" >/dev/null
content="$root/configs/images/chelsea.png"
style="$root/configs/images/hubble_deep_field.jpg"
out="$build/gpu-bench.txt"
{
  echo "stylesweep GPU bench, $(date -u +%Y-%m-%dT%H:%MZ), libtorch from ${prefix:-the system}"
  echo "seconds per loss evaluation (20 evaluations after a warm-up run)"
  "$build/bench/engine_bench" "$work/weights.h5" "$content" "$style" 0 20 "${sizes[@]}"
  echo "batched Adam: device size batch unbatched-s/job-step batched-s/job-step speedup"
  for batch in "${batches[@]}"; do
    "$build/bench/batch_bench" "$work/weights.h5" "$content" "$style" 0 20 "$batch" "${sizes[@]}"
  done
} | tee "$out"
say "done in $((SECONDS - started)) s; figures in $out"
