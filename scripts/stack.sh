#!/usr/bin/env bash
# The embedded local stack: Redis, Apache Kafka (KRaft), the Google-like token endpoint
# and Dovecot, on loopback and non-default ports. `up` is idempotent and returns when
# every part answers; the clients' environment is written to $VMSYNC_STACK_DIR/env.
#   scripts/stack.sh up|down|status
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export VMSYNC_STACK_DIR=${VMSYNC_STACK_DIR:-$ROOT/.stack}
mkdir -p "$VMSYNC_STACK_DIR"
PARTS=(redis kafka google dovecot)

up() {
  local t0=$SECONDS
  # Kafka is the slow one (JVM start): start it beside the others.
  bash "$ROOT/scripts/stack/kafka.sh" up >"$VMSYNC_STACK_DIR/kafka-up.out" 2>&1 &
  local kafka_pid=$!
  bash "$ROOT/scripts/stack/redis.sh" up
  bash "$ROOT/scripts/stack/google.sh" up
  bash "$ROOT/scripts/stack/dovecot.sh" up
  if ! wait "$kafka_pid"; then
    cat "$VMSYNC_STACK_DIR/kafka-up.out" >&2
    echo "stack: kafka did not start" >&2
    return 1
  fi
  cat "$VMSYNC_STACK_DIR/kafka-up.out"
  : >"$VMSYNC_STACK_DIR/env"
  for part in "${PARTS[@]}"; do cat "$VMSYNC_STACK_DIR/$part.env" >>"$VMSYNC_STACK_DIR/env"; done
  echo "stack: up in $((SECONDS - t0)) s; environment in $VMSYNC_STACK_DIR/env"
}

down() {
  local rc=0
  for ((i = ${#PARTS[@]} - 1; i >= 0; i--)); do
    bash "$ROOT/scripts/stack/${PARTS[$i]}.sh" down || rc=1
  done
  rm -f "$VMSYNC_STACK_DIR/env"
  return $rc
}

status() {
  local rc=0
  for part in "${PARTS[@]}"; do bash "$ROOT/scripts/stack/$part.sh" status || rc=1; done
  return $rc
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
