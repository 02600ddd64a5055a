#!/usr/bin/env bash
# Brings up a whole Delegate platform on this machine (README command 1):
#
#   deploy/platform.sh up       install what is missing, build, start everything
#   deploy/platform.sh down     stop what `up` started (by pid)
#   deploy/platform.sh status   show what runs
#
# Everything lives under ./run: config, pools.yaml, BIND's files, pids, logs.
# Ports (override with the variables): API 9001, mdns 5354, BIND 5300,
# rndc 9530. Instances: CENTRAL_INSTANCES, WORKER_INSTANCES (default 1 each;
# several instances share the work through the bus and the database),
# PRODUCER_INSTANCES (default 1; several form a Raft group on ports 9401…
# that splits the periodic tasks' shards).
set -euo pipefail

cd "$(dirname "$0")/.."
root=$(pwd)
run="$root/run"
api_port=${API_PORT:-9001}
mdns_port=${MDNS_PORT:-5354}
bind_port=${BIND_PORT:-5300}
rndc_port=${RNDC_PORT:-9530}
bin="$root/target/release"
db=${DELEGATE_DB:-delegate}

log() { echo "platform: $*"; }

port_free() { ! (echo > "/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

write_config() {
    cat > "$run/delegate.conf" <<CONF
# Delegate configuration: designate.conf's format and section names.
# Every option can also be set by environment: DELEGATE_<SECTION>__<OPTION>.
[DEFAULT]
transport_url = rabbit://guest:guest@127.0.0.1:5672/
control_exchange = designate

[storage:sqlalchemy]
connection = mysql://root@127.0.0.1:3306/$db

[service:api]
listen = 127.0.0.1:$api_port
auth_strategy = noauth

[service:mdns]
listen = 127.0.0.1:$mdns_port
CONF
    sed -e "s|@BIND_PORT@|$bind_port|g" -e "s|@MDNS_PORT@|$mdns_port|g" \
        -e "s|@RNDC_PORT@|$rndc_port|g" -e "s|@RNDC_CONF@|$run/bind/rndc.conf|g" \
        "$root/deploy/pools.yaml.in" > "$run/pools.yaml"
}

start_service() { # name instance [VAR=value …]
    local name=$1 n=$2 host
    shift 2
    host="$(hostname)-$name-$n"
    env DELEGATE_DEFAULT__HOST="$host" "$@" nohup "$bin/delegate-$name" \
        --config-file "$run/delegate.conf" >> "$run/logs/$name-$n.log" 2>&1 &
    echo $! > "$run/pids/$name-$n.pid"
}

start_producers() {
    local count=${PRODUCER_INSTANCES:-1} peers="" i
    if [ "$count" -le 1 ]; then start_service producer 1; return; fi
    for i in $(seq 1 "$count"); do peers="$peers${peers:+, }127.0.0.1:$((9400 + i))"; done
    for i in $(seq 1 "$count"); do
        start_service producer "$i" \
            "DELEGATE_SERVICE_PRODUCER__RAFT_LISTEN=127.0.0.1:$((9400 + i))" \
            "DELEGATE_SERVICE_PRODUCER__RAFT_PEERS=$peers" \
            "DELEGATE_SERVICE_PRODUCER__RAFT_DATA_DIR=$run/producer-$i"
    done
}

up() {
    DELEGATE_SKIP_KEYSTONE=1 bash "$root/deploy/install-deps.sh"  # the test Keystone is for scripts/test.sh
    for p in $api_port $mdns_port $bind_port $rndc_port; do
        port_free "$p" || { log "port $p is in use (is the platform already up? try: $0 down)"; exit 1; }
    done
    log "building (release)"
    cargo build --release --workspace --bins
    mkdir -p "$run/logs" "$run/pids"
    write_config
    bash "$root/deploy/bind/start-bind.sh" "$run/bind" "$bind_port" "$rndc_port"
    mysql -h127.0.0.1 -uroot -e "CREATE DATABASE IF NOT EXISTS \`$db\` CHARACTER SET utf8mb3"
    "$bin/delegate-manage" --config-file "$run/delegate.conf" database sync
    "$bin/delegate-manage" --config-file "$run/delegate.conf" pool update --file "$run/pools.yaml"
    for i in $(seq 1 "${CENTRAL_INSTANCES:-1}"); do start_service central "$i"; done
    for i in $(seq 1 "${WORKER_INSTANCES:-1}"); do start_service worker "$i"; done
    start_service mdns 1
    start_producers
    start_service sink 1
    start_service api 1
    for _ in $(seq 1 100); do
        curl -fs "http://127.0.0.1:$api_port/" >/dev/null 2>&1 && break
        sleep 0.2
    done
    curl -fs "http://127.0.0.1:$api_port/" >/dev/null || { log "the API did not come up; see $run/logs"; exit 1; }
    cat <<INFO

Delegate is up.
  API (noauth)   http://127.0.0.1:$api_port/v2
  mdns           127.0.0.1:$mdns_port (hidden primary: SOA, AXFR)
  BIND 9         127.0.0.1:$bind_port (pool nameserver; rndc on $rndc_port)
  database       mysql://root@127.0.0.1:3306/$db
  bus            rabbit://127.0.0.1:5672/ exchange 'designate'
  config         $run/delegate.conf   pools: $run/pools.yaml
  logs           $run/logs/
Try:
  curl -s -X POST -H 'Content-Type: application/json' http://127.0.0.1:$api_port/v2/zones \\
       -d '{"name": "example.test.", "email": "admin@example.test"}'
  dig @127.0.0.1 -p $bind_port example.test. SOA
Stop everything with: $0 down
INFO
}

down() {
    for f in "$run"/pids/*.pid; do
        [ -e "$f" ] || continue
        kill "$(cat "$f")" 2>/dev/null || true
        rm -f "$f"
    done
    if [ -f "$run/bind/named.pid" ]; then
        kill "$(cat "$run/bind/named.pid")" 2>/dev/null || true
    fi
    log "stopped"
}

status() {
    for f in "$run"/pids/*.pid; do
        [ -e "$f" ] || continue
        if kill -0 "$(cat "$f")" 2>/dev/null; then s=running; else s=stopped; fi
        printf '%-14s pid %-8s %s\n' "$(basename "$f" .pid)" "$(cat "$f")" "$s"
    done
    if [ -f "$run/bind/named.pid" ] && kill -0 "$(cat "$run/bind/named.pid")" 2>/dev/null; then
        echo "bind           pid $(cat "$run/bind/named.pid") running"
    fi
}

case "${1:-}" in
    up) up ;;
    down) down ;;
    status) status ;;
    *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
