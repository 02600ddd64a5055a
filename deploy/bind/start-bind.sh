#!/usr/bin/env bash
# Starts a BIND 9 on loopback as a pool target / nameserver for Delegate:
# `allow-new-zones yes` so the worker can `rndc addzone`, an rndc key of its
# own, and high ports so it never collides with a system nameserver.
#
#   start-bind.sh DIR DNS_PORT RNDC_PORT
#
# Writes DIR/named.conf, DIR/rndc.conf, DIR/rndc.key, DIR/named.pid and
# DIR/named.log, and returns once BIND answers on DNS_PORT.
# Stop it with: kill "$(cat DIR/named.pid)".
set -euo pipefail

dir=${1:?usage: start-bind.sh DIR DNS_PORT RNDC_PORT}
dns_port=${2:?DNS_PORT}
rndc_port=${3:?RNDC_PORT}

for tool in named rndc tsig-keygen dig; do
    command -v "$tool" >/dev/null || { echo "start-bind: $tool not found (apt-get install bind9 bind9-utils dnsutils)" >&2; exit 1; }
done

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
tsig-keygen -a hmac-sha256 rndc-key > "$dir/rndc.key"

cat > "$dir/named.conf" <<CONF
include "$dir/rndc.key";
controls { inet 127.0.0.1 port $rndc_port allow { 127.0.0.1; } keys { "rndc-key"; }; };
options {
    directory "$dir";
    pid-file "$dir/named.pid";
    listen-on port $dns_port { 127.0.0.1; };
    listen-on-v6 { none; };
    allow-new-zones yes;
    // The worker NOTIFYs from loopback; on a real network list its addresses.
    allow-notify { 127.0.0.0/8; };
    session-keyfile "$dir/session.key";
    managed-keys-directory "$dir";
    recursion no;
    dnssec-validation no;
    notify no;
    // Delegate pushes changes as they commit: let BIND follow quickly.
    serial-query-rate 1000;
    transfers-in 100;
    transfers-per-ns 100;
    min-refresh-time 1;
    min-retry-time 1;
};
logging {
    channel main { file "$dir/named.log" versions 2 size 20m; print-time yes; severity info; };
    category default { main; };
};
CONF

cat > "$dir/rndc.conf" <<CONF
include "$dir/rndc.key";
options { default-key "rndc-key"; default-server 127.0.0.1; default-port $rndc_port; };
CONF

named -c "$dir/named.conf" -4

for _ in $(seq 1 100); do
    if dig +short +time=1 +tries=1 -p "$dns_port" @127.0.0.1 version.bind TXT CH >/dev/null 2>&1 \
        && rndc -c "$dir/rndc.conf" status >/dev/null 2>&1; then
        echo "BIND listening on 127.0.0.1:$dns_port (rndc 127.0.0.1:$rndc_port), pid $(cat "$dir/named.pid")"
        exit 0
    fi
    sleep 0.1
done
echo "start-bind: BIND did not come up; see $dir/named.log" >&2
exit 1
