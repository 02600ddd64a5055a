//! Notification listeners against the real RabbitMQ: what a notifier
//! publishes (v2 envelope or v1 bare message) reaches the handler once,
//! only `info`, across listeners sharing a queue; unusable bodies are
//! acknowledged without stopping the listener; failures follow redelivery.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Env, ctx, raw_connection, ready_messages, run, wait_consumers};
use delegate_bus::{
    Bus, BusError, Notification, NotificationHandler, NotificationTarget, RemoteError, Retry,
};
use lapin::BasicProperties;
use lapin::options::BasicPublishOptions;
use serde_json::{Value, json};
use tokio::sync::oneshot;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Records what it handled; `payload.fail` = n fails the first n attempts
/// (counted across the recorders sharing `attempts`) with `payload.class`.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<Notification>>,
    attempts: Arc<Mutex<HashMap<String, u64>>>,
}

impl NotificationHandler for Recorder {
    async fn handle(&self, n: Notification) -> Result<(), RemoteError> {
        let id = n.payload["id"].as_str().unwrap_or_default().to_owned();
        let attempt = {
            let mut attempts = self.attempts.lock().unwrap();
            let a = attempts.entry(id).or_default();
            *a += 1;
            *a
        };
        if attempt <= n.payload["fail"].as_u64().unwrap_or(0) {
            let class = n.payload["class"]
                .as_str()
                .unwrap_or("BadRequest")
                .to_owned();
            return Err(RemoteError::new(class, "designate.exceptions", "boom"));
        }
        self.seen.lock().unwrap().push(n);
        Ok(())
    }

    fn retry(&self, err: &RemoteError) -> Retry {
        match err.class.as_str() {
            "ServiceUnavailable" => Retry::Transient,
            "DesignateException" => Retry::Bounded,
            _ => Retry::Never,
        }
    }
}

impl Recorder {
    fn ids(&self) -> Vec<String> {
        let seen = self.seen.lock().unwrap();
        seen.iter()
            .map(|n| n.payload["id"].as_str().unwrap_or_default().to_owned())
            .collect()
    }
    fn attempts(&self, id: &str) -> u64 {
        self.attempts.lock().unwrap().get(id).copied().unwrap_or(0)
    }
}

fn spawn_listener(
    bus: &Bus,
    targets: Vec<NotificationTarget>,
    pool: Option<String>,
    handler: Arc<Recorder>,
) -> (
    oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), BusError>>,
) {
    let (stop, stopped) = oneshot::channel::<()>();
    let bus = bus.clone();
    let task = tokio::spawn(async move {
        bus.listen_notifications(&targets, pool.as_deref(), handler, async move {
            let _ = stopped.await;
        })
        .await
    });
    (stop, task)
}

async fn wait_until(limit: Duration, mut check: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if check() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    check()
}

