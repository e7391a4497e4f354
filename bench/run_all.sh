#!/usr/bin/env bash
# Every benchmark, in the order the README's Performance section lists them.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
"$root/bench/compare_engine.sh" "$build" 2 20 128 256
"$root/bench/plan_bench.sh" "$build"
