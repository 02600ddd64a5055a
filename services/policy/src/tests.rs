#![allow(clippy::unwrap_used, clippy::expect_used)]

use serde_json::json;

use super::*;

fn ctx(project: &str, roles: &[&str]) -> Context {
    Context {
        project_id: Some(project.into()),
        roles: roles.iter().map(|r| (*r).to_owned()).collect(),
        ..Context::default()
    }
}

fn target(v: Value) -> Target {
    v.as_object().cloned().unwrap()
}

/// Evaluates a check string alone, with the defaults as `rule:` targets.
fn allows(check: &str, ctx: &Context, t: Value) -> bool {
    let policy = Policy::defaults();
    Check::parse(check)
        .unwrap()
        .allows(&target(t), &creds(ctx), &policy)
}

#[test]
fn every_default_parses_and_is_registered_once() {
    let mut seen = HashSet::new();
    for d in defaults::DEFAULTS {
        assert!(seen.insert(d.name), "{} twice", d.name);
        Check::parse(d.check).unwrap_or_else(|e| panic!("{}: {e}", d.name));
    }
    assert_eq!(defaults::DEFAULTS.len(), 91);
}

#[test]
fn role_checks_ignore_case_but_not_spaces() {
    let t = json!({});
    assert!(allows("role:reader", &ctx("p", &["Reader"]), t.clone()));
    assert!(allows("role:READER", &ctx("p", &["reader"]), t.clone()));
    // noauth does not trim X-Roles: " reader" is another role.
    assert!(!allows("role:reader", &ctx("p", &[" reader"]), t.clone()));
    assert!(!allows("role:reader", &ctx("p", &[]), t));
}

#[test]
fn project_match_interpolates_the_target() {
    let c = ctx("p1", &["member"]);
    assert!(allows(
        "project_id:%(project_id)s",
        &c,
        json!({"project_id": "p1"})
    ));
    assert!(!allows(
        "project_id:%(project_id)s",
        &c,
        json!({"project_id": "p2"})
    ));
    // A key the target lacks makes the check false, not an error.
    assert!(!allows("project_id:%(project_id)s", &c, json!({})));
    // Role matches interpolate too.
    assert!(allows("role:%(needed)s", &c, json!({"needed": "member"})));
}

#[test]
fn and_binds_tighter_than_or_and_not_applies_to_one_check() {
    let c = ctx("p", &["member"]);
    let t = json!({});
    assert!(allows("role:admin or role:member and @", &c, t.clone()));
    assert!(!allows("role:admin or role:member and !", &c, t.clone()));
    assert!(allows("role:member and ! or @", &c, t.clone()));
    assert!(allows("not role:admin and role:member", &c, t.clone()));
    assert!(!allows("not (role:admin or role:member)", &c, t.clone()));
    assert!(allows("NOT role:admin AND role:member", &c, t.clone()));
    assert_eq!(
        Check::parse("a:1 or b:2 and c:3").unwrap(),
        Check::Or(vec![
            Check::Generic {
                kind: "a".into(),
                value: "1".into()
            },
            Check::And(vec![
                Check::Generic {
                    kind: "b".into(),
                    value: "2".into()
                },
                Check::Generic {
                    kind: "c".into(),
                    value: "3".into()
                },
            ]),
        ])
    );
}

#[test]
fn parentheses_group_and_may_stick_to_checks() {
    let c = ctx("p", &["reader"]);
    assert!(allows("((role:reader))", &c, json!({})));
    assert!(!allows("role:reader and (role:admin or !)", &c, json!({})));
    assert!(allows("(role:admin or role:reader) and (@)", &c, json!({})));
}

#[test]
fn always_never_and_empty() {
    let c = ctx("p", &[]);
    assert!(allows("@", &c, json!({})));
    assert!(!allows("!", &c, json!({})));
    assert!(allows("", &c, json!({})));
}

#[test]
fn literal_kinds_compare_with_the_target_as_python_text() {
    let c = ctx("p", &[]);
    assert!(allows(
        "'PRIMARY':%(zone_type)s",
        &c,
        json!({"zone_type": "PRIMARY"})
    ));
    assert!(!allows(
        "'PRIMARY':%(zone_type)s",
        &c,
        json!({"zone_type": "SECONDARY"})
    ));
    assert!(allows(
        "True:%(all_tenants)s",
        &c,
        json!({"all_tenants": true})
    ));
    assert!(!allows(
        "True:%(all_tenants)s",
        &c,
        json!({"all_tenants": false})
    ));
    assert!(allows(
        "None:%(target_project_id)s",
        &c,
        json!({"target_project_id": null})
    ));
    assert!(allows(
        "'True':%(zone_shared)s",
        &c,
        json!({"zone_shared": true})
    ));
    assert!(allows("3:%(n)s", &c, json!({"n": 3})));
}

