//! The periodic tasks themselves (spec/services.md §6.2). Each runs with an
//! admin, all-projects context, over the shard range it is given.

use std::time::Duration;

use delegate_bus::Bus;
use delegate_config::{ProducerTask, ProducerTasks};
use delegate_model::envelope::to_primitive;
use delegate_model::{Action, Context, Error, ServiceStatus, Status, Zone};
use delegate_rpc::{CentralClient, Paging, WorkerClient};
use serde_json::{Map, Value};

/// The tasks this build runs; the others of spec/services.md §6.2 are
/// logged as not run at start-up.
pub const IMPLEMENTED: &[&str] = &[
    "zone_purge",
    "periodic_exists",
    "increment_serial",
    "worker_periodic_recovery",
    "periodic_check_service_status",
    "periodic_cleanup_stopped_service_status",
];

/// Where notifications go (spec/services.md §15), when they are enabled.
pub struct Notifier {
    pub bus: Bus,
    /// `[oslo_messaging_notifications] topics`.
    pub topics: Vec<String>,
    /// `producer.<host>`.
    pub publisher_id: String,
}

/// What the tasks need: the clients and their options.
pub struct Tasks {
    central: CentralClient,
    worker: WorkerClient,
    notifier: Option<Notifier>,
    options: ProducerTasks,
}

impl Tasks {
    pub fn new(
        central: CentralClient,
        worker: WorkerClient,
        notifier: Option<Notifier>,
        options: ProducerTasks,
    ) -> Tasks {
        Tasks {
            central,
            worker,
            notifier,
            options,
        }
    }

    /// Whether `task` works on shards (the service-status tasks do not).
    pub fn is_sharded(task: &str) -> bool {
        !matches!(
            task,
            "periodic_check_service_status" | "periodic_cleanup_stopped_service_status"
        )
    }

    pub fn interval(&self, task: &str) -> Duration {
        self.options(task)
            .map_or(Duration::from_secs(3600), |o| o.interval)
    }

    fn options(&self, task: &str) -> Option<&ProducerTask> {
        let o = &self.options;
        Some(match task {
            "zone_purge" => &o.zone_purge,
            "periodic_exists" => &o.periodic_exists,
            "periodic_secondary_refresh" => &o.periodic_secondary_refresh,
            "delayed_notify" => &o.delayed_notify,
            "increment_serial" => &o.increment_serial,
            "worker_periodic_recovery" => &o.worker_periodic_recovery,
            "periodic_check_service_status" => &o.periodic_check_service_status,
            "periodic_cleanup_stopped_service_status" => &o.periodic_cleanup_stopped_service_status,
            _ => return None,
        })
    }

    /// One run of `task` over `shards` (`None` for non-sharded tasks).
    pub async fn run(&self, task: &str, shards: Option<(u16, u16)>) -> Result<(), Error> {
        let ctx = Context::admin();
        let (first, last) = shards.unwrap_or((0, 4095));
        match task {
            "worker_periodic_recovery" => self.worker.recover_shard(&ctx, first, last).await,
            "zone_purge" => self.zone_purge(&ctx, first, last).await,
            "periodic_exists" => self.periodic_exists(&ctx, first, last).await,
            "increment_serial" => self.increment_serial(&ctx, first, last).await,
            "periodic_check_service_status" => self.check_service_status(&ctx).await,
            "periodic_cleanup_stopped_service_status" => self.cleanup_service_status(&ctx).await,
            other => Err(Error::internal(format!("task {other} is not implemented"))),
        }
    }

    /// Hard-deletes up to `batch_size` zones of the shards that were deleted
    /// more than `time_threshold` ago (spec/domain-rules.md §2.7).
    async fn zone_purge(&self, ctx: &Context, first: u16, last: u16) -> Result<(), Error> {
        let options = self.options("zone_purge");
        let batch = options.and_then(|o| o.batch_size).unwrap_or(100);
        let mut criterion = Map::new();
        criterion.insert("shard".into(), format!("BETWEEN {first},{last}").into());
        criterion.insert("deleted".into(), "!0".into());
        let cutoff = cutoff(self.threshold("zone_purge"));
        criterion.insert("deleted_at".into(), format!("<={cutoff}").into());
        let purged = self
            .central
            .purge_zones(ctx, &criterion, Some(batch))
            .await?;
        if purged > 0 {
            tracing::info!(purged, shards = %format!("{first}-{last}"), "purged deleted zones");
        }
        Ok(())
    }

