//! Behaviour of the whole loader: defaults, precedence, error messages.

use std::path::PathBuf;
use std::time::Duration;

use crate::*;

fn file(path: &str, text: &str) -> (PathBuf, String) {
    (PathBuf::from(path), text.to_owned())
}

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn load(files: &[(PathBuf, String)], vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_raw(RawConfig::from_sources(files, env(vars))?)
}

#[test]
fn defaults_follow_config_md_and_delegate_worker_defaults() {
    let c = Config::from_str_for_tests("").unwrap();
    assert_eq!(c.default.host, crate::sections::machine_hostname());
    assert_eq!(c.default.transport_url, None);
    assert_eq!(c.default.control_exchange, "designate");
    assert_eq!(c.default.rpc_response_timeout, Duration::from_secs(60));
    assert_eq!(
        (c.default.default_ttl, c.default.default_soa_refresh_min),
        (3600, 3500)
    );
    assert_eq!(
        (
            c.default.default_soa_refresh_max,
            c.default.default_soa_retry
        ),
        (3600, 600)
    );
    assert_eq!(
        (c.default.default_soa_expire, c.default.default_soa_minimum),
        (86400, 3600)
    );
    assert_eq!(c.default.supported_record_type.len(), 17);
    assert_eq!(
        (c.default.quota_zones, c.default.quota_zone_recordsets),
        (10, 500)
    );
    assert_eq!(
        (
            c.default.quota_zone_records,
            c.default.quota_recordset_records
        ),
        (500, 20)
    );
    assert_eq!(c.default.quota_api_export_size, 1000);
    assert_eq!(c.storage.url, None);
    assert_eq!((c.storage.max_pool_size, c.storage.max_overflow), (5, 50));
    assert_eq!(
        c.api.listen,
        vec![HostPort {
            host: "0.0.0.0".into(),
            port: 9001
        }]
    );
    assert_eq!(c.api.auth_strategy, AuthStrategy::Keystone);
    assert_eq!((c.api.default_limit_v2, c.api.max_limit_v2), (20, 1000));
    assert!(c.api.enable_host_header && c.api.enable_api_v2 && !c.api.enable_api_admin);
    assert_eq!(
        c.central.default_pool_id.to_string(),
        "794ccc2c-d751-44fe-b57f-8894c9f5c842"
    );
    assert_eq!(c.central.scheduler_filters, vec!["default_pool"]);
    assert_eq!(c.worker.threshold_percentage, 100);
    assert_eq!(c.worker.poll_delay, Duration::from_millis(100));
    assert_eq!(c.worker.poll_retry_interval, Duration::from_millis(200));
    assert_eq!(c.worker.poll_retry_max_interval, Duration::from_secs(2));
    assert_eq!(c.worker.poll_max_retries, 30);
    assert_eq!(
        c.mdns.listen,
        vec![HostPort {
            host: "0.0.0.0".into(),
            port: 5354
        }]
    );
    assert_eq!(c.mdns.max_message_size, 65535);
    assert_eq!(c.mdns.tcp_recv_timeout, Duration::from_millis(500));
    assert!(c.producer.is_enabled("zone_purge"));
    assert_eq!(
        c.producer.tasks.increment_serial.interval,
        Duration::from_secs(5)
    );
    assert_eq!(
        c.producer.tasks.zone_purge.time_threshold,
        Some(Duration::from_secs(604_800))
    );
    assert_eq!(c.producer.tasks.periodic_exists.batch_size, None);
    assert_eq!(
        c.heartbeat_emitter.heartbeat_interval,
        Duration::from_secs(10)
    );
    assert_eq!(c.heartbeat_emitter.emitter_type, EmitterType::Rpc);
    assert_eq!(c.coordination.heartbeat_interval, Duration::from_secs(5));
    assert!(!c.notifications.enabled());
}

