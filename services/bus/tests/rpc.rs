//! RPC behaviour against the real RabbitMQ on 127.0.0.1:5672.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::{Echo, Env, VERSION, ctx, map, ready_messages, run, spawn_server, wait_consumers};
use delegate_bus::{CallError, Handler, RemoteError, Request};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const TIMEOUT: Duration = Duration::from_secs(10);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_returns_the_handlers_result_with_args_context_and_version() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;

        let client = env.bus("client", TIMEOUT).await;
        let args = map(json!({"zone_id": "z1", "limit": null}));
        let result = client
            .call(&topic, "6.3", &ctx(), "echo", args)
            .await
            .unwrap();
        assert_eq!(
            result,
            json!({
                "server": "s1",
                "args": {"zone_id": "z1", "limit": null},
                "context": {"project_id": "p1", "request_id": "req-1", "is_admin": false},
                "version": "6.3",
            })
        );

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn remote_errors_keep_class_module_and_message() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;

        let remote = |result: Result<Value, CallError>| match result {
            Err(CallError::Remote(err)) => err,
            other => panic!("expected a remote error, got {other:?}"),
        };
        let err = remote(
            client
                .call(&topic, VERSION, &ctx(), "fail", map(json!({})))
                .await,
        );
        assert_eq!(
            (
                err.class.as_str(),
                err.module.as_str(),
                err.message.as_str()
            ),
            (
                "ZoneNotFound",
                "designate.exceptions",
                "Could not find Zone"
            )
        );
        assert_eq!(err.args, vec![json!("Could not find Zone")]);

        let err = remote(
            client
                .call(&topic, VERSION, &ctx(), "nope", map(json!({})))
                .await,
        );
        assert_eq!(err, RemoteError::no_such_method("nope"));

        for too_new in ["6.13", "7.0", "5.0"] {
            let err = remote(
                client
                    .call(&topic, too_new, &ctx(), "echo", map(json!({})))
                    .await,
            );
            assert_eq!(err, RemoteError::unsupported_version(too_new, "echo"));
        }

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_handler_gets_a_failure_reply_and_the_server_keeps_serving() {
    run(|env: Env| async move {
        let topic = env.topic("worker");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;

        match client
            .call(&topic, VERSION, &ctx(), "panic", map(json!({})))
            .await
        {
            Err(CallError::Remote(err)) => {
                assert_eq!(
                    (err.class.as_str(), err.module.as_str()),
                    ("RuntimeError", "builtins")
                );
                assert!(err.message.contains("boom"), "{}", err.message);
            }
            other => panic!("expected a remote error, got {other:?}"),
        }
        let after = client
            .call(&topic, VERSION, &ctx(), "echo", map(json!({"n": 1})))
            .await;
        assert_eq!(after.unwrap()["args"], json!({"n": 1}));

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

struct Collect(mpsc::UnboundedSender<Request>);

impl Handler for Collect {
    async fn handle(&self, req: Request) -> Result<Value, RemoteError> {
        let _ = self.0.send(req);
        Ok(Value::Null)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cast_sent_before_any_server_started_is_kept_and_delivered() {
    run(|env: Env| async move {
        let topic = env.topic("worker");
        env.served(&topic, "server1");
        let client = env.bus("client", TIMEOUT).await;

        // Nobody serves this topic yet: the cast waits in the topic's queue.
        let early = map(json!({"zone": {"id": "early"}}));
        client
            .cast(&topic, VERSION, &ctx(), "update_zone", early.clone())
            .await
            .unwrap();
        assert_eq!(ready_messages(&topic).await, 1);

        let server = env.bus("server1", TIMEOUT).await;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop, task) = spawn_server(&server, &topic, Arc::new(Collect(tx)));
        let got = tokio::time::timeout(TIMEOUT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.args, early);

        let args = map(json!({"zone": {"id": "z1"}}));
        client
            .cast(&topic, VERSION, &ctx(), "update_zone", args.clone())
            .await
            .unwrap();
        let got = tokio::time::timeout(TIMEOUT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (got.method.as_str(), got.version.as_str()),
            ("update_zone", VERSION)
        );
        assert_eq!((got.args, got.context), (args, ctx()));

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn call_without_a_server_times_out_after_the_call_timeout() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        let client = env.bus("client", Duration::from_secs(1)).await;
        let started = Instant::now();
        let result = client
            .call(&topic, VERSION, &ctx(), "echo", map(json!({})))
            .await;
        let elapsed = started.elapsed();
        assert!(matches!(result, Err(CallError::Timeout)), "{result:?}");
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(3),
            "{elapsed:?}"
        );
        client.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_servers_on_one_topic_share_the_work_and_handle_each_message_once() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        env.served(&topic, "server2");
        let (bus1, bus2) = (
            env.bus("server1", TIMEOUT).await,
            env.bus("server2", TIMEOUT).await,
        );
        let (h1, h2) = (Echo::new("s1"), Echo::new("s2"));
        let (stop1, task1) = spawn_server(&bus1, &topic, h1.clone());
        let (stop2, task2) = spawn_server(&bus2, &topic, h2.clone());
        wait_consumers(&topic, 2).await;

        let client = env.bus("client", TIMEOUT).await;
        let calls = (0..20).map(|n| {
            let (client, topic) = (client.clone(), topic.clone());
            tokio::spawn(async move {
                let args = map(json!({"n": n, "ms": 50}));
                client
                    .call(&topic, VERSION, &ctx(), "sleep", args)
                    .await
                    .unwrap()
            })
        });
        let mut by_server = (0, 0);
        for call in calls.collect::<Vec<_>>() {
            match call.await.unwrap()["server"].as_str() {
                Some("s1") => by_server.0 += 1,
                Some("s2") => by_server.1 += 1,
                other => panic!("unexpected server {other:?}"),
            }
        }
        assert!(
            by_server.0 > 0 && by_server.1 > 0,
            "work not shared: {by_server:?}"
        );

        let mut handled: Vec<u64> = h1
            .seen()
            .iter()
            .chain(h2.seen().iter())
            .map(|a| a["n"].as_u64().unwrap())
            .collect();
        handled.sort_unstable();
        assert_eq!(
            handled,
            (0..20).collect::<Vec<u64>>(),
            "each message handled exactly once"
        );

        stop1.send(()).unwrap();
        stop2.send(()).unwrap();
        task1.await.unwrap().unwrap();
        task2.await.unwrap().unwrap();
        for bus in [client, bus1, bus2] {
            bus.close().await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_handler_does_not_block_other_requests() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;

        let slow = {
            let (client, topic) = (client.clone(), topic.clone());
            tokio::spawn(async move {
                client
                    .call(&topic, VERSION, &ctx(), "sleep", map(json!({"ms": 3000})))
                    .await
            })
        };
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        client
            .call(&topic, VERSION, &ctx(), "echo", map(json!({})))
            .await
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "fast call waited for the slow one"
        );
        assert!(!slow.is_finished());
        slow.await.unwrap().unwrap();

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_waits_for_running_handlers_and_acks_their_messages() {
    run(|env: Env| async move {
        let topic = env.topic("worker");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let handler = Echo::new("s1");
        let (stop, task) = spawn_server(&server, &topic, handler.clone());
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;

        client
            .cast(&topic, VERSION, &ctx(), "sleep", map(json!({"ms": 1000})))
            .await
            .unwrap();
        while handler.seen().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let stopping = Instant::now();
        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        assert!(
            stopping.elapsed() >= Duration::from_millis(500),
            "serve returned before its handler finished"
        );
        // Acknowledged, hence not redelivered to the next server.
        assert_eq!(common::ready_messages(&topic).await, 0);

        client.close().await;
        server.close().await;
    })
    .await;
}

/// A server that never finishes its first request.
struct Stuck(mpsc::UnboundedSender<String>);

impl Handler for Stuck {
    async fn handle(&self, req: Request) -> Result<Value, RemoteError> {
        let _ = self.0.send(req.method);
        std::future::pending().await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_unacked_when_its_server_dies_is_delivered_to_another() {
    run(|env: Env| async move {
        let topic = env.topic("worker");
        env.served(&topic, "dying");
        env.served(&topic, "survivor");
        let dying = env.bus("dying", TIMEOUT).await;
        let (started_tx, mut started) = mpsc::unbounded_channel();
        let (_stop_dying, _dying_task) = spawn_server(&dying, &topic, Arc::new(Stuck(started_tx)));
        wait_consumers(&topic, 1).await;

        let client = env.bus("client", TIMEOUT).await;
        client
            .cast(
                &topic,
                VERSION,
                &ctx(),
                "create_zone",
                map(json!({"id": 7})),
            )
            .await
            .unwrap();
        tokio::time::timeout(TIMEOUT, started.recv())
            .await
            .unwrap()
            .unwrap();
        dying.close().await; // the "crash": the connection goes, the message was never acked

        let survivor = env.bus("survivor", TIMEOUT).await;
        let (tx, mut rx) = mpsc::unbounded_channel();
        let (stop, task) = spawn_server(&survivor, &topic, Arc::new(Collect(tx)));
        let got = tokio::time::timeout(TIMEOUT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            (got.method.as_str(), got.args),
            ("create_zone", map(json!({"id": 7})))
        );

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        survivor.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn many_concurrent_calls_each_get_their_own_reply() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;

        let calls: Vec<_> = (0..200)
            .map(|n| {
                let (client, topic) = (client.clone(), topic.clone());
                tokio::spawn(async move {
                    let reply = client
                        .call(&topic, VERSION, &ctx(), "echo", map(json!({"n": n})))
                        .await;
                    (n, reply.unwrap()["args"]["n"].as_u64().unwrap())
                })
            })
            .collect();
        let mut seen = HashSet::new();
        for call in calls {
            let (sent, answered) = call.await.unwrap();
            assert_eq!(sent, answered);
            seen.insert(sent);
        }
        assert_eq!(seen.len(), 200);

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}
