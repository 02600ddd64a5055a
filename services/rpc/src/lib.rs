//! The RPC surface of central and the worker: one place that knows the method
//! names, argument names and versions of spec/services.md §3.2 and §5.1.
//!
//! For each service there is a typed client (`CentralClient`, `WorkerClient`)
//! that callers use, a trait the service implements (`CentralService`,
//! `WorkerService`), and a dispatcher that turns a bus request into a trait
//! call. Errors cross the bus as Designate exception classes ([`remote`]).

pub mod args;
pub mod central;
pub mod remote;
pub mod worker;

pub use central::{
    CENTRAL_TOPIC, CENTRAL_VERSION, CentralClient, CentralDispatcher, CentralService,
    ManagedRecordSetValues, ManagedRecordValues, Paging,
};
pub use worker::{
    SerialReport, WORKER_TOPIC, WORKER_VERSION, WorkerClient, WorkerDispatcher, WorkerService,
};
