#!/usr/bin/env bash
# End-to-end checks of the stylesweep command line: exit codes and the exact error messages.
# Usage: cli_test.sh PATH_TO_STYLESWEEP PROJECT_ROOT
set -uo pipefail
exe=$1
root=$(cd "$2" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"   # the default random weights go here, not into ~/.cache
content="$root/configs/images/chelsea.png"
style="$root/configs/images/hubble_deep_field.jpg"
passed=0
failed=0

# expect CODE MESSAGE_SUBSTRING -- ARGS...: runs the command, checks exit code and stderr text.
expect() {
  local code=$1 message=$2
  shift 3
  local output actual
  output=$("$exe" "$@" 2>&1 >/dev/null)
  actual=$?
  if [[ $actual -eq $code && "$output" == *"$message"* ]]; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAIL: stylesweep $*"
    echo "  expected exit $code and message containing: $message"
    echo "  got exit $actual and: $output"
  fi
}

check() {  # check DESCRIPTION COMMAND...: passes when the command succeeds
  local description=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $description"; fi
}

base=(stylize --content "$content" --style "$style" --out "$work/o.png")
stylize=("${base[@]}" --size 32 --iterations 2)

expect 0 "" -- --version
check "--version prints the version" bash -c "'$exe' --version | grep -q '^stylesweep [0-9]'"
# A sweep in one process, without a launcher: what a serial build (STYLESWEEP_MPI=OFF) runs.
cat > "$work/one_process.yaml" <<YAML
output: $work/one_process
images: {content: {chelsea: $content}, style: {hubble: $style}}
defaults: {size: 16, iterations: 2, style_layers: [relu1_1, relu2_1]}
grid: {seed: [0, 1]}
YAML
check "run in one process: exit 0, both jobs done" bash -c "'$exe' run '$work/one_process.yaml' | grep -q '^summary: 2 done, 0 failed'"
check "run in one process: results.h5 holds both" bash -c "/usr/bin/python3 -c \"import h5py,sys; f=h5py.File(sys.argv[1]); assert len(f['jobs']) == 2 and set(f['index/status'].asstr()[()]) == {'done'}\" '$work/one_process/results.h5'"
if "$exe" --version | grep -q "(serial: no MPI)"; then
  # Several ranks of a serial build would each coordinate the same sweep: refused.
  check "a serial build started as several ranks refuses, exit 2" bash -c \
    "OMPI_COMM_WORLD_SIZE=2 '$exe' run '$work/one_process.yaml' 2>&1 >/dev/null | grep -q 'built without MPI (STYLESWEEP_MPI=OFF) but started as one of 2 ranks'; [[ \${PIPESTATUS[0]} -eq 2 ]]"
fi
# The exit-code table of docs/sweeps.md is the one main() uses, as `--exit-codes` prints it.
"$exe" --exit-codes > "$work/exit_codes.txt"
sed -n '/<!-- exit codes: begin -->/,/<!-- exit codes: end -->/p' "$root/docs/sweeps.md" | sed '1d;$d' > "$work/readme_exit_codes.txt"
check "--exit-codes prints the table of docs/sweeps.md" diff "$work/exit_codes.txt" "$work/readme_exit_codes.txt"
check "the exit-code table names 0, 1, 2, 3 and 75" bash -c "[[ \$(grep -oE '^\| [0-9]+ ' '$work/exit_codes.txt' | tr -d '| ' | tr '\n' ' ') == '0 1 2 3 75 ' ]]"
check "stylize --help lists its options" bash -c "'$exe' stylize --help | grep -q -- '--preserve-colors'"
check "weights random --help" bash -c "'$exe' weights random --help | grep -q -- '--seed'"
check "every command's --help ends with an example" bash -c \
  "for command in stylize plan run status submit report weights; do '$exe' \$command --help | grep -q '^Example' || exit 1; done"
expect 2 "A subcommand is required" --
expect 2 "unknown command 'runn' (did you mean 'run'?); the commands: weights, stylize, plan, run, status, submit, report" -- runn x.yaml
expect 2 "unknown command 'improt' (did you mean 'import'?); the commands of 'weights': " -- weights improt x
expect 2 "unknown option '--optimiser' of 'stylize' (did you mean '--optimizer'?)" -- "${stylize[@]}" --optimiser adam
expect 2 "unknown option '--iteration' of 'stylize' (did you mean '--iterations'?)" -- "${base[@]}" --iteration=3
expect 2 "--content is required" -- stylize --style "$style" --out "$work/o.png"
expect 2 "$work/none.png: no such file" -- stylize --content "$work/none.png" --style "$style" --out "$work/o.png" --size 32 --iterations 2
check "a missing content image is all that stylize says (no banner first)" bash -c \
  "! '$exe' stylize --content '$work/none.png' --style '$style' --out '$work/o.png' 2>&1 | grep -q 'evaluations at'"
check "a relative path that is missing names the directory it was read from" bash -c \
  "cd '$work' && '$exe' stylize --content none.png --style '$style' --out o.png 2>&1 |
   grep -qF 'none.png: no such file (relative to $work)'"
echo "not an image" > "$work/text.png"
expect 2 "$work/text.png: not a PNG or JPEG image (unknown signature)" -- stylize --content "$work/text.png" --style "$style" --out "$work/o.png" --size 32 --iterations 2
expect 2 "size: must be 8 to 8192 pixels, got 0" -- "${base[@]}" --iterations 2 --size 0
expect 2 "size: the content image at 16x11 px is too small for layer relu5_1, which needs at least 16 px on the short side" -- "${base[@]}" --iterations 2 --size 16
expect 2 "iterations: must be >= 1, got 0" -- "${base[@]}" --size 32 --iterations 0
expect 2 "optimizer: must be 'lbfgs' or 'adam', got 'sgd'" -- "${stylize[@]}" --optimizer sgd
expect 2 "pooling: must be 'avg' or 'max', got 'min'" -- "${stylize[@]}" --pooling min
expect 2 "precision: must be 'fp32', 'tf32' or 'bf16', got 'fp16'" -- "${stylize[@]}" --precision fp16
expect 2 "ratio: must be a finite number > 0, got -1" -- "${stylize[@]}" --ratio -1
expect 2 "ratio: must be a finite number > 0, got nan" -- "${stylize[@]}" --ratio nan
expect 2 "--ratio cannot be combined with --alpha/--beta" -- "${stylize[@]}" --ratio 1e-3 --alpha 1
expect 2 "style_layers: unknown VGG-19 layer 'relu9_1'" -- "${stylize[@]}" --style-layers relu1_1,relu9_1
expect 2 "style_layers: 'pool1' is a pooling layer" -- "${stylize[@]}" --style-layers pool1
expect 2 "style_layer_weights: 1 weights given for 2 style layers" -- "${stylize[@]}" --style-layers relu1_1,relu2_1 --style-layer-weights 1
expect 2 "--blend: 'x' is not a number" -- "${stylize[@]}" --style "$style" --blend 0.5,x
expect 2 "blend: 3 weights given for 2 styles" -- "${stylize[@]}" --style "$style" --blend 1,1,1
expect 2 "$work/w.h5: no such file" -- "${stylize[@]}" --weights "$work/w.h5"
expect 2 "Could not convert" -- "${base[@]}" --size big
expect 2 "$work/missing/o.png: cannot write PNG" -- stylize --content "$content" --style "$style" --out "$work/missing/o.png" --size 32 --iterations 2
expect 1 "job failed: loss became inf at evaluation 1" -- "${stylize[@]}" --optimizer adam --lr 1e30

# The arithmetic options reach the job and its record.
check "stylize --precision bf16 --deterministic runs" "$exe" "${stylize[@]}" --precision bf16 --deterministic \
  --history "$work/bf16.h5"
check "both are in the history's attributes" /usr/bin/python3 -c "
import sys, h5py
(job,) = h5py.File(sys.argv[1], 'r')['jobs'].values()
assert job.attrs['precision'] == 'bf16' and job.attrs['deterministic'] == 1, dict(job.attrs)" "$work/bf16.h5"

# A successful run with the default weights: says so, writes the image and the history file.
output=$("$exe" "${stylize[@]}" --history "$work/h.h5" 2>&1)
check "default weights announced" grep -q "weights vgg19 (" <<<"$output"
check "image written" test -s "$work/o.png"
check "history written" bash -c "h5ls -r '$work/h.h5' | grep -q 'loss/style_layers'"
check "weights random is reproducible" bash -c "'$exe' weights random --seed 4 --out '$work/a.h5' >/dev/null && '$exe' weights random --seed 4 --out '$work/b.h5' >/dev/null && cmp -s '$work/a.h5' '$work/b.h5'"
check "weights info shows the layers" bash -c "'$exe' weights info '$work/a.h5' | grep -q 'conv5_4  weight \[512, 512, 3, 3\]'"
check "h5dump shows the format attribute" bash -c "h5dump -A '$work/a.h5' | grep -q 'stylesweep-vgg19'"

# plan: the shipped configs expand, bad configs exit 2 with file:line:col.
check "paper_fig3 plans 20 jobs" bash -c "'$exe' plan '$root/configs/paper_fig3.yaml' | grep -q '^20 jobs (varying style_layers, ratio)'"
check "paper_fig3 rows and columns" bash -c "'$exe' plan '$root/configs/paper_fig3.yaml' --format csv | grep -q ',relu1_1+relu2_1+relu3_1,0.0001,'"
check "demo plans 8 jobs" bash -c "'$exe' plan '$root/configs/demo.yaml' --format json | grep -q '\"count\": 8'"
check "paper_fig2 plans 8 jobs (four paintings x two ratios)" bash -c "'$exe' plan '$root/configs/paper_fig2.yaml' --format csv | tail -n +2 | wc -l | grep -qx 8"
cat > "$work/bad.yaml" <<YAML
images:
  content: {c: $content}
  style: {s: $style}
grid: {ratio: [1e-3, -1]}
YAML
expect 2 "$work/bad.yaml:4:22: grid.ratio: must be a finite number > 0, got -1" -- plan "$work/bad.yaml"
expect 2 "$work/none.yaml: cannot open config" -- plan "$work/none.yaml"
expect 2 "--format: xml not in {table,csv,json}" -- plan "$root/configs/demo.yaml" --format xml

# A plan of 200,000 jobs or more re-executes itself once, with malloc on huge pages (a third
# faster); its output is the same as a plan started with the tunable already set.
cat > "$work/huge.yaml" <<YAML
images:
  content: {c: $content}
  style: {s: $style}
grid: {ratio: {logspace: [1.0e-6, 1.0, 1000]}, seed: {repeat: 200}}
YAML
if grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
  echo "cli_test: huge-page planning SKIPPED (transparent huge pages are off)"
else
  strace -f -qq --seccomp-bpf -e trace=execve -o "$work/execs.txt" \
    "$exe" plan "$work/huge.yaml" --format csv --max-jobs 200000 > "$work/huge.csv"
  check "a 200,000-job plan re-executes itself once" test "$(grep -c 'execve("/proc/self/exe"' "$work/execs.txt")" -eq 1
  GLIBC_TUNABLES=glibc.malloc.hugetlb=1 strace -f -qq --seccomp-bpf -e trace=execve -o "$work/execs-set.txt" \
    "$exe" plan "$work/huge.yaml" --format csv --max-jobs 200000 > "$work/huge-set.csv"
  check "with the tunable set, it does not" test "$(grep -c 'execve("/proc/self/exe"' "$work/execs-set.txt")" -eq 0
  check "the re-executed plan prints the same 200,000 jobs" cmp -s "$work/huge.csv" "$work/huge-set.csv"
  check "200,000 jobs listed" test "$(tail -n +2 "$work/huge.csv" | wc -l)" -eq 200000
fi

# submit --dry-run: the script is valid bash, and a config path with spaces, quotes and '$' is
# passed through as data, never run.
hostile="$work/we ird 'q' \$(touch $work/pwned) \`touch $work/pwned2\` dir"
mkdir -p "$hostile"
cp "$root/configs/demo.yaml" "$hostile/c.yaml"
sed -i "s#images/#$root/configs/images/#; s#^output: .*#output: $work/out#" "$hostile/c.yaml"
"$exe" submit "$hostile/c.yaml" --dry-run --time 01:00:00 --partition gpu --account lab-1 > "$work/script.sbatch"
check "submit --dry-run renders" grep -q '^#SBATCH --requeue' "$work/script.sbatch"
check "the script is valid bash" bash -n "$work/script.sbatch"
check "signal, open-mode and partition lines" bash -c "grep -q '^#SBATCH --signal=B:USR1@120' '$work/script.sbatch' && grep -q '^#SBATCH --open-mode=append' '$work/script.sbatch' && grep -q '^#SBATCH --partition=gpu' '$work/script.sbatch'"
printf '%s' "$hostile/c.yaml" > "$work/expected-config"
check "the config path survives quoting" bash -c 'eval "$(grep "^config=" "$1")"; [[ "$config" == "$(cat "$2")" ]]' _ "$work/script.sbatch" "$work/expected-config"
check "nothing in the path ran" bash -c "[ ! -e '$work/pwned' ] && [ ! -e '$work/pwned2' ]"
check "drain exit code requeues" grep -q 'if \[\[ \$code -eq 75 \]\]; then' "$work/script.sbatch"
expect 2 "--partition: 'gpu;rm' has characters that cannot go on an #SBATCH line" -- submit "$root/configs/demo.yaml" --dry-run --partition 'gpu;rm'
"$exe" submit "$root/configs/demo.yaml" --dry-run --time 01:00:00 --gpus-per-node 4 --workers-per-gpu 2 --batch 4 \
  > "$work/shared-gpus.sbatch"
check "4 GPUs with 2 workers each: 8 workers and the coordinator" grep -q '^#SBATCH --ntasks=9$' "$work/shared-gpus.sbatch"
check "the ranks are told to share GPUs and batch" grep -q 'run "$config" --workers-per-gpu 2 --batch 4 &$' "$work/shared-gpus.sbatch"
check "one worker per GPU by default" bash -c "'$exe' submit '$root/configs/demo.yaml' --dry-run --time 01:00:00 --gpus-per-node 4 | grep -q '^#SBATCH --ntasks=5$'"
check "paper_fig3 gets a time from the planner" bash -c "'$exe' submit '$root/configs/paper_fig3.yaml' --dry-run | grep -qE '^#SBATCH --time=[0-9]+-[0-9]{2}:[0-9]{2}:00'"
# submit --array: a Slurm job array whose tasks share the sweep and wait for each other's jobs.
"$exe" submit "$root/configs/demo.yaml" --dry-run --time 01:00:00 --array 6%2 > "$work/array.sbatch"
check "an array of 6, at most 2 at once" grep -q '^#SBATCH --array=0-5%2$' "$work/array.sbatch"
check "one log per array task" grep -q '^#SBATCH --output=.*/slurm-%A_%a.out$' "$work/array.sbatch"
check "array tasks wait for each other's last jobs" grep -q 'run "$config" --wait &$' "$work/array.sbatch"
check "submit passes --claim-timeout on" bash -c "'$exe' submit '$root/configs/demo.yaml' --dry-run --time 01:00:00 --array 2 --claim-timeout 300 | grep -q 'run \"\$config\" --wait --claim-timeout 300 &\$'"
check "an array task's time is its share of the sweep" bash -c "
  one=\$('$exe' submit '$root/configs/paper_fig3.yaml' --dry-run | sed -n 's/^#SBATCH --time=//p')
  four=\$('$exe' submit '$root/configs/paper_fig3.yaml' --dry-run --array 4 | sed -n 's/^#SBATCH --time=//p')
  [[ \$one > \$four ]]"
expect 2 "--array: expected N or N%M (N allocations, at most M at once), got '0'" -- submit "$root/configs/demo.yaml" --dry-run --array 0
expect 2 "--array: expected N or N%M (N allocations, at most M at once), got '3%x'" -- submit "$root/configs/demo.yaml" --dry-run --array 3%x

# submit --launcher srun: srun with Slurm's MPI plugin instead of mpirun.
check "srun starts the ranks with PMIx by default" bash -c "'$exe' submit '$root/configs/demo.yaml' --dry-run --time 01:00:00 --launcher srun | grep -q '^srun --mpi=pmix --cpu-bind=none \"\$stylesweep\" run \"\$config\" &\$'"
check "and with PMI2 when asked" bash -c "'$exe' submit '$root/configs/demo.yaml' --dry-run --time 01:00:00 --launcher srun --srun-mpi pmi2 | grep -q '^srun --mpi=pmi2 '"
check "mpirun stays the default" bash -c "'$exe' submit '$root/configs/demo.yaml' --dry-run --time 01:00:00 | grep -q '^mpirun --bind-to none -np \"\${SLURM_NTASKS}\" \"\$stylesweep\" run'"
expect 2 "--launcher: expected mpirun or srun, got 'qsub'" -- submit "$root/configs/demo.yaml" --dry-run --time 01:00:00 --launcher qsub
expect 2 "--srun-mpi: expected pmix, pmix_vN or pmi2, got 'openmpi'" -- submit "$root/configs/demo.yaml" --dry-run --time 01:00:00 --launcher srun --srun-mpi openmpi

# submit fits the partition: a stand-in sinfo (the real one is in slurm_test) lists a default
# partition of 2-CPU nodes and a gpu partition of 16-CPU nodes with 4 GPUs.
mkdir -p "$work/fakebin"
cat > "$work/fakebin/sinfo" <<'SINFO'
#!/bin/sh
printf 'small*|2|3|(null)\ngpu|16|2|gpu:h100:4(S:0-1)\ngpu|8|1|(null)\n'
SINFO
chmod +x "$work/fakebin/sinfo"
with_sinfo() { PATH="$work/fakebin:$PATH" "$exe" "$@"; }
check "the default 2 workers on 2-CPU nodes become 1 worker and the coordinator" bash -c "
  $(declare -f with_sinfo); exe='$exe'; work='$work'
  with_sinfo submit '$root/configs/demo.yaml' --dry-run --time 01:00:00 2> '$work/fit.err' | grep -q '^#SBATCH --ntasks=2\$' &&
  grep -q 'partition (default): its 1 largest node(s) have 2 CPUs, room for 2 task(s) of 1 CPU(s); submitting 1 worker(s)' '$work/fit.err'"
check "two nodes of the gpu partition hold 8 GPU workers" bash -c "
  $(declare -f with_sinfo); exe='$exe'; work='$work'
  with_sinfo submit '$root/configs/demo.yaml' --dry-run --time 01:00:00 --partition gpu --nodes 2 --gpus-per-node 4 | grep -q '^#SBATCH --ntasks=9\$'"
PATH="$work/fakebin:$PATH" expect 2 "the job cannot fit partition (default): 5 tasks (workers + coordinator) of 1 CPU(s) need 5 CPUs, and its 1 largest node(s) have 2 CPUs, room for 2 task(s) of 1 CPU(s)" \
  -- submit "$root/configs/demo.yaml" --dry-run --time 01:00:00 --workers 4
PATH="$work/fakebin:$PATH" expect 2 "partition gpu has 2 node(s) with at least 4 GPU(s); the job asks for 3" \
  -- submit "$root/configs/demo.yaml" --dry-run --time 01:00:00 --partition gpu --nodes 3 --gpus-per-node 4
PATH="$work/fakebin:$PATH" expect 2 "the job cannot fit partition (default): 3 tasks (workers + coordinator) of 4 CPU(s) need 12 CPUs" \
  -- submit "$root/configs/demo.yaml" --dry-run --time 01:00:00 --cpus-per-task 4

echo "cli_test: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
