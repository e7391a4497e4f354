#!/usr/bin/env bash
# The GPU figures in one prepared command (at most 8 minutes on one GPU) that runs on a GPU
# machine as it is: PyTorch (its libtorch and CMake config), CMake, ninja and a C++ compiler;
# no apt, no network, no MPI. What else the build needs (HDF5, yaml-cpp, fmt, CLI11, stb and the
# libraries HDF5 loads) travels with the command as Debian 12 packages in bench/gpu-deps, fetched
# beforehand by scripts/fetch-gpu-deps.sh and unpacked here with dpkg-deb (or ar and tar).
#
# It builds the serial stylesweep's engine and bench/gpu_bench.cc against the machine's libtorch
# and records, in BUILD_DIR/gpu-bench.txt:
#   - milliseconds per loss evaluation at 256, 512 and 1024 px for fp32, tf32 and bf16, L-BFGS
#     and Adam;
#   - jobs per hour of a 256 px and a 512 px seed sweep (Adam) for K in {1, 2, 4} workers sharing
#     the GPU (K processes, as K worker ranks would) and batches of N in {1, 4, 8};
#   - the losses of one fp32 job on the GPU against the same job on the CPU, and a job drained on
#     the GPU and resumed on the CPU (and back) against the same job undrained.
# --check runs the same steps on a CPU machine at small sizes and fails unless the figures are
# sane: the CPU against itself equal, drained and resumed jobs bit-identical. It configures a tree
# against the unpacked packages (so they carry what CMake needs) but compiles nothing: the
# program it runs is the gpu_bench of TORCH2_TREE (default build-torch2, built by `make torch2`
# against the same PyPI libtorch), loading the unpacked libraries as on a GPU machine. CI runs it.
#
# Usage: bench/gpu.sh [--check [--tree TORCH2_TREE]] [BUILD_DIR]   (default build-gpu, or build-gpu-check)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
check=0
torch2_tree=$root/build-torch2
if [[ "${1:-}" == --check ]]; then
  check=1
  shift
  if [[ "${1:-}" == --tree ]]; then
    torch2_tree=$(realpath -m "$2")
    shift 2
  fi
fi
build=$(realpath -m "${1:-$root/build-gpu$([[ $check == 1 ]] && echo -check)}")
packages=${STYLESWEEP_GPU_DEPS:-$root/bench/gpu-deps}
budget=${STYLESWEEP_GPU_BENCH_SECONDS:-470}  # under the 8 minutes, with room to write up
started=$SECONDS
say() { echo "gpu.sh: $*" >&2; }
die() { say "$*"; exit 1; }
seconds_left() { echo $(( budget - (SECONDS - started) )); }

# 1. The machine's libtorch: the torch package directory as CMake's prefix (its share/cmake holds
# TorchConfig, its lib the libraries).
if [[ $check == 1 ]]; then
  python=${PYTHON:-$torch2_tree-venv/bin/python}
  [[ -x "$python" ]] || python=/usr/bin/python3
else
  python=${PYTHON:-python3}
  command -v nvidia-smi >/dev/null || die "no nvidia-smi: this machine has no NVIDIA GPU (--check runs on a CPU)"
  nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader >&2
  # A CUDA libtorch's CMake config needs the toolkit; it is often installed off the PATH.
  if ! command -v nvcc >/dev/null && [[ -x /usr/local/cuda/bin/nvcc ]]; then export PATH=/usr/local/cuda/bin:$PATH; fi
fi
torch_prefix=$("$python" - "$check" <<'PY'
import os, sys
try:
    import torch
except ImportError:
    sys.exit(0)  # --check falls back to the system's libtorch
if sys.argv[1] == "0" and not torch.cuda.is_available():
    sys.exit(f"PyTorch {torch.__version__} sees no CUDA device (built with CUDA {torch.version.cuda})")
print(os.path.dirname(torch.__file__))
PY
) || die "cannot use $python's PyTorch (above)"
[[ -n "$torch_prefix" || $check == 1 ]] || die "$python has no PyTorch"
say "libtorch from ${torch_prefix:-the system}"

