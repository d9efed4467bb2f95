#!/usr/bin/env bash
# Redis for development and the integration tests: either the one REDIS_URL names (checked,
# never started or stopped here), or a throwaway redis-server on loopback with no
# persistence.
#
#   scripts/stack/redis.sh up|down|status
#
# Env: REDIS_URL (use an existing Redis), VMSYNC_STACK_DIR (default <repo>/.stack),
# VMSYNC_REDIS_PORT (16379), VMSYNC_REDIS_READY_TIMEOUT (20 s), VMSYNC_REDIS_STOP_TIMEOUT (10 s).
# Writes $VMSYNC_STACK_DIR/redis.env: VMSYNC_REDIS_URL=<url>.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_DIR=${VMSYNC_STACK_DIR:-$ROOT/.stack}
PORT=${VMSYNC_REDIS_PORT:-16379}
READY_TIMEOUT=${VMSYNC_REDIS_READY_TIMEOUT:-20}
STOP_TIMEOUT=${VMSYNC_REDIS_STOP_TIMEOUT:-10}
DATA_DIR=$STACK_DIR/redis
LOG_FILE=$DATA_DIR/redis.log
PID_FILE=$STACK_DIR/redis.pid
ENV_FILE=$STACK_DIR/redis.env
OWN_URL=redis://127.0.0.1:$PORT
EXTERNAL_URL=${REDIS_URL:-}

log() { echo "redis: $*" >&2; }
die() {
  log "$*"
  exit 1
}

# Debian packages: redis-tools has redis-cli, redis-server the server.
ensure_pkg() {
  command -v "$1" >/dev/null 2>&1 && return 0
  command -v apt-get >/dev/null 2>&1 || die "$1 is missing and apt-get is not available; install $2"
  log "installing $2 (apt-get)"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null ||
    { "${sudo[@]}" apt-get update -q >/dev/null && "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$2" >/dev/null; } ||
    die "apt-get install $2 failed"
}

pong() { [[ $(redis-cli -u "$1" ping 2>/dev/null) == PONG ]]; }

running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'redis-server' || return 1
  echo "$pid"
}

write_env() {
  mkdir -p "$STACK_DIR"
  printf 'VMSYNC_REDIS_URL=%s\n' "$1" >"$ENV_FILE"
}

up() {
  ensure_pkg redis-cli redis-tools
  if [[ -n $EXTERNAL_URL ]]; then
    pong "$EXTERNAL_URL" || die "REDIS_URL is set but does not answer PING"
    write_env "$EXTERNAL_URL"
    return 0
  fi
  local pid
  if pid=$(running_pid); then
    pong "$OWN_URL" || die "redis-server runs (pid $pid) but does not answer on $OWN_URL; run '$0 down' first"
    write_env "$OWN_URL"
    return 0
  fi
  rm -f "$PID_FILE"
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null &&
    die "port $PORT on 127.0.0.1 is taken by another process (set VMSYNC_REDIS_PORT)"
  ensure_pkg redis-server redis-server
  mkdir -p "$DATA_DIR"
  log "starting redis-server on $OWN_URL"
  redis-server --port "$PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$DATA_DIR" \
    --daemonize yes --pidfile "$PID_FILE" --logfile "$LOG_FILE" ||
    die "redis-server did not start: $(tail -n 20 "$LOG_FILE" 2>/dev/null)"
  local deadline=$((SECONDS + READY_TIMEOUT))
  until pong "$OWN_URL"; do
    if ((SECONDS >= deadline)); then
      log "no PONG on $OWN_URL after ${READY_TIMEOUT}s; tail of $LOG_FILE:"
      tail -n 30 "$LOG_FILE" >&2 2>/dev/null || true
      exit 1
    fi
    sleep 0.1
  done
  write_env "$OWN_URL"
  log "ready on $OWN_URL (pid $(<"$PID_FILE"))"
}

down() {
  if [[ -n $EXTERNAL_URL ]]; then
    rm -f "$ENV_FILE"
    log "REDIS_URL is external; not stopping it"
    return 0
  fi
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE" "$ENV_FILE"
    log "not running"
    return 0
  fi
  log "stopping pid $pid"
  kill -TERM "$pid"
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.2
      break
    fi
    sleep 0.1
  done
  rm -f "$PID_FILE" "$ENV_FILE"
  log "stopped"
}

status() {
  if [[ -n $EXTERNAL_URL ]]; then
    if pong "$EXTERNAL_URL"; then echo "redis: external REDIS_URL answers"; else
      echo "redis: external REDIS_URL does not answer"
      return 1
    fi
    return 0
  fi
  local pid
  if ! pid=$(running_pid); then
    echo "redis: stopped"
    return 3
  fi
  if pong "$OWN_URL"; then echo "redis: running (pid $pid) on $OWN_URL"; else
    echo "redis: running (pid $pid) but not answering on $OWN_URL"
    return 1
  fi
}

case "${1:-}" in
up) up ;;
down) down ;;
status) status ;;
*)
  echo "usage: $0 up|down|status" >&2
  exit 2
  ;;
esac
