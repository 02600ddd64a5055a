#!/usr/bin/env bash
# Makes sure what Delegate runs against is installed and running on this
# machine, installing from Debian's packages only what is missing:
#   MariaDB (127.0.0.1:3306, root without password over TCP),
#   RabbitMQ (127.0.0.1:5672, guest/guest),
#   BIND 9 and its tools (named, rndc, named-checkzone), dig,
#   python3-venv (for the `openstack` CLI the tests install from PyPI),
#   and a Keystone for the tests (deploy/keystone/install-keystone.sh, PyPI)
#   in target/keystone-venv, where the test harness looks for it.
# Idempotent: on a machine where all of it already runs it changes nothing.
set -euo pipefail

log() { echo "install-deps: $*"; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v mariadbd >/dev/null || [ -x /usr/sbin/mariadbd ] || missing+=(mariadb-server)
command -v mysql >/dev/null || missing+=(mariadb-client)
command -v rabbitmq-server >/dev/null || [ -x /usr/sbin/rabbitmq-server ] || missing+=(rabbitmq-server)
[ -x /usr/sbin/named ] || missing+=(bind9)
command -v named-checkzone >/dev/null || missing+=(bind9-utils)
command -v dig >/dev/null || missing+=(dnsutils)
python3 -c 'import ensurepip, venv' 2>/dev/null || missing+=(python3-venv)
command -v curl >/dev/null || missing+=(curl)

if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    # Package scripts may try to start daemons through an init system that a
    # container lacks; we start them ourselves below.
    as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# BIND from the package must not hold port 53/953 for us: we start our own.
if pgrep -x named >/dev/null && [ -f /etc/bind/named.conf ] && [ -z "${DELEGATE_KEEP_SYSTEM_NAMED:-}" ]; then
    log "note: a system named is running; Delegate's own BIND uses high ports and does not touch it"
fi

if ! mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1 && ! mysqladmin -h127.0.0.1 -uroot ping >/dev/null 2>&1; then
    log "starting MariaDB"
    as_root mkdir -p /run/mysqld
    as_root chown mysql:mysql /run/mysqld 2>/dev/null || true
    as_root start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd -- --user=mysql
    for _ in $(seq 1 100); do mysqladmin --protocol=socket -uroot ping >/dev/null 2>&1 && break; sleep 0.2; done
fi
if ! mysql -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null 2>&1; then
    # Debian's root@localhost authenticates by unix socket; Delegate's default
    # config (and its tests) use root over TCP on loopback without a password.
    log "allowing root over TCP on 127.0.0.1 (development machine set-up)"
    as_root mysql --protocol=socket -uroot -e \
        "CREATE USER IF NOT EXISTS 'root'@'127.0.0.1' IDENTIFIED BY ''; GRANT ALL ON *.* TO 'root'@'127.0.0.1' WITH GRANT OPTION; FLUSH PRIVILEGES;"
fi
mysql -h127.0.0.1 -uroot -e 'SELECT 1' >/dev/null

if ! (echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null; then
    log "starting RabbitMQ"
    as_root rabbitmq-server -detached
    as_root rabbitmqctl -q await_startup >/dev/null 2>&1 || true
    for _ in $(seq 1 150); do (echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null && break; sleep 0.2; done
fi
(echo > /dev/tcp/127.0.0.1/5672) 2>/dev/null || { log "RabbitMQ is not listening on 5672"; exit 1; }
# Keystone for the tests: the harness (tests/src/keystone.rs) uses
# <target>/keystone-venv and would install it itself; doing it here keeps the
# first test run's time predictable. Skip with DELEGATE_SKIP_KEYSTONE=1.
if [ -z "${DELEGATE_SKIP_KEYSTONE:-}" ]; then
    here="$(cd "$(dirname "$0")" && pwd)"
    bash "$here/keystone/install-keystone.sh" "${CARGO_TARGET_DIR:-$here/../target}/keystone-venv"
fi
log "MariaDB, RabbitMQ, BIND 9 tools, dig and the test Keystone are ready"