# 2. The packages, unpacked into BUILD_DIR/deps; the build links what is there.
ls "$packages"/build/*.deb >/dev/null 2>&1 || die "no packages in $packages/build: run scripts/fetch-gpu-deps.sh where Debian's archive is reachable, and carry bench/gpu-deps"
deps=$build/deps
rm -rf "$deps"
mkdir -p "$deps/runtime"
unpack() {  # DEB DIR
  if command -v dpkg-deb >/dev/null; then
    dpkg-deb -x "$1" "$2"
  else
    local member
    member=$(ar t "$1" | grep '^data\.tar')
    ar p "$1" "$member" | tar -x -C "$2" $([[ $member == *.xz ]] && echo -J) $([[ $member == *.zst ]] && echo --zstd)
  fi
}
for deb in "$packages"/build/*.deb; do unpack "$deb" "$deps"; done
for deb in "$packages"/runtime/*.deb; do unpack "$deb" "$deps/runtime"; done
libdir=$deps/usr/lib/x86_64-linux-gnu
runtime_dirs=$(find "$deps/runtime" -name '*.so*' -printf '%h\n' | sort -u | paste -sd:)

# 3. The serial build (no MPI, no tests) of the engine and the bench program.
hdf5=$libdir/hdf5/serial
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTYLESWEEP_MPI=OFF -DSTYLESWEEP_VIDEO=OFF -DSTYLESWEEP_BUILD_TESTS=OFF \
  -DCMAKE_PREFIX_PATH="${torch_prefix:+$torch_prefix;}$deps/usr" \
  -DHDF5_C_COMPILER_EXECUTABLE=NOTFOUND -DHDF5_CXX_COMPILER_EXECUTABLE=NOTFOUND \
  -DHDF5_C_INCLUDE_DIR="$hdf5/include" -DHDF5_CXX_INCLUDE_DIR="$hdf5/include" \
  -DHDF5_C_LIBRARY_hdf5="$hdf5/libhdf5.so" -DHDF5_CXX_LIBRARY_hdf5_cpp="$hdf5/libhdf5_cpp.so" \
  -DHDF5_CXX_LIBRARY_hdf5="$hdf5/libhdf5.so" -DHDF5_C_LIBRARY_hdf5_hl="$hdf5/libhdf5_hl.so" \
  -DHDF5_C_HL_INCLUDE_DIR="$hdf5/include" \
  -DCMAKE_EXE_LINKER_FLAGS="-Wl,-rpath-link,$libdir:$hdf5:$runtime_dirs" >"$build/configure.log" 2>&1 ||
  { tail -30 "$build/configure.log" >&2; die "configure failed (log: $build/configure.log)"; }
if [[ $check == 1 ]]; then
  # The engine against this libtorch is compiled once, in the torch2 tree.
  bench=$torch2_tree/bench/gpu_bench
  [[ -x "$bench" ]] || die "no $bench: build the torch2 tree first (make torch2)"
  say "configured in $((SECONDS - started)) s; running $bench"
else
  cmake --build "$build" --target gpu_bench -j "$(nproc)" >"$build/build.log" 2>&1 ||
    { tail -30 "$build/build.log" >&2; die "build failed (log: $build/build.log)"; }
  bench=$build/bench/gpu_bench
  say "built in $((SECONDS - started)) s"
fi

# 4. Libraries at run time: the unpacked ones, and from the runtime packages only what this
# machine lacks (linked one by one into BUILD_DIR/deps/missing).
mkdir -p "$deps/missing"
export LD_LIBRARY_PATH=$libdir:$hdf5:$deps/missing${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
for _ in 1 2 3 4 5 6; do
  missing=$(ldd "$bench" | awk '/not found/ {print $1}')
  [[ -z "$missing" ]] && break
  for name in $missing; do
    found=$(find "$deps/runtime" -name "$name" | head -n 1)
    [[ -n "$found" ]] || die "$bench needs $name, which neither this machine nor $packages has"
    ln -sf "$found" "$deps/missing/$name"
  done
done
if [[ $check == 1 ]]; then
  # As on a GPU machine, the unpacked libraries serve the program at run time.
  ldd "$bench" | grep -q "libhdf5_serial.so.* => $libdir" || die "$bench does not load the unpacked HDF5"
fi

# 5. The figures.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
weights=$work/weights.h5
content=$root/configs/images/chelsea.png
style=$root/configs/images/hubble_deep_field.jpg
if [[ $check == 1 ]]; then
  sizes=(32 48) evaluations=4 sweep_sizes=(32) workers=(1 2) batches=(1 2) compare=(32 10)
  declare -A sweep_jobs=([32]=4) sweep_steps=5
else
  sizes=(256 512 1024) evaluations=20 sweep_sizes=(256 512) workers=(1 2 4) batches=(1 4 8) compare=(256 50)
  declare -A sweep_jobs=([256]=24 [512]=12) sweep_steps=40
fi
out=$build/gpu-bench.txt
raw=$build/gpu-bench.raw
: > "$raw"
step() {  # LIMIT_SECONDS COMMAND...: runs within the time left, keeping what finished
  local left
  left=$(seconds_left)
  (( left > 5 )) || { say "out of time before: ${*:2}"; return 1; }
  timeout "$(( $1 < left ? $1 : left ))" "${@:2}" | tee -a "$raw"
}

step 90 "$bench" compare "$weights" "$content" "$style" "${compare[@]}" || say "compare failed"  # writes the weights
[[ -f "$weights" ]] || die "gpu_bench wrote no weights file"
step 150 "$bench" evaluations "$weights" "$content" "$style" "$evaluations" "${sizes[@]}" || say "evaluations failed"
for size in "${sweep_sizes[@]}"; do
  for k in "${workers[@]}"; do
    for n in "${batches[@]}"; do
      pids=()
      for ((w = 0; w < k; ++w)); do
        step 90 "$bench" sweep "$weights" "$content" "$style" "$size" "${sweep_jobs[$size]}" "$sweep_steps" \
          "$n" "$w" "$k" > "$work/sweep-$w.txt" &
        pids+=($!)
      done
      for pid in "${pids[@]}"; do wait "$pid" || say "a sweep worker failed (K=$k N=$n, $size px)"; done
      # One line per (size, K, N): the sweep's wall time from the first worker's start to the
      # last one's end.
      awk -v k="$k" -v n="$n" -v size="$size" '
        { jobs += $6; if (start == "" || $7 < start) start = $7; if ($8 > end) end = $8 }
        END { if (jobs > 0) printf "jobs-per-hour %s %s %s %d %.0f\n", size, k, n, jobs, jobs * 3600 / (end - start) }
      ' "$work"/sweep-*.txt >> "$raw"
      rm -f "$work"/sweep-*.txt
    done
  done
done

# 6. The summary, with each goal of the README's GPU section against its figure.
summarize() {
  echo "device: $(awk '$1 == "evaluation" { print $2; exit }' "$raw")"
  echo "ms per loss evaluation (precision optimizer size: ms):"
  awk '$1 == "evaluation" { printf "  %s %s %s: %s\n", $3, $4, $5, $6 }' "$raw" | sort -k1,1 -k2,2 -k3,3n
  echo "jobs per hour of a seed sweep of Adam jobs (size K N: jobs/h, and x of K=1 N=1):"
  awk '$1 == "jobs-per-hour" { if ($3 == 1 && $4 == 1) base[$2] = $6; line[NR] = $0 }
       END { for (i in line) { split(line[i], f, " ");
             printf "  %s %s %s: %s (%.2fx)\n", f[2], f[3], f[4], f[6], base[f[2]] ? f[6] / base[f[2]] : 0 } }' "$raw" |
    sort -k1,1n -k2,2n -k3,3n
  echo "GPU against CPU, fp32 L-BFGS (device size evaluations: largest relative loss difference):"
  awk '$1 == "compare" { printf "  %s %s %s: %s\n", $2, $3, $4, $5 }' "$raw"
  echo "drained and resumed Adam job (from to: relative difference of the final loss from the undrained job):"
  awk '$1 == "resume" { printf "  %s %s: %s\n", $2, $3, $4 }' "$raw"
}
{
  echo "stylesweep GPU bench, $(date -u +%Y-%m-%dT%H:%MZ), libtorch from ${torch_prefix:-the system}, $(seconds_left) s of $budget left"
  summarize
  echo "raw lines:"
  cat "$raw"
} > "$out"
cat "$out"

if [[ $check == 1 ]]; then
  # On the CPU the two engines are one device: equal losses, and drained jobs resumed bit for bit.
  awk '$1 == "compare" && $5 + 0 != 0 { print "compare differs: " $0; bad = 1 }
       $1 == "resume" && $4 + 0 != 0 { print "resume differs: " $0; bad = 1 }
       END { exit bad }' "$raw" >&2 || die "check failed"
  for key in "evaluation cpu fp32 lbfgs 48" "evaluation cpu bf16 adam 48" "jobs-per-hour 32 2 2"; do
    grep -q "^$key " "$raw" || die "check failed: no '$key' line"
  done
  say "check passed in $((SECONDS - started)) s"
fi
say "figures in $out"
