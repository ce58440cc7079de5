#!/usr/bin/env bash
# Runs docker-compose.yml for real with podman (no Docker daemon needed): builds the images, brings up PostgreSQL,
# the S3 server, the api and two workers, drives one fine-tuning job through the HTTP API to 'succeeded' with both
# workers alive, downloads the merged checkpoint, and tears everything down. Called by .ci/run.
# Needs root (or a working rootful podman). Base images come from deploy/base-images.sh (debootstrap + podman import
# where no registry is reachable); images already on the machine are reused.
# Env: SLICEFINE_COMPOSE_PORT (default 18080), SLICEFINE_COMPOSE_KEEP=1 (leave it running for a look).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VERSION="0.1.0-SNAPSHOT"
PROJECT=slicefine-ci
PORT="${SLICEFINE_COMPOSE_PORT:-18080}"
KEY="sk-compose-ci-$(date +%s)-0123456789"
BASE="http://127.0.0.1:$PORT"
WORK="$(mktemp -d /tmp/slicefine-compose.XXXXXX)"
t0=$(date +%s)
log() { echo "compose-test: $*" >&2; }
since() { echo $(( $(date +%s) - $1 )); }

# --- tools: podman, podman-compose, buildah, debootstrap, runc; containers.conf as this machine needs ---
missing=()
for c in podman podman-compose buildah debootstrap runc curl unzip; do
  command -v "$c" >/dev/null 2>&1 || missing+=("$c")