#[test]
fn a_designate_conf_is_read() {
    let c = Config::from_str_for_tests(
        "[DEFAULT]\nhost = ns-a\ntransport_url = rabbit://guest:guest@127.0.0.1:5672/\n\
         [storage:sqlalchemy]\nconnection = mysql+pymysql://root:@127.0.0.1/designate?charset=utf8\n\
         [SERVICE:API]\nlisten = 127.0.0.1:9001, [::1]:9001\nauth_strategy = noauth\n\
         [service:worker]\nthreshold-percentage = 50\npoll_delay = 5\n\
         [service:producer]\nenabled_tasks = zone_purge, increment_serial\n\
         [producer_task:increment_serial]\ninterval = 1\n\
         [oslo_messaging_notifications]\ndriver = messagingv2\n\
         [keystone_authtoken]\nauth_url = http://keystone/\n",
    )
    .unwrap();
    assert_eq!(c.default.host, "ns-a");
    assert_eq!(
        c.default.require_transport_url().unwrap(),
        "rabbit://guest:guest@127.0.0.1:5672/"
    );
    assert_eq!(
        c.storage.require_url().unwrap(),
        "mysql://root@127.0.0.1/designate"
    );
    assert_eq!(
        c.api.listen[1],
        HostPort {
            host: "::1".into(),
            port: 9001
        }
    );
    assert_eq!(c.api.auth_strategy, AuthStrategy::Noauth);
    assert_eq!(c.worker.threshold_percentage, 50);
    assert_eq!(c.worker.poll_delay, Duration::from_secs(5));
    assert!(c.producer.is_enabled("increment_serial") && !c.producer.is_enabled("periodic_exists"));
    assert!(c.producer.raft.peers.is_empty() && c.producer.raft.listen.is_none());
    assert_eq!(
        c.producer.tasks.increment_serial.interval,
        Duration::from_secs(1)
    );
    assert!(c.notifications.enabled());
    let auth = c
        .raw
        .section("keystone_authtoken")
        .string("auth_url", "")
        .unwrap();
    assert_eq!(auth, "http://keystone/");
}

#[test]
fn later_files_override_earlier_ones_and_env_overrides_all() {
    let files = [
        file(
            "/etc/a.conf",
            "[DEFAULT]\ndefault_ttl = 100\nquota_zones = 1\nhost = a\n",
        ),
        file("/etc/b.conf", "[DEFAULT]\ndefault_ttl = 200\n"),
    ];
    let c = load(&files, &[("DELEGATE_DEFAULT__HOST", "from-env")]).unwrap();
    assert_eq!(c.default.default_ttl, 200);
    assert_eq!(c.default.quota_zones, 1);
    assert_eq!(c.default.host, "from-env");
}

#[test]
fn env_names_cover_colons_and_dashes() {
    let vars = [
        ("DELEGATE_SERVICE_API__LISTEN", "127.0.0.1:19001"),
        ("DELEGATE_STORAGE_SQLALCHEMY__CONNECTION", "mysql://u@h/d"),
        ("DELEGATE_SERVICE_WORKER__THRESHOLD_PERCENTAGE", "75"),
        ("DELEGATE_DEFAULT__TRANSPORT_URL", "rabbit://h//"),
        ("UNRELATED", "x"),
    ];
    let c = load(
        &[file("/f", "[service:worker]\nthreshold-percentage = 10\n")],
        &vars,
    )
    .unwrap();
    assert_eq!(
        c.api.listen,
        vec![HostPort {
            host: "127.0.0.1".into(),
            port: 19001
        }]
    );
    assert_eq!(c.storage.require_url().unwrap(), "mysql://u@h/d");
    assert_eq!(c.worker.threshold_percentage, 75);
    assert_eq!(c.default.require_transport_url().unwrap(), "rabbit://h//");
    assert_eq!(
        env_var_name("producer_task:zone_purge", "time_threshold"),
        "DELEGATE_PRODUCER_TASK_ZONE_PURGE__TIME_THRESHOLD"
    );
}

#[test]
fn bad_file_value_names_file_line_section_and_option() {
    let files = [file(
        "/etc/delegate/delegate.conf",
        "[service:worker]\n\npoll_retry_interval = abc\n",
    )];
    let err = load(&files, &[]).unwrap_err();
    assert_eq!(
        err.to_string(),
        "/etc/delegate/delegate.conf:3: [service:worker] poll_retry_interval = \"abc\": expected a number of seconds"
    );
}

