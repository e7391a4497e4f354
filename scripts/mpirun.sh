#!/usr/bin/env bash
# mpirun as the demo and the tests need it: more ranks than cores allowed, no core binding (each rank sets its own
# threads), and Open MPI's root guard lifted only when running as root.
set -euo pipefail
if [[ $(id -u) -eq 0 ]]; then
  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
exec mpirun --oversubscribe --bind-to none "$@"
