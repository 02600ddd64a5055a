//! Failed casts against the real RabbitMQ: retried with back-off until they
//! pass, parked after the bound when they never do, dropped only when final.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Env, VERSION, ctx, map, ready_messages, run, spawn_server, wait_consumers};
use delegate_bus::redelivery::BOUNDED_ATTEMPTS;
use delegate_bus::{Handler, RemoteError, Request, Retry};
use serde_json::{Value, json};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Fails each cast `args.failures` times with the class `args.class`, then
/// succeeds; counts attempts per `args.id`. Retries by class as delegate-rpc does.
#[derive(Default)]
struct Flaky {
    attempts: Mutex<HashMap<String, u32>>,
    done: Mutex<Vec<String>>,
}

impl Handler for Flaky {
    async fn handle(&self, req: Request) -> Result<Value, RemoteError> {
        let id = req.args["id"].as_str().unwrap().to_owned();
        let failures = req.args["failures"].as_u64().unwrap() as u32;
        let class = req.args["class"].as_str().unwrap().to_owned();
        let attempt = {
            let mut attempts = self.attempts.lock().unwrap();
            let n = attempts.entry(id.clone()).or_default();
            *n += 1;
            *n
        };
        if attempt <= failures {
            return Err(RemoteError::new(class, "designate.exceptions", "boom"));
        }
        self.done.lock().unwrap().push(id);
        Ok(Value::Null)
    }

    fn retry(&self, err: &RemoteError) -> Retry {
        match err.class.as_str() {
            "ServiceUnavailable" => Retry::Transient,
            "DesignateException" => Retry::Bounded,
            _ => Retry::Never,
        }
    }
}

impl Flaky {
    fn attempts(&self, id: &str) -> u32 {
        self.attempts.lock().unwrap().get(id).copied().unwrap_or(0)
    }
    fn done(&self, id: &str) -> bool {
        self.done.lock().unwrap().iter().any(|d| d == id)
    }
}

async fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    check()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_failures_are_retried_until_they_pass_and_final_ones_are_not() {
    run(|env: Env| async move {
        let topic = env.topic("worker");
        env.served(&topic, "server1");
        env.forget_later_queue(&format!("parked.{topic}"));
        let server = env.bus("server1", TIMEOUT).await;
        let flaky = Arc::new(Flaky::default());
        let (stop, task) = spawn_server(&server, &topic, flaky.clone());
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;
        let cast = |id: &str, failures: u32, class: &str| {
            let args = map(json!({"id": id, "failures": failures, "class": class}));
            let (client, topic) = (client.clone(), topic.clone());
            async move { client.cast(&topic, VERSION, &ctx(), "act", args).await }
        };

        // A database refusing connections three times: the cast is held,
        // published again with back-off (0.25 s, 0.5 s, 1 s…), and served.
        let started = Instant::now();
        cast("db-down", 3, "ServiceUnavailable").await.unwrap();
        assert!(wait_until(Duration::from_secs(15), || flaky.done("db-down")).await);
        assert_eq!(flaky.attempts("db-down"), 4);
        assert!(
            started.elapsed() >= Duration::from_millis(800),
            "backed off: {:?}",
            started.elapsed()
        );

        // A refusal by a rule is final: one attempt, dropped.
        cast("refused", 1, "ZoneNotFound").await.unwrap();
        assert!(wait_until(Duration::from_secs(5), || flaky.attempts("refused") == 1).await);
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(flaky.attempts("refused"), 1, "not retried");
        assert_eq!(ready_messages(&topic).await, 0);

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_poisoned_cast_is_parked_after_the_bound_and_the_server_goes_on() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let parked = format!("parked.{topic}");
        env.forget_later_queue(&parked);
        let server = env.bus("server1", TIMEOUT).await;
        let flaky = Arc::new(Flaky::default());
        let (stop, task) = spawn_server(&server, &topic, flaky.clone());
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;

        let args = map(json!({"id": "poison", "failures": 1000, "class": "DesignateException"}));
        client
            .cast(&topic, VERSION, &ctx(), "act", args)
            .await
            .unwrap();
        let parked_once = wait_until(Duration::from_secs(20), || {
            flaky.attempts("poison") >= BOUNDED_ATTEMPTS
        })
        .await;
        assert!(parked_once, "attempts: {}", flaky.attempts("poison"));
        let deadline = Instant::now() + Duration::from_secs(5);
        while ready_messages(&parked).await == 0 && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert_eq!(ready_messages(&parked).await, 1, "kept for an operator");
        assert_eq!(
            flaky.attempts("poison"),
            BOUNDED_ATTEMPTS,
            "not retried forever"
        );

        // The server still serves other casts.
        let args = map(json!({"id": "fine", "failures": 0, "class": "-"}));
        client
            .cast(&topic, VERSION, &ctx(), "act", args)
            .await
            .unwrap();
        assert!(wait_until(Duration::from_secs(5), || flaky.done("fine")).await);

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}
