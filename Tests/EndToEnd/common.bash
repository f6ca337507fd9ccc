# Sourced by the end-to-end scripts (Tests/run-all.sh runs only *.sh): the repository as working
# directory, the plain release binary, the MNIST folder, a scratch folder removed on exit, and
# `check` counting passes and failures for `finish`, which prints them and sets the exit status.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CNNC=.build/release/cnnc
# The accuracies these scripts check (and the README quotes) were measured with OpenBLAS's Haswell kernels, which it
# picks on the AVX2 machines it knows. On an AVX-512 machine it picks SkylakeX's (and on a CPU newer than itself cnnc
# asks for those: cnnc/OpenBLASCore.swift), whose different rounding sends the same seed down another path. Pinning
# the kernels makes the figures the same on every machine; a caller's own setting wins.
export OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-Haswell}
DATA=${MNIST_DIR:-data/mnist}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0; failed=0
check() { # check NAME COMMAND...: counts a pass when the command succeeds
    local name=$1; shift
    if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
at_least() { python3 -c "import sys; sys.exit(0 if float('$1') >= float('$2') else 1)"; }
at_most() { python3 -c "import sys; sys.exit(0 if float('$1') <= float('$2') else 1)"; }
finish() { # finish [LABEL]
    echo "${1:+$1: }$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