done
if [ ${#missing[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { log "missing ${missing[*]} and not root to install them"; exit 1; }
  log "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman podman-compose buildah debootstrap runc curl unzip >/dev/null
fi
conf=/etc/containers/containers.conf
if [ "$(id -u)" = 0 ] && ! grep -q '^runtime *= *"runc"' "$conf" 2>/dev/null; then
  # crun fails on this kind of machine (hybrid cgroups, rlimits): runc, and explicit ulimits.
  [ -f "$conf" ] && cp "$conf" "$conf.before-slicefine"
  mkdir -p /etc/containers
  cat > "$conf" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
CONF
fi

# --- jars and images ---
if [ ! -f "api/target/slicefine-api-$VERSION.jar" ] || [ ! -f "worker/target/slicefine-worker-$VERSION-exec.jar" ]; then
  log "building the jars (mvn -DskipTests)"
  mvn -B -q -pl api -am install -DskipTests
fi
t_images=$(date +%s)
deploy/base-images.sh
podman build -q --layers --format docker -f deploy/Dockerfile --target api -t localhost/slicefine/api:latest . >/dev/null
podman build -q --layers --format docker -f deploy/Dockerfile --target worker -t localhost/slicefine/worker:latest . >/dev/null
log "images ready in $(since "$t_images") s"

compose() { SLICEFINE_PORT="$PORT" SLICEFINE_ADMIN_KEY="$KEY" podman-compose -p "$PROJECT" -f docker-compose.yml "$@"; }
cleanup() {
  rc=$?
  if [ "$rc" != 0 ]; then
    for s in api worker-1 worker-2 postgres s3; do
      echo "----- $s (last lines) -----" >&2
      podman logs --tail 40 "${PROJECT}_${s}_1" >&2 2>&1 || true
    done
  fi
  if [ "${SLICEFINE_COMPOSE_KEEP:-0}" != 1 ]; then
    compose down -v >/dev/null 2>&1 || true
    podman volume ls -q --filter "label=io.podman.compose.project=$PROJECT" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
  fi
  rm -rf "$WORK"
  exit "$rc"
}
trap cleanup EXIT
compose down -v >/dev/null 2>&1 || true

t_up=$(date +%s)
compose up -d >/dev/null 2>&1
# Container health checks do not run here (no systemd timers): wait on readiness ourselves.
for i in $(seq 1 180); do
  curl -fsS "$BASE/actuator/health/readiness" >/dev/null 2>&1 && break
  [ "$i" = 180 ] && { log "api not ready after 360 s"; exit 1; }
  sleep 2
done
for w in worker-1 worker-2; do
  for i in $(seq 1 90); do
    if podman logs "${PROJECT}_${w}_1" 2>&1 | grep -c "Worker pool .* started" >/dev/null; then break; fi
    [ "$i" = 90 ] && { log "$w did not start its worker pool"; exit 1; }
    sleep 2
  done
  # the worker's own health endpoint (what the compose health check and the chart's probes ask)
  for i in $(seq 1 30); do
    podman exec "${PROJECT}_${w}_1" curl -fsS http://127.0.0.1:8081/actuator/health/readiness >/dev/null 2>&1 && break
    [ "$i" = 30 ] && { log "$w is not ready on :8081/actuator/health/readiness"; exit 1; }
    sleep 2
  done
done
# both workers registered, with their device
workers="$(curl -fsS -H "Authorization: Bearer $KEY" "$BASE/v1/workers")"
[ "$(printf '%s' "$workers" | grep -o '"device":"cpu"' | wc -l)" -ge 2 ] || { log "GET /v1/workers: $workers"; exit 1; }
log "platform up in $(since "$t_up") s"

# --- one job through the api ---
api() { curl -fsS -H "Authorization: Bearer $KEY" "$@"; }
field() { sed -n "s/.*\"$1\" *: *\"\\([^\"]*\\)\".*/\\1/p" | head -n 1; }
await_ready() {
  for i in $(seq 1 120); do
    status="$(api "$BASE$1" | field status)"
    [ "$status" = ready ] && return 0
    [ "$status" = validating ] || { log "$1 is $status"; api "$BASE$1" >&2; return 1; }
    sleep 1
  done
  log "$1 still validating"; return 1
}
FIX=engine/src/test/resources/fixtures
model="$(api -F name=bert-tiny -F "files=@$FIX/bert-tiny/config.json" -F "files=@$FIX/bert-tiny/model.safetensors" \
  -F "files=@$FIX/tokenizers/wordpiece.json;filename=tokenizer.json" "$BASE/v1/models" | field id)"
await_ready "/v1/models/$model"
words=("good fun happy" "bad sad awful" "plain neutral okay")
for i in $(seq 0 47); do
  printf '{"text":"%s number %d","label":"l%d"}\n' "${words[$((i % 3))]}" "$i" "$((i % 3))"
done > "$WORK/train.jsonl"
dataset="$(api -F "file=@$WORK/train.jsonl" "$BASE/v1/datasets" | field id)"
await_ready "/v1/datasets/$dataset"
job="$(api -H 'Content-Type: application/json' -d "{\"model_id\":\"$model\",\"dataset_id\":\"$dataset\",\
\"task\":\"text-classification\",\"method\":\"slicefine\",\"slicefine\":{\"rank\":2,\"move_steps\":2},\
\"train\":{\"batch_size\":8,\"log_every\":1,\"checkpoint_every\":2,\"max_seq_len\":32,\"max_steps\":6}}" \
  "$BASE/v1/jobs" | field id)"
[ -n "$job" ] || { log "job was not created"; exit 1; }
t_job=$(date +%s)
for i in $(seq 1 300); do
  status="$(api "$BASE/v1/jobs/$job" | field status)"
  case "$status" in
    succeeded) break ;;
    failed|cancelled) log "job $job $status"; api "$BASE/v1/jobs/$job" >&2; exit 1 ;;
  esac
  [ "$i" = 300 ] && { log "job $job still $status after 600 s"; exit 1; }
  sleep 2
done
log "job $job succeeded in $(since "$t_job") s"
for w in worker-1 worker-2; do
  [ "$(podman inspect -f '{{.State.Running}}' "${PROJECT}_${w}_1")" = true ] || { log "$w is not running"; exit 1; }
done
# grep -c reads the whole log (grep -q would close the pipe early: SIGPIPE under pipefail), and `if` keeps set -e
# from ending the script when the last worker in the loop is not the one that ran the job.
ran_on="$(for w in worker-1 worker-2; do
  if podman logs "${PROJECT}_${w}_1" 2>&1 | grep -c "runs job $job" >/dev/null; then echo "$w"; fi
done | tr '\n' ' ')"
[ -n "$ran_on" ] || { log "no worker log names job $job"; exit 1; }

api -o "$WORK/merged.zip" "$BASE/v1/jobs/$job/artifacts/merged"
unzip -q -d "$WORK/merged" "$WORK/merged.zip"
[ -s "$WORK/merged/model.safetensors" ] && [ -s "$WORK/merged/config.json" ] \
  || { log "the merged checkpoint lacks model.safetensors or config.json"; ls -la "$WORK/merged" >&2; exit 1; }
log "merged checkpoint: $(stat -c %s "$WORK/merged.zip") bytes ($(ls "$WORK/merged" | tr '\n' ' '))"
log "OK: job trained on $ran_on; both workers alive; compose test took $(since "$t0") s"
