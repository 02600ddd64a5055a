//! Harness for end-to-end tests and benchmarks: starts a whole Delegate
//! platform from the built binaries — one instance of each service, a BIND 9
//! of its own, a database and a RabbitMQ vhost and exchange of its own — and
//! tears it down (by pid) when dropped.
//!
//! Needs on the machine: MariaDB on 127.0.0.1:3306 (root, no password),
//! RabbitMQ on 127.0.0.1:5672 (guest/guest) with `rabbitmqctl`, BIND 9
//! (`named`, `rndc`, `tsig-keygen`) and `dig`. `scripts/test.sh` installs them.

pub mod burst;
pub mod cli;
pub mod dns;
pub mod keystone;
pub mod notifier;
pub mod platform;
pub mod process;

pub use platform::{Platform, PlatformOptions};