    /// Emits `dns.domain.exists` and `dns.zone.exists` for every zone of the
    /// shards, paging by `per_page`, with the audit period of one interval.
    /// Nothing to do when notifications are off.
    async fn periodic_exists(&self, ctx: &Context, first: u16, last: u16) -> Result<(), Error> {
        let Some(notifier) = &self.notifier else {
            return Ok(());
        };
        let options = self.options("periodic_exists");
        let per_page = options.map_or(100, |o| o.per_page);
        let end = chrono::Utc::now().naive_utc();
        let interval =
            chrono::Duration::from_std(self.interval("periodic_exists")).unwrap_or_default();
        let begin = end.checked_sub_signed(interval).unwrap_or(end);
        let stamp = |t: chrono::NaiveDateTime| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string();
        let mut criterion = Map::new();
        criterion.insert("shard".into(), format!("BETWEEN {first},{last}").into());
        let mut paging = Paging {
            criterion,
            marker: None,
            limit: Some(per_page),
            sort_key: Some("id".into()),
            sort_dir: Some("asc".into()),
        };
        let ctx_map = ctx.to_map();
        loop {
            let (zones, _) = self.central.find_zones(ctx, &paging).await?;
            for zone in &zones {
                let mut payload = notification_payload(zone);
                if let Value::Object(map) = &mut payload {
                    map.insert("audit_period_beginning".into(), stamp(begin).into());
                    map.insert("audit_period_ending".into(), stamp(end).into());
                }
                for event in ["dns.domain.exists", "dns.zone.exists"] {
                    for topic in &notifier.topics {
                        notifier
                            .bus
                            .notify(
                                topic,
                                "INFO",
                                event,
                                &notifier.publisher_id,
                                &ctx_map,
                                payload.clone(),
                            )
                            .await
                            .map_err(|e| Error::internal(format!("notification: {e}")))?;
                    }
                }
            }
            match zones.last().and_then(|z| z.id) {
                Some(id) if zones.len() == per_page as usize => {
                    paging.marker = Some(id.to_string())
                }
                _ => return Ok(()),
            }
        }
    }

    /// Zones flagged `increment_serial` (oldest change first, `batch_size`
    /// of them): central bumps the serial; unless the zone also waits for a
    /// delayed NOTIFY, the workers push it (spec/services.md §6.2).
    async fn increment_serial(&self, ctx: &Context, first: u16, last: u16) -> Result<(), Error> {
        let batch = self
            .options("increment_serial")
            .and_then(|o| o.batch_size)
            .unwrap_or(100);
        let mut criterion = Map::new();
        criterion.insert("shard".into(), format!("BETWEEN {first},{last}").into());
        criterion.insert("increment_serial".into(), true.into());
        let paging = Paging {
            criterion,
            marker: None,
            limit: Some(batch),
            sort_key: Some("updated_at".into()),
            sort_dir: Some("asc".into()),
        };
        let (zones, _) = self.central.find_zones(ctx, &paging).await?;
        for mut zone in zones {
            if zone.action == Action::Delete {
                continue;
            }
            zone.serial = self.central.increment_zone_serial(ctx, &zone).await?;
            if !zone.delayed_notify {
                if zone.action == Action::None {
                    zone.action = Action::Update;
                    zone.status = Status::Pending;
                }
                self.worker.update_zone(ctx, &zone).await?;
            }
        }
        Ok(())
    }

