use super::*;

const GOOD: &str = r#"
---
- name: default
  id: 794ccc2c-d751-44fe-b57f-8894c9f5c842
  description: Default BIND9 pool
  attributes:
    service_tier: gold
  ns_records:
    - hostname: ns1.example.org.
      priority: 1
    - hostname: ns2.example.org.
      priority: 2
  nameservers:
    - host: 192.0.2.2
      port: 53
    - host: 192.0.2.3
      port: "5353"
      tsigkey_id: 5b0a8f2c-7f1d-4c8e-9a52-3f0e7d8c1a11
  targets:
    - type: bind9
      description: BIND9 server 1
      masters:
        - host: 192.0.2.1
          port: 5354
      options:
        host: 192.0.2.2
        port: 53
        rndc_host: 192.0.2.2
        rndc_port: 953
        rndc_key_file: /etc/designate/rndc.key
        clean_zonefile: false
  also_notifies:
    - host: 192.0.2.4
      port: 53
- name: second
  targets:
    - type: fake
"#;

fn problems(text: &str) -> Vec<String> {
    match parse(text, true) {
        Err(ParseError::Invalid(p)) => p,
        other => panic!("expected problems, got {other:?}"),
    }
}

#[test]
fn good_file_parses_in_file_order() {
    let pools = parse(GOOD, true).expect("valid file");
    assert_eq!(pools.len(), 2);
    let p = &pools[0].pool;
    assert_eq!(
        p.id.map(|i| i.to_string()).as_deref(),
        Some("794ccc2c-d751-44fe-b57f-8894c9f5c842")
    );
    assert_eq!(p.name, "default");
    let ns: Vec<_> = p
        .ns_records
        .iter()
        .map(|n| (n.hostname.as_str(), n.priority))
        .collect();
    assert_eq!(ns, [("ns1.example.org.", 1), ("ns2.example.org.", 2)]);
    assert_eq!(p.nameservers[1].port, 5353, "a numeric string is a port");
    assert!(p.nameservers[1].tsigkey_id.is_some());
    let t = &p.targets[0];
    assert_eq!(t.backend, "bind9");
    assert_eq!(
        t.masters,
        [HostPort {
            host: "192.0.2.1".into(),
            port: 5354
        }]
    );
    assert_eq!(t.option("rndc_port"), Some("953"));
    assert_eq!(t.option("clean_zonefile"), Some("false"));
    let keys: Vec<_> = t.options.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "host",
            "port",
            "rndc_host",
            "rndc_port",
            "rndc_key_file",
            "clean_zonefile"
        ]
    );
    assert_eq!(
        p.attributes,
        [KeyValue {
            key: "service_tier".into(),
            value: "gold".into()
        }]
    );
    assert_eq!(p.also_notifies[0].port, 53);
    assert_eq!(pools[1].pool.id, None);
    assert!(!pools[0].has_catalog_zone);
}

#[test]
fn yaml_syntax_error_names_the_file_and_line() {
    let err = parse("- name: x\n  targets: [\n", true).map_err(|e| e.at("/etc/p.yaml"));
    let text = err.expect_err("broken YAML").to_string();
    assert!(
        text.starts_with("/etc/p.yaml is not valid pools.yaml:"),
        "{text}"
    );
    assert!(text.contains("line"), "{text}");
}

#[test]
fn a_mapping_instead_of_a_list_is_refused() {
    assert!(matches!(
        parse("name: default\n", true),
        Err(ParseError::Syntax(_))
    ));
}

#[test]
fn unknown_keys_are_refused() {
    let err = parse("- name: x\n  target: []\n", true).expect_err("typo");
    assert!(
        matches!(err, ParseError::Syntax(e) if e.to_string().contains("unknown field `target`"))
    );
}

#[test]
fn each_bad_field_is_reported_with_its_place() {
    let text = r#"
- name: p1
  id: not-a-uuid
  ns_records:
    - hostname: ns1.example.org
      priority: 0
  nameservers:
    - host: 192.0.2.2
      port: 70000
  targets:
    - type: pdns9
      masters:
        - host: ""
          port: 5354
"#;
    let p = problems(text);
    let expect = [
        "pool 1 (\"p1\"): id: \"not-a-uuid\" is not a valid UUID",
        "pool 1 (\"p1\"): ns_records[0].hostname: \"ns1.example.org\" is not a fully qualified domain name (it must end with a dot)",
        "pool 1 (\"p1\"): ns_records[0].priority: 0 is not between 1 and 10000",
        "pool 1 (\"p1\"): nameservers[0].port: 70000 is not a port number (1-65535)",
        "pool 1 (\"p1\"): targets[0].type: unknown backend driver \"pdns9\" (supported: bind9, fake; --skip-verify-drivers accepts any)",
        "pool 1 (\"p1\"): targets[0].masters[0].host: is empty",
    ];
    for e in expect {
        assert!(p.iter().any(|x| x == e), "missing {e:?} in {p:#?}");
    }
    assert_eq!(p.len(), expect.len(), "{p:#?}");
}

#[test]
fn name_and_targets_are_required_and_names_unique() {
    let p = problems(
        "- description: x\n- name: a\n  targets: [{type: fake}]\n- name: A\n  targets: [{type: fake}]\n",
    );
    assert!(p.contains(&"pool 1: name: is required".to_owned()), "{p:?}");
    assert!(
        p.contains(&"pool 1: targets: at least one target is required".to_owned()),
        "{p:?}"
    );
    assert!(
        p.contains(&"pool name \"A\" appears more than once".to_owned()),
        "{p:?}"
    );
}

#[test]
fn skip_verify_drivers_accepts_other_backends() {
    let text = "- name: a\n  targets: [{type: pdns4}]\n";
    assert!(parse(text, true).is_err());
    assert_eq!(
        parse(text, false).expect("accepted")[0].pool.targets[0].backend,
        "pdns4"
    );
}

#[test]
fn nested_option_values_are_refused() {
    let p =
        problems("- name: a\n  targets:\n    - type: fake\n      options:\n        host: [a, b]\n");
    assert_eq!(
        p,
        [
            "pool 1 (\"a\"): targets[0].options.host: must be a single value (string, number or boolean)"
        ]
    );
}

#[test]
fn rendering_round_trips_through_the_parser() {
    let mut pools: Vec<Pool> = parse(GOOD, true)
        .expect("valid")
        .into_iter()
        .map(|c| c.pool)
        .collect();
    let text = render_pools(&pools).expect("render");
    let back: Vec<Pool> = parse(&text, true)
        .expect("rendered file parses")
        .into_iter()
        .map(|c| c.pool)
        .collect();
    // Rendering sorts option keys; nothing else moves.
    pools[0].targets[0]
        .options
        .sort_by(|a, b| a.key.cmp(&b.key));
    assert_eq!(back, pools);
}

#[test]
fn rendering_sorts_keys_and_omits_nulls() {
    let pools = parse(GOOD, true).expect("valid");
    let text = render_pool(&pools[1].pool).expect("render");
    assert_eq!(
        text,
        "also_notifies: []\nattributes: {}\nname: second\nnameservers: []\nns_records: []\ntargets:\n- masters: []\n  options: {}\n  type: fake\n"
    );
    let first = render_pool(&pools[0].pool).expect("render");
    assert!(
        first.contains("id: 794ccc2c-d751-44fe-b57f-8894c9f5c842\n"),
        "{first}"
    );
    assert!(
        first.contains("  - host: 192.0.2.1\n    port: 5354\n"),
        "{first}"
    );
}