#[test]
fn bad_env_value_names_the_variable() {
    let err = load(
        &[],
        &[("DELEGATE_SERVICE_WORKER__POLL_RETRY_INTERVAL", "abc")],
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "environment DELEGATE_SERVICE_WORKER__POLL_RETRY_INTERVAL: [service:worker] poll_retry_interval = \"abc\": expected a number of seconds"
    );
}

#[test]
fn bad_values_of_each_kind() {
    let cases = [
        (
            "[service:api]\nauth_strategy = ldap\n",
            "expected one of: keystone, noauth",
        ),
        (
            "[service:api]\nenable_api_admin = maybe\n",
            "expected true or false",
        ),
        (
            "[DEFAULT]\nquota_zones = -1\n",
            "expected a non-negative integer",
        ),
        (
            "[service:worker]\nthreshold_percentage = 101\n",
            "expected an integer from 0 to 100",
        ),
        (
            "[service:mdns]\nlisten = 0.0.0.0:dns\n",
            "expected host:port pairs separated by commas",
        ),
        (
            "[service:mdns]\nmax_message_size = 100\n",
            "expected an integer of at least 512",
        ),
        (
            "[service:central]\ndefault_pool_id = pool-1\n",
            "expected a UUID",
        ),
        (
            "[service:producer]\nenabled_tasks = zone_purge, nap\n",
            "expected a list of: zone_purge,",
        ),
        (
            "[storage:sqlalchemy]\nconnection = sqlite:///x.db\n",
            "not sqlite)",
        ),
    ];
    for (text, expected) in cases {
        let err = Config::from_str_for_tests(text).unwrap_err().to_string();
        assert!(err.starts_with("<test>:2: ["), "{err}");
        assert!(err.contains(expected), "{err} does not contain {expected}");
    }
}

#[test]
fn bad_connection_url_error_hides_the_password() {
    let err = Config::from_str_for_tests(
        "[storage:sqlalchemy]\nconnection = postgresql://u:hunter2@h/d\n",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("\"postgresql://u:***@h/d\""), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
}

#[test]
fn syntax_and_read_errors_name_the_file() {
    let err = load(&[file("/etc/x.conf", "[DEFAULT]\nnonsense\n")], &[]).unwrap_err();
    assert_eq!(err.to_string(), "/etc/x.conf:2: expected 'option = value'");
    let err = Config::load(&[PathBuf::from("/nonexistent/delegate.conf")]).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("cannot read config file /nonexistent/delegate.conf: ")
    );
}

#[test]
fn lists_and_multi_valued_options() {
    let c = Config::from_str_for_tests(
        "[DEFAULT]\nsupported_record_type = A, AAAA ,MX,\n\
         [service:sink]\nenabled_notification_handlers = nova_fixed\n\
         [handler:nova_fixed]\nzone_id = z\nformatv4 = a-%(octet0)s.%(zone)s\nformatv4 = %(hostname)s.%(zone)s\n\
         [oslo_messaging_notifications]\ndriver = messagingv2\ndriver = log\n",
    )
    .unwrap();
    assert_eq!(c.default.supported_record_type, vec!["A", "AAAA", "MX"]);
    let nova = &c.sink.handlers["nova_fixed"];
    assert_eq!(
        nova.formatv4,
        vec!["a-%(octet0)s.%(zone)s", "%(hostname)s.%(zone)s"]
    );
    assert_eq!(nova.formatv6, vec!["%(hostname)s.%(zone)s"]);
    assert_eq!(nova.control_exchange, "nova");
    assert_eq!(c.notifications.driver, vec!["messagingv2", "log"]);
}

#[test]
fn legacy_names_are_accepted_and_current_names_win() {
    let c = Config::from_str_for_tests(
        "[DEFAULT]\ndefault_soa_refresh = 3000\n[service:central]\nmax_record_name_len = 100\nmax_recordset_name_len = 120\n",
    )
    .unwrap();
    assert_eq!(c.default.default_soa_refresh_min, 3000);
    assert_eq!(c.central.max_recordset_name_len, 120);
}

