#!/usr/bin/env bash
# README command 2: runs every test — unit, integration (MariaDB, RabbitMQ) and
# end-to-end (the built binaries, BIND 9, dig, the `openstack` CLI).
# Installs and starts whatever is missing first (deploy/install-deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

bash deploy/install-deps.sh
cargo fmt --all --check
# Build every binary once; the end-to-end tests start these same binaries.
cargo build --workspace --bins --locked
cargo test --workspace --locked -- --test-threads 4
