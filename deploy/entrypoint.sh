#!/bin/sh
# Container entry point of the api and worker images: the launcher's JVM flags (./slicefine jvm_flags), then the jar.
# SLICEFINE_THREADS: intra-op threads (default: the CPUs this container may use). JAVA_OPTS: extra JVM flags.
set -eu
threads="${SLICEFINE_THREADS:-$(nproc)}"
mkdir -p "${DJL_CACHE_DIR:-/data/djl}"
# shellcheck disable=SC2086
exec java -Dai.djl.offline=true -DDJL_CACHE_DIR="${DJL_CACHE_DIR:-/data/djl}" -Dai.djl.pytorch.num_interop_threads=1 \
  -Dai.djl.pytorch.num_threads="$threads" -XX:+UseParallelGC -XX:+ExitOnOutOfMemoryError ${JAVA_OPTS:-} \
  -jar /opt/slicefine/app.jar "$@"
