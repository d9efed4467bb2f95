#!/usr/bin/env bash
# Dovecot 2.3 on loopback as the test IMAP server, Gmail-shaped where the product cares:
# XOAUTH2/OAUTHBEARER through the Google stand-in's introspection (so google.sh is brought
# up first), SPECIAL-USE Trash/Sent/Drafts, "[Gmail]/All Mail" with \All, IDLE, CONDSTORE,
# QRESYNC, MOVE. One mailbox (and one uid) per user of the stand-in. Config rendered from
# stack/dovecot/*.in; the TLS certificate and master password are generated once.
#
#   scripts/stack/dovecot.sh up|down|status
#
# A master user (PLAIN only, never used by the product) lets tests APPEND to or inspect
# any mailbox: log in as "<mailbox>*<VMSYNC_IMAP_MASTER_USER>" with the master password
# (or SASL PLAIN with authzid=<mailbox>).
#
# Env: VMSYNC_STACK_DIR (default <repo>/.stack), VMSYNC_IMAP_PORT (10993, IMAPS),
# VMSYNC_IMAP_PLAIN_PORT (10143, plain + STARTTLS), VMSYNC_IMAP_MAX_USER_CONNECTIONS (15,
# as Gmail), VMSYNC_DOVECOT_READY_TIMEOUT (30 s), VMSYNC_DOVECOT_STOP_TIMEOUT (15 s); the
# user list comes from google.sh (VMSYNC_STACK_USERS there).
# Writes $VMSYNC_STACK_DIR/dovecot.env: VMSYNC_IMAP_HOST, VMSYNC_IMAP_PORT,
# VMSYNC_IMAP_PLAIN_PORT, VMSYNC_IMAP_TLS_CA, VMSYNC_IMAP_SERVERNAME, VMSYNC_IMAP_MASTER_USER,
# VMSYNC_IMAP_MASTER_PASSWORD, VMSYNC_IMAP_MASTER_SEPARATOR.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
STACK_DIR=${VMSYNC_STACK_DIR:-$ROOT/.stack}
TLS_PORT=${VMSYNC_IMAP_PORT:-10993}
PLAIN_PORT=${VMSYNC_IMAP_PLAIN_PORT:-10143}
MAX_USER_CONNECTIONS=${VMSYNC_IMAP_MAX_USER_CONNECTIONS:-15}
READY_TIMEOUT=${VMSYNC_DOVECOT_READY_TIMEOUT:-30}
# The master takes ~3 s to exit after SIGTERM (it waits for its children).
STOP_TIMEOUT=${VMSYNC_DOVECOT_STOP_TIMEOUT:-15}
TEMPLATES=$ROOT/stack/dovecot
HOME_DIR=$STACK_DIR/dovecot
RUN_DIR=$HOME_DIR/run
STATE_DIR=$HOME_DIR/state
MAIL_DIR=$HOME_DIR/mail
VIRTUAL_DIR=$HOME_DIR/virtual
CONF=$HOME_DIR/dovecot.conf
OAUTH2_CONF=$HOME_DIR/dovecot-oauth2.conf.ext
USERS_FILE=$HOME_DIR/users.passwd
MASTER_FILE=$HOME_DIR/master.passwd
MASTER_USER=vmsync-admin
CERT_FILE=$HOME_DIR/tls/cert.pem
KEY_FILE=$HOME_DIR/tls/key.pem
LOG_FILE=$HOME_DIR/dovecot.log
PID_FILE=$STACK_DIR/dovecot.pid
LAUNCH=$HOME_DIR/launch # the ports the running master listens on
ENV_FILE=$STACK_DIR/dovecot.env
GOOGLE_ENV=$STACK_DIR/google.env
MAILBOXES=$STACK_DIR/google/mailboxes.txt

log() { echo "dovecot: $*" >&2; }
die() {
  log "$*"
  exit 1
}

