#!/usr/bin/env bash
# The default test run: every module's unit and integration tests (real libtorch, real PostgreSQL, real files), then
# the web dashboard's browser end-to-end test (headless Chromium) and the Python client's tests against a real server
# (./slicefine serve on a free port; machine python3, no pip). Slow quality runs and benchmarks are not part of it
# (see README: ./slicefine bench ...).
set -euo pipefail
cd "$(dirname "$0")"
export DJL_CACHE_DIR="${DJL_CACHE_DIR:-$HOME/.djl.ai}"
mvn -B install "$@"
case " $* " in *" -DskipTests "*|*" -DskipTests=true "*|*" -Dmaven.test.skip"*) exit 0 ;; esac
# The dashboard end to end in headless Chromium (Debian's /usr/bin/chromium) against ./slicefine serve on a temporary
# port and data dir (web-ui/e2e/run.mjs; the jar built above, so the launcher builds nothing).
node web-ui/e2e/run.mjs
python3 -m unittest discover -s clients/python/tests -v