async fn publish_raw(exchange: &str, key: &str, body: &[u8]) {
    let conn = raw_connection().await;
    let ch = conn.create_channel().await.unwrap();
    ch.basic_publish(
        exchange.into(),
        key.into(),
        BasicPublishOptions::default(),
        body,
        BasicProperties::default().with_delivery_mode(2),
    )
    .await
    .unwrap()
    .await
    .unwrap();
    let _ = conn.close(200, "OK".into()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_reach_the_handler_in_both_formats_and_bad_ones_do_not_stop_it() {
    run(|env: Env| async move {
        let topic = env.topic("notifications");
        let queue = format!("{topic}.info");
        env.forget_later_queue(&queue);
        // The notifier: a bus whose control exchange plays nova's.
        let nova = env.bus("compute1", TIMEOUT).await;
        let sink = env.bus("sink1", TIMEOUT).await;
        let recorder = Arc::new(Recorder::default());
        let target = NotificationTarget {
            exchange: env.exchange.clone(),
            topic: topic.clone(),
        };
        let (stop, task) = spawn_listener(&sink, vec![target], None, recorder.clone());
        wait_consumers(&queue, 1).await;

        let event = "compute.instance.create.end";
        nova.notify(
            &topic,
            "INFO",
            event,
            "compute.host1",
            &ctx(),
            json!({"id": "v2"}),
        )
        .await
        .unwrap();
        // Not info: lands in another queue nobody of ours listens to.
        env.forget_later_queue(&format!("{topic}.error"));
        nova.notify(
            &topic,
            "ERROR",
            event,
            "compute.host1",
            &ctx(),
            json!({"id": "err"}),
        )
        .await
        .unwrap();
        publish_raw(&env.exchange, &queue, b"{not json").await;
        publish_raw(&env.exchange, &queue, br#"{"payload": {"id": "no-event"}}"#).await;
        let v1 = json!({
            "message_id": "00000000-0000-4000-8000-000000000001",
            "publisher_id": "network.host1",
            "event_type": "floatingip.update.end",
            "priority": "INFO",
            "payload": {"id": "v1"},
            "timestamp": "2026-01-01 00:00:00.000000",
            "_context_project_name": "demo",
        });
        publish_raw(&env.exchange, &queue, v1.to_string().as_bytes()).await;

        assert!(wait_until(TIMEOUT, || recorder.ids().len() >= 2).await);
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(recorder.ids(), vec!["v2", "v1"]);
        let seen = recorder.seen.lock().unwrap().clone();
        assert_eq!(seen[0].event_type, event);
        assert_eq!(seen[0].publisher_id.as_deref(), Some("compute.host1"));
        assert_eq!(seen[0].context["project_id"], "p1");
        assert_eq!(seen[0].message_id.as_ref().map(String::len), Some(36));
        assert_eq!(seen[1].context["project_name"], "demo");
        assert_eq!(ready_messages(&queue).await, 0);

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        nova.close().await;
        sink.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn listeners_on_one_queue_share_the_work_and_failures_follow_redelivery() {
    run(|env: Env| async move {
        let topic = env.topic("notifications");
        let queue = format!("{topic}.info");
        let parked = format!("parked.{queue}");
        env.forget_later_queue(&queue);
        env.forget_later_queue(&parked);
        let nova = env.bus("compute1", TIMEOUT).await;
        let target = NotificationTarget {
            exchange: env.exchange.clone(),
            topic: topic.clone(),
        };
        let a = Arc::new(Recorder::default());
        let b = Arc::new(Recorder {
            attempts: a.attempts.clone(),
            ..Recorder::default()
        });
        let bus_a = env.bus("sink1", TIMEOUT).await;
        let bus_b = env.bus("sink2", TIMEOUT).await;
        let (stop_a, task_a) = spawn_listener(&bus_a, vec![target.clone()], None, a.clone());
        let (stop_b, task_b) = spawn_listener(&bus_b, vec![target], None, b.clone());
        wait_consumers(&queue, 2).await;

        let send = |payload: Value| {
            let nova = nova.clone();
            let topic = topic.clone();
            async move {
                nova.notify(&topic, "INFO", "x.end", "p", &ctx(), payload)
                    .await
                    .unwrap()
            }
        };
        for i in 0..40 {
            send(json!({"id": format!("n{i}")})).await;
        }
        send(json!({"id": "transient", "fail": 2, "class": "ServiceUnavailable"})).await;
        send(json!({"id": "final", "fail": 1, "class": "ZoneNotFound"})).await;
        send(json!({"id": "poison", "fail": 100, "class": "DesignateException"})).await;

        let done = |r: &Recorder| r.ids().len();
        assert!(wait_until(TIMEOUT, || done(&a) + done(&b) >= 41).await);
        let mut all: Vec<String> = a.ids().into_iter().chain(b.ids()).collect();
        all.sort();
        let mut expected: Vec<String> = (0..40).map(|i| format!("n{i}")).collect();
        expected.push("transient".into());
        expected.sort();
        assert_eq!(all, expected, "each notification handled exactly once");
        assert!(done(&a) > 0 && done(&b) > 0, "both listeners took work");
        let attempts = |id: &str| a.attempts(id);
        assert_eq!(attempts("transient"), 3);
        assert_eq!(attempts("final"), 1, "a final failure is not retried");
        // Bounded: 5 attempts (back-off 0.25 + 0.5 + 1 + 2 s), then parked.
        assert!(wait_until(Duration::from_secs(15), || attempts("poison") >= 5).await);
        let parked_ok = async {
            for _ in 0..100 {
                if ready_messages(&parked).await == 1 {
                    return true;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            false
        };
        assert!(parked_ok.await, "the poisoned notification is parked");
        assert_eq!(attempts("poison"), 5);

        stop_a.send(()).unwrap();
        stop_b.send(()).unwrap();
        task_a.await.unwrap().unwrap();
        task_b.await.unwrap().unwrap();
        assert_eq!(ready_messages(&queue).await, 0);
        for bus in [nova, bus_a, bus_b] {
            bus.close().await;
        }
    })
    .await;
}