#[test]
fn generic_checks_follow_dotted_paths_into_the_credentials() {
    let mut c = ctx("p", &["member", "reader"]);
    c.user_id = Some("u1".into());
    assert!(allows("user_id:u1", &c, json!({})));
    assert!(!allows("user_id:u2", &c, json!({})));
    assert!(allows("user_id:%(owner)s", &c, json!({"owner": "u1"})));
    // A list matches when any element does.
    assert!(allows("roles:reader", &c, json!({})));
    assert!(!allows("roles:admin", &c, json!({})));
    assert!(!allows("no.such.path:x", &c, json!({})));
}

#[test]
fn is_admin_true_means_the_internal_admin_context() {
    let mut c = ctx("p", &[]);
    assert!(!allows("is_admin:True", &c, json!({})));
    c.is_admin = true;
    assert!(allows("is_admin:True", &c, json!({})));
    assert!(allows("rule:admin", &c, json!({})));
}

#[test]
fn target_keys_may_be_dotted_paths() {
    let c = ctx("p1", &[]);
    assert!(allows(
        "project_id:%(target.zone.project_id)s",
        &c,
        json!({"target": {"zone": {"project_id": "p1"}}})
    ));
    assert!(allows(
        "project_id:%(target.project_id)s",
        &c,
        json!({"target.project_id": "p1"})
    ));
}

