//! The bytes on the wire, read and written with lapin directly, as an
//! oslo.messaging peer (a Python Designate service) would see and send them.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::{Echo, Env, VERSION, ctx, map, raw_connection, run, spawn_server, wait_consumers};
use futures::StreamExt;
use lapin::message::Delivery;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicGetOptions, BasicPublishOptions, QueueBindOptions,
    QueueDeclareOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Channel};
use serde_json::{Map, Value, json};

const TIMEOUT: Duration = Duration::from_secs(10);

/// Checks the envelope and returns the decoded inner message.
fn inner_message(body: &[u8]) -> Map<String, Value> {
    let outer = map(serde_json::from_slice(body).unwrap());
    let mut keys: Vec<_> = outer.keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["oslo.message", "oslo.version"]);
    assert_eq!(outer["oslo.version"], "2.0");
    map(serde_json::from_str(outer["oslo.message"].as_str().unwrap()).unwrap())
}

fn sorted_keys(map: &Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<_> = map.keys().cloned().collect();
    keys.sort();
    keys
}

fn content_type(delivery: &Delivery) -> Option<String> {
    delivery
        .properties
        .content_type()
        .as_ref()
        .map(|s| s.to_string())
}

fn envelope(inner: Value) -> Vec<u8> {
    json!({"oslo.version": "2.0", "oslo.message": inner.to_string()})
        .to_string()
        .into_bytes()
}

async fn next_delivery(consumer: &mut lapin::Consumer) -> Delivery {
    let next = tokio::time::timeout(TIMEOUT, consumer.next())
        .await
        .unwrap();
    let delivery = next.unwrap().unwrap();
    delivery.ack(BasicAckOptions::default()).await.unwrap();
    delivery
}

