#!/usr/bin/env bash
# Runs a command as an unprivileged user: as root, as BUILD_USER (default `stylesweep`, created
# without a password if missing), so that the libtorch 2.x build and its tests prove that no step
# needs root; as anyone else, as that user. PATH and the build's variables go along.
# Usage: scripts/as-build-user.sh COMMAND [ARGUMENT...]
set -euo pipefail
if [[ $(id -u) -ne 0 ]]; then
  exec "$@"
fi
user=${BUILD_USER:-stylesweep}
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash --comment "stylesweep's unprivileged build" "$user"
fi
home=$(getent passwd "$user" | cut -d: -f6)
# runuser keeps the environment but sets HOME, USER and LOGNAME: pip's and ccache's caches are
# the user's own.
exec runuser -u "$user" -- env -u XDG_CACHE_HOME -u CCACHE_DIR PATH="$PATH" HOME="$home" "$@"
