//! Losing the broker connection: calls and servers carry on after a reconnect.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::{Duration, Instant};

use common::{
    Echo, Env, VERSION, connection_pids, ctx, kill_connection, map, run, spawn_server,
    wait_consumers,
};
use delegate_bus::{Bus, BusConfig, BusError};
use serde_json::json;

const TIMEOUT: Duration = Duration::from_secs(10);

/// Waits until the bus is connected again under the same name but a new broker pid.
async fn wait_reconnected(bus: &Bus, old: &[String]) {
    for _ in 0..100 {
        let now = connection_pids(bus.connection_name());
        if now.len() == 1 && !old.contains(&now[0]) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{} did not reconnect", bus.connection_name());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_succeed_after_the_client_and_then_the_server_lose_their_connection() {
    run(|env: Env| async move {
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let server = env.bus("server1", TIMEOUT).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;
        let client = env.bus("client", TIMEOUT).await;
        let echo = |n: u64| {
            let (client, topic) = (client.clone(), topic.clone());
            async move {
                client
                    .call(&topic, VERSION, &ctx(), "echo", map(json!({"n": n})))
                    .await
            }
        };
        assert_eq!(echo(1).await.unwrap()["args"]["n"], 1);

        // The client's connection goes: the next call waits for the reconnect.
        let before = connection_pids(client.connection_name());
        kill_connection(client.connection_name());
        assert_eq!(echo(2).await.unwrap()["args"]["n"], 2);
        wait_reconnected(&client, &before).await;

        // The server's connection goes: it re-declares and resumes consuming.
        let before = connection_pids(server.connection_name());
        kill_connection(server.connection_name());
        wait_reconnected(&server, &before).await;
        assert_eq!(echo(3).await.unwrap()["args"]["n"], 3);

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_skips_a_dead_broker_of_transport_url() {
    run(|env: Env| async move {
        // Port 1 refuses connections: the first broker is down.
        let url = "rabbit://guest:guest@127.0.0.1:1,guest:guest@127.0.0.1:5672/";
        let topic = env.topic("central");
        env.served(&topic, "server1");
        let server = env.bus_with(env.config_for(url, "server1", TIMEOUT)).await;
        let (stop, task) = spawn_server(&server, &topic, Echo::new("s1"));
        wait_consumers(&topic, 1).await;
        let client = env.bus_with(env.config_for(url, "client", TIMEOUT)).await;
        let reply = client
            .call(&topic, VERSION, &ctx(), "echo", map(json!({})))
            .await;
        assert_eq!(reply.unwrap()["server"], "s1");

        stop.send(()).unwrap();
        task.await.unwrap().unwrap();
        client.close().await;
        server.close().await;
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_fails_clearly_when_no_broker_answers() {
    let cfg = BusConfig::from_transport_url(
        "rabbit://guest:guest@127.0.0.1:1,guest:guest@127.0.0.1:2/",
        "delegate_test_unused",
        "h",
        TIMEOUT,
    )
    .unwrap();
    let started = Instant::now();
    let err = Bus::connect(cfg).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(10));
    match &err {
        BusError::Connect { broker, .. } => assert!(broker.contains("127.0.0.1:"), "{err}"),
        other => panic!("expected a connect error, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with("cannot connect to broker rabbit://guest@127.0.0.1:"),
        "{err}"
    );
}
