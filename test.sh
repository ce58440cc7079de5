#!/usr/bin/env bash
# The default test run: every module's unit and integration tests (real libtorch, real PostgreSQL, real files).
# Slow quality runs and benchmarks are not part of it (see README: ./slicefine bench ...).
set -euo pipefail
cd "$(dirname "$0")"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}"
exec mvn -B install "$@"