#[test]
fn inconsistent_soa_refresh_bounds_are_refused() {
    let err =
        Config::from_str_for_tests("[DEFAULT]\ndefault_soa_refresh_min = 4000\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "[DEFAULT] default_soa_refresh_min (4000) is greater than default_soa_refresh_max (3600)"
    );
}

#[test]
fn missing_required_options_say_how_to_set_them() {
    let c = Config::from_str_for_tests("").unwrap();
    assert_eq!(
        c.storage.require_url().unwrap_err().to_string(),
        "[storage:sqlalchemy] connection is not set (set it in the config file or in DELEGATE_STORAGE_SQLALCHEMY__CONNECTION)"
    );
}

#[test]
fn unknown_settings_are_ignored_but_listed() {
    let files = [file(
        "/etc/d.conf",
        "[DEFAULT]\ndebug = true\nhost = h\n[service:api]\nworkers = 4\n[backend:dynect]\nusername = x\n",
    )];
    let c = load(
        &files,
        &[("DELEGATE_NOPE__X", "1"), ("DELEGATE_DEFAULT__HOST", "e")],
    )
    .unwrap();
    assert_eq!(
        c.unused_settings(),
        vec![
            "/etc/d.conf:2: [DEFAULT] debug",
            "/etc/d.conf:7: [backend:dynect] username",
            "environment DELEGATE_NOPE__X"
        ]
    );
}

#[test]
fn worker_backoff_doubles_up_to_the_cap() {
    let w = Config::from_str_for_tests("").unwrap().worker;
    let delays: Vec<u128> = (0..6).map(|n| w.poll_retry_delay(n).as_millis()).collect();
    assert_eq!(delays, vec![200, 400, 800, 1600, 2000, 2000]);
    assert_eq!(w.poll_retry_delay(u32::MAX), Duration::from_secs(2));
    assert_eq!(w.max_prop_time(), Duration::from_millis(955_100));
}

#[test]
fn designate_worker_settings_keep_designate_timing() {
    let w = Config::from_str_for_tests(
        "[service:worker]\npoll_retry_interval = 15\npoll_max_retries = 10\npoll_delay = 5\n",
    )
    .unwrap()
    .worker;
    assert_eq!(w.poll_retry_delay(3), Duration::from_secs(15));
    assert_eq!(w.max_prop_time(), Duration::from_secs(455));
}

#[test]
fn debug_output_hides_passwords() {
    let c = Config::from_str_for_tests(
        "[DEFAULT]\ntransport_url = rabbit://u:s3cret@h:5672/\n[storage:sqlalchemy]\nconnection = mysql://u:s3cret@h/d\n",
    )
    .unwrap();
    let debug = format!("{c:?}");
    assert!(!debug.contains("s3cret"), "{debug}");
    assert!(debug.contains("rabbit://u:***@h:5672/"), "{debug}");
}

#[test]
fn producer_raft_options_are_read() {
    let c = Config::from_str_for_tests(
        "[service:producer]\nraft_listen = 127.0.0.1:9401\n\
         raft_peers = 127.0.0.1:9401, 127.0.0.1:9402,127.0.0.1\n\
         raft_data_dir = /tmp/p1\nraft_lease_duration = 0.5\n",
    )
    .unwrap();
    let raft = &c.producer.raft;
    assert_eq!(raft.listen.as_ref().map(|l| l.port), Some(9401));
    let ports: Vec<u16> = raft.peers.iter().map(|p| p.port).collect();
    assert_eq!(ports, [9401, 9402, 9400]);
    assert_eq!(raft.data_dir, std::path::Path::new("/tmp/p1"));
    assert_eq!(raft.lease_duration, Duration::from_millis(500));
    let bad = Config::from_str_for_tests("[service:producer]\nraft_listen = a b:1\n");
    assert!(bad.unwrap_err().to_string().contains("raft_listen"));
}
