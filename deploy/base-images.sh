#!/usr/bin/env bash
# Local stand-ins for the public base images the Dockerfiles and docker-compose.yml name, for machines that reach
# Debian's package mirror but no container registry (CI here). Images already present are reused.
#   debian:bookworm-slim   debootstrap --variant=minbase bookworm + podman import
#   postgres:15-bookworm   Debian's postgresql-15 with an entrypoint that initialises from POSTGRES_* like the official one
#   andrewgaul/s3proxy     s3proxy from Maven Central (jars fetched by mvn) configured from the official image's env
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MIRROR="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"

have() { podman image exists "$1"; }

if ! have docker.io/library/debian:bookworm-slim; then
  echo "base-images: debootstrap bookworm (minbase)..." >&2
  root="$(mktemp -d /var/tmp/slicefine-rootfs.XXXXXX)"
  trap 'rm -rf "$root"' EXIT
  debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
  # Like the official image: no package lists or caches kept, the security mirror configured.
  echo "deb http://deb.debian.org/debian-security bookworm-security main" > "$root/etc/apt/sources.list.d/security.list"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | podman import --change 'CMD ["bash"]' - docker.io/library/debian:bookworm-slim >/dev/null
  rm -rf "$root"; trap - EXIT
fi

if ! have docker.io/library/postgres:15-bookworm; then
  echo "base-images: postgres:15-bookworm stand-in..." >&2
  podman build -q -t docker.io/library/postgres:15-bookworm "$HERE/standins/postgres" >/dev/null
fi

if ! have docker.io/andrewgaul/s3proxy:latest; then
  echo "base-images: s3proxy stand-in..." >&2
  ctx="$(mktemp -d /var/tmp/slicefine-s3proxy.XXXXXX)"
  cp -r "$HERE/standins/s3proxy/." "$ctx/"
  mvn -B -q -f "$HERE/s3proxy/pom.xml" dependency:copy-dependencies -DoutputDirectory="$ctx/lib" -DincludeScope=runtime
  podman build -q -t docker.io/andrewgaul/s3proxy:latest "$ctx" >/dev/null
  rm -rf "$ctx"
fi
