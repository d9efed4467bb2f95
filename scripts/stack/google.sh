#!/usr/bin/env bash
# The stand-in for Google's OAuth token endpoint (tools/google-token-endpoint) on loopback,
# with test service-account keys: one with domain-wide delegation for
# https://mail.google.com/ in the test domain, one without, and one "deleted" key (the
# delegated account's email, a key the endpoint does not know). Keys are generated once
# and kept; the config (users, token lifetime) is rewritten on every `up` and reloaded in
# place (SIGHUP) when it changed; a new port or delay restarts the endpoint.
#
#   scripts/stack/google.sh up|down|status
#
# Env: VMSYNC_STACK_DIR (default <repo>/.stack), VMSYNC_GOOGLE_PORT (18080),
# VMSYNC_STACK_USERS (40: user1..userN@example.test), VMSYNC_GOOGLE_TOKEN_LIFETIME (3600 s),
# VMSYNC_TOKEN_DELAY_MS (0: delay before every /token answer),
# VMSYNC_GOOGLE_READY_TIMEOUT (30 s), VMSYNC_GOOGLE_STOP_TIMEOUT (10 s).
# Writes $VMSYNC_STACK_DIR/google.env: VMSYNC_GOOGLE_TOKEN_URL, VMSYNC_GOOGLE_INTROSPECT_URL,
# VMSYNC_TEST_SA_KEY, VMSYNC_TEST_SA_KEY_UNDELEGATED, VMSYNC_TEST_SA_KEY_DELETED,
# VMSYNC_TEST_DOMAIN, VMSYNC_TEST_USERS (comma list), VMSYNC_TEST_OUTSIDER.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_DIR=${VMSYNC_STACK_DIR:-$ROOT/.stack}
PORT=${VMSYNC_GOOGLE_PORT:-18080}
USERS=${VMSYNC_STACK_USERS:-40}
LIFETIME=${VMSYNC_GOOGLE_TOKEN_LIFETIME:-3600}
DELAY_MS=${VMSYNC_TOKEN_DELAY_MS:-0}
READY_TIMEOUT=${VMSYNC_GOOGLE_READY_TIMEOUT:-30}
STOP_TIMEOUT=${VMSYNC_GOOGLE_STOP_TIMEOUT:-10}
DOMAIN=example.test
OUTSIDER=outsider@other.test
TOOL=$ROOT/tools/google-token-endpoint/src
TSX=$ROOT/node_modules/.bin/tsx
HOME_DIR=$STACK_DIR/google
CONFIG=$HOME_DIR/endpoint-config.json
LAUNCH=$HOME_DIR/launch # what the running endpoint was started with
LOG_FILE=$HOME_DIR/endpoint.log
PID_FILE=$STACK_DIR/google.pid
ENV_FILE=$STACK_DIR/google.env
BASE_URL=http://127.0.0.1:$PORT

log() { echo "google: $*" >&2; }
die() {
  log "$*"
  exit 1
}

[[ $USERS =~ ^[1-9][0-9]*$ ]] || die "VMSYNC_STACK_USERS must be a positive number, not '$USERS'"

running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'google-token-endpoint/src/main.ts' || return 1
  echo "$pid"
}

healthy() { curl -sf -m 2 "$BASE_URL/healthz" >/dev/null 2>&1; }
# /healthz names the sha256 of the config the endpoint has loaded.
loaded_config() { curl -sf -m 2 "$BASE_URL/healthz" 2>/dev/null | grep -q "\"config\":\"$1\""; }

