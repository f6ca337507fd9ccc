#!/usr/bin/env bash
# The libFuzzer targets over the spec compiler and every reader, 20 s each in CI (FUZZ_SECONDS to change);
# Tests/Fuzz/run.sh runs them for longer. Prints 'N passed, N failed'.
cd "$(dirname "$0")/../.."
exec bash Tests/Fuzz/run.sh "${FUZZ_SECONDS:-20}"
