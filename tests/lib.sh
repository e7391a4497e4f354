# Shared by the shell tests: a scratch directory removed on exit, the default weights kept in it,
# the system Python with Debian's h5py/pandas/torch, and pass/fail counting.
# Source it after setting `exe` and `root`; call finish at the end.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache"
python=/usr/bin/python3
passed=0
failed=0

check() {  # check DESCRIPTION COMMAND...: passes when the command succeeds
  local description=$1
  shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $description"; fi
}

finish() {  # finish NAME: prints the closing count line and sets the exit status
  echo "$1: $passed passed, $failed failed"
  [[ $failed -eq 0 ]]
}