# tsx does not pass SIGHUP on: signal the node process it runs.
reload() {
  local child deadline=$((SECONDS + READY_TIMEOUT))
  child=$(pgrep -P "$1" -f 'google-token-endpoint/src/main.ts' | head -n 1) || die "no endpoint process under pid $1"
  kill -HUP "$child"
  until loaded_config "$2"; do
    if ((SECONDS >= deadline)); then
      log "the endpoint did not load the new config; tail of $LOG_FILE:"
      tail -n 20 "$LOG_FILE" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_env() {
  local users
  users=$(grep -v -x -F "$OUTSIDER" "$HOME_DIR/mailboxes.txt" | paste -sd, -)
  cat >"$ENV_FILE.tmp" <<EOF
VMSYNC_GOOGLE_TOKEN_URL=$BASE_URL/token
VMSYNC_GOOGLE_INTROSPECT_URL=$BASE_URL/introspect
VMSYNC_TEST_SA_KEY=$HOME_DIR/sa-delegated.json
VMSYNC_TEST_SA_KEY_UNDELEGATED=$HOME_DIR/sa-undelegated.json
VMSYNC_TEST_SA_KEY_DELETED=$HOME_DIR/sa-deleted.json
VMSYNC_TEST_DOMAIN=$DOMAIN
VMSYNC_TEST_USERS=$users
VMSYNC_TEST_OUTSIDER=$OUTSIDER
EOF
  mv "$ENV_FILE.tmp" "$ENV_FILE"
}

stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || return 0
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
}

up() {
  command -v node >/dev/null || die "node not found on PATH"
  command -v curl >/dev/null || die "curl not found on PATH (apt-get install -y curl)"
  [[ -x $TSX ]] || die "$TSX is missing; run 'pnpm install' in $ROOT"
  mkdir -p "$HOME_DIR"
  chmod 700 "$HOME_DIR"
  # Keys once, config every time (it follows VMSYNC_STACK_USERS and the lifetime).
  "$TSX" "$TOOL/provision.ts" "$HOME_DIR" "$USERS" "$DOMAIN" "$LIFETIME" ||
    die "could not write the keys and config in $HOME_DIR"
  local want pid config
  want="port=$PORT delay=$DELAY_MS"
  config=$(sha256sum "$CONFIG" | cut -d' ' -f1)
  if pid=$(running_pid); then
    if [[ $(cat "$LAUNCH" 2>/dev/null) == "$want" ]] && healthy; then
      if ! loaded_config "$config"; then
        # New users or keys: reload in place, so tokens already handed out stay valid.
        log "reloading the config (SIGHUP)"
        reload "$pid" "$config"
      fi
      write_env
      return 0
    fi
    log "restarting (port or delay changed, or not answering)"
    stop_pid "$pid"
  fi
  rm -f "$PID_FILE"
  port_in_use "$PORT" && die "port $PORT on 127.0.0.1 is taken by another process (set VMSYNC_GOOGLE_PORT)"
  log "starting the token endpoint on $BASE_URL ($USERS users, token lifetime ${LIFETIME}s)"
  : >"$LOG_FILE"
  VMSYNC_GOOGLE_HOST=127.0.0.1 VMSYNC_GOOGLE_PORT=$PORT VMSYNC_TOKEN_DELAY_MS=$DELAY_MS \
    setsid "$TSX" "$TOOL/main.ts" "$CONFIG" >>"$LOG_FILE" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$PID_FILE"
  echo "$want" >"$LAUNCH"
  local deadline=$((SECONDS + READY_TIMEOUT))
  # Ready = answers /healthz and refuses an unknown token as Dovecot will ask.
  until loaded_config "$config" && curl -sf -m 2 -d token=probe "$BASE_URL/introspect" | grep -q '"active":false'; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
      log "not ready on $BASE_URL after $((SECONDS - deadline + READY_TIMEOUT))s; tail of $LOG_FILE:"
      tail -n 30 "$LOG_FILE" >&2 || true
      kill -0 "$pid" 2>/dev/null && stop_pid "$pid"
      rm -f "$PID_FILE"
      exit 1
    fi
    sleep 0.1
  done
  write_env
  log "ready on $BASE_URL (pid $pid)"
}

down() {
  local pid
  if ! pid=$(running_pid); then
    rm -f "$PID_FILE" "$ENV_FILE"
    log "not running"
    return 0
  fi
  log "stopping pid $pid"
  stop_pid "$pid"
  rm -f "$PID_FILE" "$ENV_FILE"
  log "stopped"
}

status() {
  local pid
  if ! pid=$(running_pid); then
    echo "google: stopped"
    return 3
  fi
  if healthy; then echo "google: running (pid $pid) on $BASE_URL"; else
    echo "google: running (pid $pid) but not answering on $BASE_URL"
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