ensure_dovecot() {
  [[ -x /usr/sbin/dovecot && -x /usr/lib/dovecot/imap ]] && return 0
  command -v apt-get >/dev/null 2>&1 || die "dovecot-imapd is missing and apt-get is not available"
  log "installing dovecot-imapd (apt-get)"
  local sudo=()
  ((EUID == 0)) || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd >/dev/null ||
    { "${sudo[@]}" apt-get update -q >/dev/null &&
      "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q dovecot-imapd >/dev/null; } ||
    die "apt-get install dovecot-imapd failed"
  # The package starts the system's own Dovecot; ours runs beside it on other ports.
}

running_pid() {
  [[ -f $PID_FILE ]] || return 1
  local pid
  pid=$(<"$PID_FILE")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "dovecot.*$CONF" || return 1
  echo "$pid"
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sends IMAP commands over TLS to the IMAPS port and prints the server's answers.
imap_tls() {
  printf '%s\r\n' "$@" |
    timeout 10 openssl s_client -quiet -ign_eof -verify_return_error -CAfile "$CERT_FILE" \
      -servername localhost -verify_hostname localhost -connect "127.0.0.1:$TLS_PORT" 2>&1
}

# Ready = a verified TLS handshake, OAuth mechanisms offered, and a (master) LOGIN that
# opens a mailbox and finds "[Gmail]/All Mail" marked \All.
ready() {
  local first out
  first=$(head -n 1 "$MAILBOXES")
  out=$(imap_tls 'a CAPABILITY' "b LOGIN \"$first*$MASTER_USER\" \"$(<"$HOME_DIR/master-password")\"" \
    'c LIST (SPECIAL-USE) "" "*"' 'd LOGOUT') || return 1
  grep -q 'AUTH=XOAUTH2' <<<"$out" && grep -q 'AUTH=OAUTHBEARER' <<<"$out" &&
    grep -q '^b OK' <<<"$out" && grep -q '\\All.*"\[Gmail\]/All Mail"' <<<"$out"
}

ensure_google() {
  if [[ ! -f $GOOGLE_ENV || ! -f $MAILBOXES ]] || ! bash "$ROOT/scripts/stack/google.sh" status >/dev/null 2>&1; then
    log "the Google stand-in is not up; starting it (scripts/stack/google.sh up)"
    bash "$ROOT/scripts/stack/google.sh" up
  fi
  INTROSPECT_URL=$(sed -n 's/^VMSYNC_GOOGLE_INTROSPECT_URL=//p' "$GOOGLE_ENV")
  [[ -n $INTROSPECT_URL ]] || die "$GOOGLE_ENV has no VMSYNC_GOOGLE_INTROSPECT_URL"
}

ensure_tls() {
  [[ -s $CERT_FILE && -s $KEY_FILE ]] && return 0
  mkdir -p "$HOME_DIR/tls"
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj '/CN=localhost' \
    -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
    -keyout "$KEY_FILE.tmp" -out "$CERT_FILE.tmp" 2>/dev/null || die "openssl could not make the certificate"
  chmod 600 "$KEY_FILE.tmp"
  chmod 644 "$CERT_FILE.tmp"
  mv "$KEY_FILE.tmp" "$KEY_FILE"
  mv "$CERT_FILE.tmp" "$CERT_FILE"
}

ensure_master() {
  if [[ ! -s $HOME_DIR/master-password ]]; then
    (umask 077 && openssl rand -hex 16 >"$HOME_DIR/master-password")
  fi
  local hash
  [[ -s $MASTER_FILE ]] && return 0
  hash=$(openssl passwd -5 -stdin <"$HOME_DIR/master-password")
  printf '%s:{SHA256-CRYPT}%s\n' "$MASTER_USER" "$hash" >"$MASTER_FILE.tmp"
  chgrp dovecot "$MASTER_FILE.tmp" && chmod 640 "$MASTER_FILE.tmp"
  mv "$MASTER_FILE.tmp" "$MASTER_FILE"
}

# uid = 20000 + n for user<n>@..., 19000 + position for any other mailbox; stable when the
# number of users changes, so an existing mail dir keeps its owner.
write_users() {
  awk -v mail="$MAIL_DIR" '
    NF == 0 { next }
    match($0, /^user[0-9]+@/) { uid = 20000 + substr($0, 5, RLENGTH - 5) }
    !/^user[0-9]+@/ { other++; uid = 19000 + other }
    { printf "%s::%d:%d::%s/%s::\n", $0, uid, uid, mail, $0 }
  ' "$MAILBOXES" >"$USERS_FILE.tmp"
  chmod 644 "$USERS_FILE.tmp"
  mv "$USERS_FILE.tmp" "$USERS_FILE"
  mkdir -p "$MAIL_DIR"
  chmod 755 "$MAIL_DIR"
  # Create missing homes and fix owners in one pass (1,000 users: no per-user stat).
  local uid home exists
  find "$MAIL_DIR" -mindepth 1 -maxdepth 1 -printf '%p:%U\n' |
    awk -F: 'FILENAME == "-" { have[$1] = $2; next } { e = ($6 in have) } !e || have[$6] != $3 { print $3 ":" $6 ":" e }' \
      - "$USERS_FILE" |
    while IFS=: read -r uid home exists; do
      if [[ $exists == 1 ]]; then chown -R "$uid:$uid" "$home"; else install -d -o "$uid" -g "$uid" -m 700 "$home"; fi
    done
}

render() {
  local users clients auth_clients
  users=$(grep -c . "$MAILBOXES")
  # Each user may hold up to MAX_USER_CONNECTIONS; the product holds one or two.
  clients=$((2 * users + 100))
  auth_clients=$((clients + 1000))
  mkdir -p "$VIRTUAL_DIR/All Mail"
  cp "$TEMPLATES/all-mail.dovecot-virtual" "$VIRTUAL_DIR/All Mail/dovecot-virtual"
  sed -e "s|@INTROSPECT_URL@|$INTROSPECT_URL|g" "$TEMPLATES/dovecot-oauth2.conf.ext.in" >"$OAUTH2_CONF.new"
  sed -e "s|@RUN_DIR@|$RUN_DIR|g" -e "s|@STATE_DIR@|$STATE_DIR|g" -e "s|@LOG_FILE@|$LOG_FILE|g" \
    -e "s|@CERT_FILE@|$CERT_FILE|g" -e "s|@KEY_FILE@|$KEY_FILE|g" \
    -e "s|@MASTER_FILE@|$MASTER_FILE|g" -e "s|@MASTER_USER@|$MASTER_USER|g" \
    -e "s|@OAUTH2_CONF@|$OAUTH2_CONF|g" -e "s|@USERS_FILE@|$USERS_FILE|g" \
    -e "s|@VIRTUAL_DIR@|$VIRTUAL_DIR|g" -e "s|@MAX_USER_CONNECTIONS@|$MAX_USER_CONNECTIONS|g" \
    -e "s|@CLIENT_LIMIT@|$clients|g" -e "s|@PROCESS_LIMIT@|$clients|g" \
    -e "s|@AUTH_CLIENT_LIMIT@|$auth_clients|g" \
    -e "s|@PLAIN_PORT@|$PLAIN_PORT|g" -e "s|@TLS_PORT@|$TLS_PORT|g" \
    "$TEMPLATES/dovecot.conf.in" >"$CONF.new"
  if grep -q '@[A-Z_]*@' "$CONF.new" "$OAUTH2_CONF.new"; then
    die "unrendered placeholders in $CONF.new: $(grep -o '@[A-Z_]*@' "$CONF.new" | sort -u | tr '\n' ' ')"
  fi
  local changed=1
  cmp -s "$CONF.new" "$CONF" && cmp -s "$OAUTH2_CONF.new" "$OAUTH2_CONF" && changed=0
  mv "$CONF.new" "$CONF"
  mv "$OAUTH2_CONF.new" "$OAUTH2_CONF"
  return $((changed == 0 ? 1 : 0))
}

write_env() {
  cat >"$ENV_FILE.tmp" <<EOF
VMSYNC_IMAP_HOST=127.0.0.1
VMSYNC_IMAP_PORT=$TLS_PORT
VMSYNC_IMAP_PLAIN_PORT=$PLAIN_PORT
VMSYNC_IMAP_TLS_CA=$CERT_FILE
VMSYNC_IMAP_SERVERNAME=localhost
VMSYNC_IMAP_MASTER_USER=$MASTER_USER
VMSYNC_IMAP_MASTER_PASSWORD=$(<"$HOME_DIR/master-password")
VMSYNC_IMAP_MASTER_SEPARATOR=*
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
  ensure_dovecot
  command -v openssl >/dev/null || die "openssl not found on PATH"
  ensure_google
  mkdir -p "$HOME_DIR" "$STATE_DIR"
  chmod 755 "$HOME_DIR"
  # Unix socket paths are limited to 108 bytes; Dovecot's longest under base_dir is ~30.
  ((${#RUN_DIR} <= 75)) || die "$RUN_DIR is too long for Dovecot's unix sockets; set a shorter VMSYNC_STACK_DIR"
  ensure_tls
  ensure_master
  write_users
  local changed=0 pid want="tls=$TLS_PORT plain=$PLAIN_PORT"
  render && changed=1
  if pid=$(running_pid); then
    if [[ $(cat "$LAUNCH" 2>/dev/null) == "$want" ]] && ready; then
      # New limits (more users): reload in place; open IMAP sessions survive.
      ((changed == 0)) || reload "$pid"
      write_env
      return 0
    fi
    log "restarting (ports changed or not answering)"
    stop_pid "$pid"
  fi
  rm -f "$PID_FILE" "$RUN_DIR/master.pid"
  local port
  for port in "$TLS_PORT" "$PLAIN_PORT"; do
    port_in_use "$port" && die "port $port on 127.0.0.1 is taken by another process (set VMSYNC_IMAP_PORT / VMSYNC_IMAP_PLAIN_PORT)"
  done
  /usr/sbin/dovecot -c "$CONF" -n >/dev/null 2>"$HOME_DIR/config-check.err" ||
    die "the rendered config $CONF does not parse: $(cat "$HOME_DIR/config-check.err")"
  log "starting on 127.0.0.1:$TLS_PORT (IMAPS) and :$PLAIN_PORT (STARTTLS), $(grep -c . "$MAILBOXES") mailboxes"
  touch "$LOG_FILE"
  local size
  size=$(stat -c %s "$LOG_FILE")
  # Daemonizes; the master writes its pid to base_dir/master.pid.
  /usr/sbin/dovecot -c "$CONF" || die "dovecot did not start: $(tail -n 20 "$LOG_FILE")"
  local deadline=$((SECONDS + READY_TIMEOUT))
  until [[ -s $RUN_DIR/master.pid ]] && pid=$(<"$RUN_DIR/master.pid") && kill -0 "$pid" 2>/dev/null; do
    ((SECONDS < deadline)) || die "no master.pid in $RUN_DIR; log: $(tail -c +$((size + 1)) "$LOG_FILE" | tail -n 20)"
    sleep 0.05
  done
  echo "$pid" >"$PID_FILE"
  echo "$want" >"$LAUNCH"
  until ready; do
    if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
      log "not ready on 127.0.0.1:$TLS_PORT after ${READY_TIMEOUT}s; last answer:"
      ready_output >&2 || true
      log "tail of $LOG_FILE:"
      tail -c +$((size + 1)) "$LOG_FILE" | tail -n 30 >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  write_env
  log "ready on 127.0.0.1:$TLS_PORT (pid $pid)"
}

reload() {
  local size deadline=$((SECONDS + READY_TIMEOUT))
  size=$(stat -c %s "$LOG_FILE")
  log "reloading the config (SIGHUP)"
  kill -HUP "$1"
  until tail -c +$((size + 1)) "$LOG_FILE" | grep -q 'reloading configuration' && ready; do
    if ((SECONDS >= deadline)); then
      log "no reload after ${READY_TIMEOUT}s; tail of $LOG_FILE:"
      tail -c +$((size + 1)) "$LOG_FILE" | tail -n 30 >&2 || true
      exit 1
    fi
    sleep 0.1
  done
}

ready_output() {
  imap_tls 'a CAPABILITY' 'b LOGOUT'
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
    echo "dovecot: stopped"
    return 3
  fi
  if ready; then echo "dovecot: running (pid $pid) on 127.0.0.1:$TLS_PORT (IMAPS), :$PLAIN_PORT (STARTTLS)"; else
    echo "dovecot: running (pid $pid) but not answering on 127.0.0.1:$TLS_PORT"
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
