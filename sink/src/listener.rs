//! The sink's notification handler: offers each notification to the enabled
//! handlers that claim its event type and carries out their plans through
//! central (spec/services.md §7).
//!
//! Every plan is checked whole before the first write (zone fetched, every
//! name formatted, every address parsed), so an unusable notification writes
//! nothing. Errors are domain errors; the bus retries them by class
//! (`delegate_rpc::remote::retry_for`): central away or slow → retried with
//! back-off (the notification stays unacknowledged meanwhile), a refusal →
//! logged and dropped. A refusal after some records were written (another
//! recordset in the way) removes the resource's records again.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use delegate_bus::{Notification, NotificationHandler, NotificationTarget, RemoteError, Retry};
use delegate_config::Sink as SinkConfig;
use delegate_model::{Context, Error, ErrorKind};
use delegate_rpc::remote::{retry_for, to_remote};
use delegate_rpc::{CentralClient, ManagedRecordSetValues, ManagedRecordValues};
use uuid::Uuid;

use crate::handlers::{ConfigError, Create, Handler, PLUGIN_TYPE, Plan, Target};

/// How long a zone name is reused: zones are never renamed, and a deleted
/// zone is refused by central anyway.
const ZONE_NAME_TTL: Duration = Duration::from_secs(30);

/// The enabled handlers and the way to central.
pub struct Sink {
    handlers: Vec<Handler>,
    central: CentralClient,
    zone_names: Mutex<HashMap<Uuid, (String, Instant)>>,
}

impl Sink {
    /// The handlers of `[service:sink] enabled_notification_handlers`.
    pub fn handlers(cfg: &SinkConfig) -> Result<Vec<Handler>, ConfigError> {
        cfg.enabled_notification_handlers
            .iter()
            .filter_map(|name| cfg.handlers.get(name).map(|h| Handler::new(name, h)))
            .collect()
    }

    pub fn new(handlers: Vec<Handler>, central: CentralClient) -> Sink {
        Sink {
            handlers,
            central,
            zone_names: Mutex::new(HashMap::new()),
        }
    }

    /// Every `(exchange, topic)` some handler listens to.
    pub fn targets(&self) -> Vec<NotificationTarget> {
        let mut targets: Vec<NotificationTarget> = Vec::new();
        for h in &self.handlers {
            for topic in &h.topics {
                let t = NotificationTarget {
                    exchange: h.exchange.clone(),
                    topic: topic.clone(),
                };
                if !targets.contains(&t) {
                    targets.push(t);
                }
            }
        }
        targets
    }

    async fn process(&self, note: &Notification) -> Result<(), Error> {
        for handler in self.handlers.iter().filter(|h| h.claims(&note.event_type)) {
            let plan = handler
                .plan(&note.event_type, &note.payload, &note.context)
                .map_err(|e| Error::bad_request(e.0))?;
            match plan {
                Plan::LogOnly => tracing::info!(
                    handler = handler.name,
                    event_type = note.event_type,
                    message_id = note.message_id,
                    "received notification"
                ),
                Plan::NoZone => tracing::error!(
                    handler = handler.name,
                    event_type = note.event_type,
                    "[handler:{}] zone_id is not set; event ignored",
                    handler.name
                ),
                Plan::Delete(target) => {
                    self.delete(&target).await?;
                    handled(note, &target, "deleted");
                }
                Plan::Create(create) => {
                    self.create(&create).await?;
                    handled(note, &create.target, "created");
                }
            }
        }
        Ok(())
    }

    async fn create(&self, create: &Create) -> Result<(), Error> {
        let target = &create.target;
        let zone_name = self.zone_name(target.zone_id).await?;
        let wanted = create
            .recordsets(&zone_name)
            .map_err(|e| Error::bad_request(e.0))?;
        for (done, w) in wanted.iter().enumerate() {
            let record = ManagedRecordValues {
                data: w.data.clone(),
                managed: true,
                managed_plugin_name: Some(target.plugin_name.into()),
                managed_plugin_type: Some(PLUGIN_TYPE.into()),
                managed_resource_type: Some(target.resource_type.into()),
                managed_resource_id: Some(target.resource_id.clone()),
            };
            let set = ManagedRecordSetValues {
                zone_id: Some(target.zone_id),
                name: w.name.clone(),
                rr_type: w.rr_type.into(),
                ttl: None,
            };
            let written = self
                .central
                .create_managed_records(&sink_context(), target.zone_id, &[record], &set)
                .await;
            if let Err(err) = written {
                if done > 0 && retry_for(&to_remote(&err)) == Retry::Never {
                    tracing::warn!(name = w.name, %err, resource = target.resource_id, "record refused; removing the resource's records written so far");
                    self.delete(target).await?;
                }
                return Err(err);
            }
        }
        Ok(())
    }

    async fn delete(&self, target: &Target) -> Result<(), Error> {
        self.central
            .delete_managed_records(&sink_context(), target.zone_id, &target.criterion())
            .await
    }

    async fn zone_name(&self, zone_id: Uuid) -> Result<String, Error> {
        if let Ok(cache) = self.zone_names.lock()
            && let Some((name, at)) = cache.get(&zone_id)
            && at.elapsed() < ZONE_NAME_TTL
        {
            return Ok(name.clone());
        }
        let zone = self.central.get_zone(&Context::admin(), zone_id).await?;
        if let Ok(mut cache) = self.zone_names.lock() {
            cache.insert(zone_id, (zone.name.clone(), Instant::now()));
        }
        Ok(zone.name)
    }
}

fn handled(note: &Notification, target: &Target, what: &str) {
    tracing::info!(
        handler = target.plugin_name,
        event_type = note.event_type,
        message_id = note.message_id,
        resource = target.resource_id,
        records = what,
        "notification handled"
    );
}

/// Designate's `DesignateContext().elevated()` with all projects and
/// edit-managed-records.
fn sink_context() -> Context {
    Context {
        edit_managed_records: true,
        ..Context::admin()
    }
}

impl NotificationHandler for Sink {
    async fn handle(&self, note: Notification) -> Result<(), RemoteError> {
        if !self.handlers.iter().any(|h| h.claims(&note.event_type)) {
            tracing::debug!(event_type = note.event_type, "no handler claims this event");
            return Ok(());
        }
        self.process(&note).await.map_err(|err| {
            if err.kind == ErrorKind::Unknown {
                tracing::error!(event_type = note.event_type, message_id = note.message_id, %err, "notification failed");
            }
            to_remote(&err)
        })
    }

    fn retry(&self, err: &RemoteError) -> Retry {
        retry_for(err)
    }
}