async fn publish(ch: &Channel, exchange: &str, key: &str, body: &[u8], props: BasicProperties) {
    ch.basic_publish(
        exchange.into(),
        key.into(),
        BasicPublishOptions::default(),
        body,
        props,
    )
    .await
    .unwrap()
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_calls_and_casts_look_like_oslos_and_a_python_style_reply_is_understood() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        let client = env.bus("client", TIMEOUT).await; // declares the exchange
        let conn = raw_connection().await;
        let ch = conn.create_channel().await.unwrap();
        ch.queue_declare(
            topic.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
        let bind = QueueBindOptions::default();
        ch.queue_bind(
            topic.as_str().into(),
            env.exchange.as_str().into(),
            topic.as_str().into(),
            bind,
            FieldTable::default(),
        )
        .await
        .unwrap();
        let mut consumer = ch
            .basic_consume(
                topic.as_str().into(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();

        let call = {
            let (client, topic) = (client.clone(), topic.clone());
            tokio::spawn(async move {
                let args = map(json!({"zone_id": "z1", "criterion": null}));
                client
                    .call_with_timeout(&topic, VERSION, &ctx(), "get_zone", args, TIMEOUT)
                    .await
            })
        };
        let request = next_delivery(&mut consumer).await;
        assert_eq!(content_type(&request).as_deref(), Some("application/json"));
        assert_eq!(*request.properties.delivery_mode(), Some(2));
        assert_eq!(
            request
                .properties
                .expiration()
                .as_ref()
                .map(|e| e.to_string())
                .as_deref(),
            Some("10000")
        );
        let inner = inner_message(&request.data);
        assert_eq!(
            sorted_keys(&inner),
            [
                "_context_is_admin",
                "_context_project_id",
                "_context_request_id",
                "_msg_id",
                "_reply_q",
                "_timeout",
                "_unique_id",
                "args",
                "method",
                "version"
            ]
        );
        assert_eq!(inner["method"], "get_zone");
        assert_eq!(inner["version"], VERSION);
        assert_eq!(inner["args"], json!({"zone_id": "z1", "criterion": null}));
        assert_eq!(inner["_context_project_id"], "p1");
        assert_eq!(inner["_timeout"], Value::Null);
        assert_eq!(inner["_reply_q"], client.reply_queue());

        // Reply the way oslo.messaging's rabbit driver does: default exchange, routing key = _reply_q.
        let reply = envelope(json!({
            "result": {"id": "z1"}, "failure": null, "ending": true,
            "_msg_id": inner["_msg_id"], "_unique_id": "0123456789abcdef0123456789abcdef",
        }));
        let props = BasicProperties::default().with_content_type("application/json".into());
        publish(&ch, "", inner["_reply_q"].as_str().unwrap(), &reply, props).await;
        assert_eq!(call.await.unwrap().unwrap(), json!({"id": "z1"}));

        client
            .cast(
                &topic,
                VERSION,
                &ctx(),
                "update_status",
                map(json!({"zone_id": "z1"})),
            )
            .await
            .unwrap();
        let cast = next_delivery(&mut consumer).await;
        assert_eq!(*cast.properties.delivery_mode(), Some(2));
        assert_eq!(*cast.properties.expiration(), None);
        let inner = inner_message(&cast.data);
        assert_eq!(
            sorted_keys(&inner),
            [
                "_context_is_admin",
                "_context_project_id",
                "_context_request_id",
                "_unique_id",
                "args",
                "method",
                "version"
            ]
        );

        let _ = ch.close(200, "OK".into()).await;
        let _ = conn.close(200, "OK".into()).await;
        client.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn our_server_answers_an_oslo_style_call_with_oslos_reply_format() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;

        let conn = raw_connection().await;
        let ch = conn.create_channel().await.unwrap();
        let reply_q = format!("reply_{}", uuid::Uuid::new_v4().simple());
        env.forget_later_queue(&reply_q);
        ch.queue_declare(
            reply_q.as_str().into(),
            QueueDeclareOptions::default(),
            FieldTable::default(),
        )
        .await
        .unwrap();
        let mut replies = ch
            .basic_consume(
                reply_q.as_str().into(),
                "".into(),
                BasicConsumeOptions::default(),
                FieldTable::default(),
            )
            .await
            .unwrap();
        let call = |method: &str, msg_id: &str| {
            envelope(json!({
                "method": method, "args": {"zone_id": "z1"}, "version": "6.0",
                "_unique_id": "u1", "_context_user": "admin", "_context_unknown_key": 1,
                "_msg_id": msg_id, "_reply_q": reply_q, "_timeout": null,
            }))
        };
        let props = BasicProperties::default().with_content_type("application/json".into());

        publish(
            &ch,
            &env.exchange,
            &topic,
            &call("echo", "m1"),
            props.clone(),
        )
        .await;
        let reply = next_delivery(&mut replies).await;
        let inner = inner_message(&reply.data);
        assert_eq!(
            sorted_keys(&inner),
            ["_msg_id", "_unique_id", "ending", "failure", "result"]
        );
        assert_eq!(
            (inner["_msg_id"].clone(), inner["ending"].clone()),
            (json!("m1"), json!(true))
        );
        assert_eq!(inner["failure"], Value::Null);
        assert_eq!(
            inner["result"]["context"],
            json!({"user": "admin", "unknown_key": 1})
        );
        assert_eq!(inner["result"]["version"], "6.0");

        publish(&ch, &env.exchange, &topic, &call("fail", "m2"), props).await;
        let inner = inner_message(&next_delivery(&mut replies).await.data);
        assert_eq!(
            (inner["_msg_id"].clone(), inner["result"].clone()),
            (json!("m2"), Value::Null)
        );
        let failure: Map<String, Value> =
            serde_json::from_str(inner["failure"].as_str().unwrap()).unwrap();
        assert_eq!(
            sorted_keys(&failure),
            ["args", "class", "kwargs", "message", "module", "tb"]
        );
        assert_eq!(failure["class"], "ZoneNotFound");
        assert_eq!(failure["module"], "designate.exceptions");

        let _ = ch.close(200, "OK".into()).await;
        let _ = conn.close(200, "OK".into()).await;
        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn queues_are_declared_as_the_design_says() {
    run(|env: Env| async move {
        let topic = env.topic("mdns");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;

        let out = std::process::Command::new("rabbitmqctl")
            .args([
                "-q",
                "--no-table-headers",
                "list_queues",
                "name",
                "type",
                "durable",
                "auto_delete",
                "arguments",
            ])
            .output()
            .unwrap();
        let listing = String::from_utf8_lossy(&out.stdout);
        let row = |name: &str| -> Vec<String> {
            let line = listing
                .lines()
                .find(|l| l.split('\t').next() == Some(name))
                .unwrap_or_else(|| panic!("queue {name} not found in {listing}"));
            line.split('\t').map(str::to_owned).collect()
        };
        for durable in [topic.clone(), format!("{topic}.server1")] {
            assert_eq!(
                row(&durable)[1..4],
                ["quorum", "true", "false"],
                "{durable}"
            );
        }
        let reply = row(server.reply_queue());
        assert_eq!(reply[1..4], ["classic", "false", "false"]);
        assert!(
            reply[4].contains("x-expires") && reply[4].contains("1800000"),
            "{}",
            reply[4]
        );
        let fanout = listing
            .lines()
            .find(|l| l.starts_with(&format!("{topic}_fanout_")))
            .unwrap()
            .split('\t')
            .map(str::to_owned)
            .collect::<Vec<_>>();
        assert_eq!(fanout[1..4], ["classic", "false", "true"]);

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn notifications_have_oslos_format_and_routing_key() {
    run(|env: Env| async move {
        let prefix = env.topic("notifications");
        let queue = format!("{prefix}.info");
        env.forget_later_queue(&queue);
        let bus = env.bus("central1", TIMEOUT).await;
        let payload = json!({"id": "z1", "name": "example.org."});
        bus.notify(
            &prefix,
            "info",
            "dns.zone.create",
            "central.central1",
            &ctx(),
            payload.clone(),
        )
        .await
        .unwrap();

        let conn = raw_connection().await;
        let ch = conn.create_channel().await.unwrap();
        let got = ch
            .basic_get(queue.as_str().into(), BasicGetOptions { no_ack: true })
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            content_type(&got.delivery).as_deref(),
            Some("application/json")
        );
        let inner = inner_message(&got.delivery.data);
        assert_eq!(
            sorted_keys(&inner),
            [
                "_context_is_admin",
                "_context_project_id",
                "_context_request_id",
                "_unique_id",
                "event_type",
                "message_id",
                "payload",
                "priority",
                "publisher_id",
                "timestamp"
            ]
        );
        assert_eq!(inner["priority"], "INFO");
        assert_eq!(inner["event_type"], "dns.zone.create");
        assert_eq!(inner["publisher_id"], "central.central1");
        assert_eq!(inner["payload"], payload);

        let _ = ch.close(200, "OK".into()).await;
        let _ = conn.close(200, "OK".into()).await;
        bus.close().await;
    })
    .await;
}