#[test]
fn rule_references_follow_overrides_and_fall_back_to_default() {
    let c = ctx("p", &["member"]);
    assert!(allows("rule:default", &c, json!({"project_id": "p"})));
    // Undefined names use the `default` rule, as oslo.policy's Rules.__missing__.
    assert!(allows("rule:no_such_rule", &c, json!({"project_id": "p"})));
    assert!(!allows("rule:no_such_rule", &c, json!({"project_id": "q"})));
    let mut policy = Policy::defaults();
    let dir = std::env::temp_dir().join(format!("delegate-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("loop.yaml");
    std::fs::write(&file, "a: rule:b\nb: rule:a\n").unwrap();
    policy.load_overrides(&file).unwrap();
    // A cycle denies instead of recursing forever.
    assert_eq!(
        policy.enforce("a", &c, &Target::new()),
        Err(Denial::Forbidden)
    );
}

#[test]
fn syntax_errors_say_where() {
    let err = |s: &str| Check::parse(s).unwrap_err();
    assert_eq!(err("role:admin or").position, 13);
    assert_eq!(err("(role:admin").position, 0);
    assert_eq!(err("role:admin )").position, 11);
    assert_eq!(err("role:admin role:member").position, 11);
    assert_eq!(err("role:admin and admin").position, 15);
    assert!(err("and role:admin").message.contains("operator"));
}

#[test]
fn list_form_of_old_json_files() {
    let c = ctx("p", &["member"]);
    let list = json!([["role:admin"], ["role:member", "project_id:%(project_id)s"]]);
    let check = Check::from_list(list.as_array().unwrap()).unwrap();
    let policy = Policy::defaults();
    assert!(check.allows(&target(json!({"project_id": "p"})), &creds(&c), &policy));
    assert!(!check.allows(&target(json!({"project_id": "q"})), &creds(&c), &policy));
    assert_eq!(Check::from_list(&[]).unwrap(), Check::Always);
}

fn write(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("delegate-policy-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join(name);
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn operator_overrides_from_yaml_and_json() {
    let yaml = write(
        "p.yaml",
        "# comment\n\"find_zones\": \"role:auditor\"\ncreate_zone: '!'\n",
    );
    let policy = Policy::from_config(yaml.to_str().unwrap(), true, "default", &[]).unwrap();
    assert_eq!(
        policy.enforce_own("find_zones", &ctx("p", &["auditor"])),
        Ok(())
    );
    assert_eq!(
        policy.enforce_own("find_zones", &ctx("p", &["reader"])),
        Err(Denial::Forbidden)
    );
    assert_eq!(
        policy.enforce_own("create_zone", &ctx("p", &["admin"])),
        Err(Denial::Forbidden)
    );
    // Rules the file does not name keep their defaults.
    assert_eq!(
        policy.enforce_own("use_sudo", &ctx("p", &["admin"])),
        Ok(())
    );
    let json = write("p.json", r#"{"use_sudo": "role:admin or role:support"}"#);
    let dir = json.parent().unwrap().to_path_buf();
    let policy = Policy::from_config("p.json", true, "default", &[dir]).unwrap();
    assert_eq!(
        policy.enforce_own("use_sudo", &ctx("p", &["support"])),
        Ok(())
    );
}

#[test]
fn broken_files_name_the_file_rule_and_position() {
    let file = write("bad.yaml", "find_zones: \"role:admin or (role:reader\"\n");
    let err = Policy::from_config(file.to_str().unwrap(), true, "default", &[]).unwrap_err();
    let text = err.to_string();
    assert!(text.contains("bad.yaml"), "{text}");
    assert!(text.contains("rule \"find_zones\""), "{text}");
    assert!(text.contains("at position 14"), "{text}");
    let file = write("bad.json", "{\"find_zones\": \"role:admin\",,}");
    let text = Policy::from_config(file.to_str().unwrap(), true, "default", &[])
        .unwrap_err()
        .to_string();
    assert!(
        text.contains("bad.json") && text.contains("line 1"),
        "{text}"
    );
    // A file the operator named must exist; the default name may be absent.
    assert!(Policy::from_config("/nonexistent/policy.yaml", true, "default", &[]).is_err());
    assert!(Policy::from_config("policy.yaml", false, "default", &[]).is_ok());
}

#[test]
fn system_and_domain_scoped_tokens_fail_project_rules_with_invalid_scope() {
    let mut system = ctx("", &["admin", "member", "reader"]);
    system.project_id = None;
    system.system_scope = Some("all".into());
    let policy = Policy::defaults();
    assert_eq!(
        policy.enforce_own("find_zones", &system),
        Err(Denial::InvalidScope)
    );
    assert_eq!(
        policy.enforce_own("all_tenants", &system),
        Err(Denial::InvalidScope)
    );
    let mut domain = ctx("", &["admin"]);
    domain.project_id = None;
    domain.domain = Some("default".into());
    assert_eq!(
        policy.enforce_own("create_zone", &domain),
        Err(Denial::InvalidScope)
    );
    // Rules without scope types accept any token.
    assert_eq!(policy.enforce_own("find_zone_shares", &system), Ok(()));
}

/// The defaults of the endpoints that exist, as spec/api-v2.md §3.4 states them.
#[test]
fn defaults_of_the_zone_and_recordset_endpoints() {
    let p = Policy::defaults();
    let owner = |rule: &str, roles: &[&str], extra: Value| {
        let mut t = target(json!({"project_id": "own"}));
        t.extend(target(extra));
        p.enforce(rule, &ctx("own", roles), &t).is_ok()
    };
    let other = |rule: &str, roles: &[&str], extra: Value| {
        let mut t = target(json!({"project_id": "else"}));
        t.extend(target(extra));
        p.enforce(rule, &ctx("own", roles), &t).is_ok()
    };
    let none = json!({});
    // Zones: member writes, reader reads, admin everything; other projects nothing.
    for rule in ["create_zone", "update_zone", "delete_zone", "xfr_zone"] {
        assert!(owner(rule, &["member"], none.clone()), "{rule}");
        assert!(!owner(rule, &["reader"], none.clone()), "{rule}");
        assert!(!other(rule, &["member"], none.clone()), "{rule}");
        assert!(other(rule, &["admin"], none.clone()), "{rule}");
    }
    for rule in [
        "find_zones",
        "get_zone",
        "get_zone_ns_records",
        "find_recordsets",
        "get_recordset",
    ] {
        assert!(owner(rule, &["reader"], none.clone()), "{rule}");
        assert!(!owner(rule, &["member"], none.clone()), "{rule}");
        assert!(!other(rule, &["reader"], none.clone()), "{rule}");
        assert!(other(rule, &["admin"], none.clone()), "{rule}");
    }
    // Shared zones are readable by the project they are shared with.
    assert!(other("get_zone", &["reader"], json!({"zone_shared": true})));
    assert!(other(
        "get_recordset",
        &["reader"],
        json!({"zone_shared": true})
    ));
    assert!(!other(
        "get_zone_ns_records",
        &["reader"],
        json!({"zone_shared": true})
    ));
    // Recordset writes depend on the zone type.
    let primary =
        json!({"zone_type": "PRIMARY", "zone_shared": false, "recordset_project_id": "else"});
    let secondary =
        json!({"zone_type": "SECONDARY", "zone_shared": false, "recordset_project_id": "else"});
    for rule in ["create_recordset", "update_recordset", "delete_recordset"] {
        assert!(owner(rule, &["member"], primary.clone()), "{rule}");
        assert!(!owner(rule, &["member"], secondary.clone()), "{rule}");
        assert!(!owner(rule, &["reader"], primary.clone()), "{rule}");
        assert!(owner(rule, &["admin"], secondary.clone()), "{rule}");
        assert!(!other(rule, &["member"], primary.clone()), "{rule}");
    }
    // A zone shared with the caller: members may create recordsets, and change their own.
    assert!(other(
        "create_recordset",
        &["member"],
        json!({"zone_type": "PRIMARY", "zone_shared": true})
    ));
    assert!(other(
        "update_recordset",
        &["member"],
        json!({"zone_type": "PRIMARY", "zone_shared": true, "recordset_project_id": "own"})
    ));
    // The flags and admin-only rules.
    for rule in [
        "use_sudo",
        "all_tenants",
        "edit_managed_records",
        "hard_delete",
        "use_low_ttl",
        "abandon_zone",
    ] {
        assert_eq!(
            p.enforce_own(rule, &ctx("own", &["admin"])),
            Ok(()),
            "{rule}"
        );
        assert_eq!(
            p.enforce_own(rule, &ctx("own", &["member", "reader"])),
            Err(Denial::Forbidden),
            "{rule}"
        );
    }
}