    /// `UP` statuses without a heartbeat for `time_threshold` become `DOWN`.
    async fn check_service_status(&self, ctx: &Context) -> Result<(), Error> {
        let threshold = self.threshold("periodic_check_service_status");
        let stale = self.statuses(ctx, "UP", Some(threshold)).await?;
        for mut status in stale {
            tracing::info!(service = %status.service_name, host = %status.hostname,
                "no heartbeat for {}s: service marked DOWN", threshold.as_secs());
            status.status = "DOWN".into();
            self.central.update_service_status(ctx, &status).await?;
        }
        Ok(())
    }

    /// Deletes every `STOPPED` status, and `DOWN` ones older than
    /// `time_threshold` unless it is 0.
    async fn cleanup_service_status(&self, ctx: &Context) -> Result<(), Error> {
        let mut gone = self.statuses(ctx, "STOPPED", None).await?;
        let threshold = self.threshold("periodic_cleanup_stopped_service_status");
        if !threshold.is_zero() {
            gone.extend(self.statuses(ctx, "DOWN", Some(threshold)).await?);
        }
        for status in gone {
            if let Some(id) = status.id {
                self.central.delete_service_status(ctx, id).await?;
            }
        }
        Ok(())
    }

    /// Statuses in `status`, with a last heartbeat older than `older_than` if given.
    async fn statuses(
        &self,
        ctx: &Context,
        status: &str,
        older_than: Option<Duration>,
    ) -> Result<Vec<ServiceStatus>, Error> {
        let mut criterion = Map::new();
        criterion.insert("status".into(), status.into());
        if let Some(age) = older_than {
            let cutoff = format!("<{}", cutoff(age));
            criterion.insert("heartbeated_at".into(), Value::String(cutoff));
        }
        self.central.find_service_statuses(ctx, &criterion).await
    }

    fn threshold(&self, task: &str) -> Duration {
        self.options(task)
            .and_then(|o| o.time_threshold)
            .unwrap_or_default()
    }
}

/// `now − age` as the database writes datetimes (UTC).
fn cutoff(age: Duration) -> String {
    let now = chrono::Utc::now().naive_utc();
    let cutoff = chrono::Duration::from_std(age)
        .ok()
        .and_then(|age| now.checked_sub_signed(age))
        .unwrap_or(chrono::NaiveDateTime::MIN);
    cutoff.format("%Y-%m-%d %H:%M:%S").to_string()
}

/// The default notification plugin's payload (spec/services.md §15): the
/// object as a flat JSON object of the fields that are set, nested lists as
/// arrays of flat objects — the primitive without its envelopes.
pub fn notification_payload(zone: &Zone) -> Value {
    without_envelopes(to_primitive(zone, &[]))
}

fn without_envelopes(value: Value) -> Value {
    match value {
        Value::Object(mut map) => match map.remove("designate_object.data") {
            Some(Value::Object(mut data)) if data.contains_key("objects") => {
                without_envelopes(data.remove("objects").unwrap_or(Value::Null))
            }
            Some(data) => without_envelopes(data),
            None => Value::Object(
                map.into_iter()
                    .map(|(k, v)| (k, without_envelopes(v)))
                    .collect(),
            ),
        },
        Value::Array(items) => Value::Array(items.into_iter().map(without_envelopes).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn payloads_drop_the_envelopes() {
        let primitive = json!({
            "designate_object.name": "Zone",
            "designate_object.data": {
                "name": "a.test.",
                "attributes": {
                    "designate_object.name": "ZoneAttributeList",
                    "designate_object.data": {"objects": [
                        {"designate_object.name": "ZoneAttribute",
                         "designate_object.data": {"key": "k", "value": "v"}}
                    ]}
                }
            }
        });
        assert_eq!(
            without_envelopes(primitive),
            json!({"name": "a.test.", "attributes": [{"key": "k", "value": "v"}]})
        );
        let zone = Zone {
            name: "b.test.".into(),
            ..Zone::default()
        };
        let payload = notification_payload(&zone);
        assert_eq!(payload["name"], "b.test.");
        assert!(payload.get("designate_object.data").is_none());
    }
}
