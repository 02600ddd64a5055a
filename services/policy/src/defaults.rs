//! Every default rule of Designate 23 (`designate/common/policies/*.py`),
//! in one place: name, check string, and whether the rule is project-scoped
//! (`scope_types=['project']`: system- and domain-scoped tokens fail it with
//! `invalid_token_scope`). Generated from Designate's policy modules; the
//! names of the check strings there are kept in comments where they help.

/// One registered default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleDefault {
    pub name: &'static str,
    pub check: &'static str,
    /// `scope_types=['project']`.
    pub project_scoped: bool,
}

const fn rule(name: &'static str, check: &'static str, project_scoped: bool) -> RuleDefault {
    RuleDefault {
        name,
        check,
        project_scoped,
    }
}

const ADMIN: &str = "role:admin";
/// `ADMIN_OR_PROJECT_MEMBER`.
const MEMBER: &str = "(role:admin) or (role:member and project_id:%(project_id)s)";
/// `ADMIN_OR_PROJECT_READER`.
const READER: &str = "(role:admin) or (role:reader and project_id:%(project_id)s)";
/// `ADMIN_OR_PROJECT_READER_OR_SHARED`.
const READER_OR_SHARED: &str =
    "(role:admin) or (role:reader and project_id:%(project_id)s) or ('True':%(zone_shared)s)";
/// `ADMIN_OR_PROJECT_MEMBER_ZONE_TYPE` (recordset.py).
const RECORDSET_CREATE: &str = "(role:member and project_id:%(project_id)s) and ('PRIMARY':%(zone_type)s) or (role:admin) and ('PRIMARY':%(zone_type)s) or (role:admin) and ('SECONDARY':%(zone_type)s) or ('True':%(zone_shared)s) and ('PRIMARY':%(zone_type)s)";
/// `ADMIN_OR_PROJECT_MEMBER_RECORD_OWNER_ZONE_TYPE` (recordset.py).
const RECORDSET_CHANGE: &str = "(role:member and project_id:%(project_id)s) and ('PRIMARY':%(zone_type)s) or (role:admin) and ('PRIMARY':%(zone_type)s) or (role:admin) and ('SECONDARY':%(zone_type)s) or role:member and (project_id:%(recordset_project_id)s) and ('PRIMARY':%(zone_type)s)";
/// `RULE_ZONE_TRANSFER`.
const TRANSFER: &str = "((role:admin) or (role:member and project_id:%(project_id)s)) or project_id:%(target_project_id)s or None:%(target_project_id)s";

/// The defaults, in Designate's registration order.
pub const DEFAULTS: &[RuleDefault] = &[
    rule("admin", "role:admin or is_admin:True", false),
    rule("owner", "project_id:%(tenant_id)s", false),
    rule("admin_or_owner", "rule:admin or rule:owner", false),
    rule("default", MEMBER, false),
    rule("create_blacklist", ADMIN, true),
    rule("find_blacklists", ADMIN, true),
    rule("get_blacklist", ADMIN, true),
    rule("update_blacklist", ADMIN, true),
    rule("delete_blacklist", ADMIN, true),
    rule("use_blacklisted_zone", ADMIN, true),
    rule("all_tenants", ADMIN, true),
    rule("edit_managed_records", ADMIN, true),
    rule("use_low_ttl", ADMIN, true),
    rule("use_sudo", ADMIN, true),
    rule("hard_delete", ADMIN, true),
    rule("create_pool", ADMIN, true),
    rule("find_pools", ADMIN, true),
    rule("find_pool", ADMIN, true),
    rule("get_pool", ADMIN, true),
    rule("update_pool", ADMIN, true),
    rule("delete_pool", ADMIN, true),
    rule("zone_create_forced_pool", ADMIN, true),
    rule(
        "get_quotas",
        "(role:admin) or (role:reader and project_id:%(project_id)s) or (True:%(all_tenants)s and role:reader)",
        true,
    ),
    rule("set_quota", ADMIN, true),
    rule("reset_quotas", ADMIN, true),
    rule("find_records", READER, true),
    rule("count_records", READER, true),
    rule("create_recordset", RECORDSET_CREATE, true),
    rule("get_recordsets", READER, true),
    rule("get_recordset", READER_OR_SHARED, true),
    rule("find_recordset", READER, true),
    rule("find_recordsets", READER, true),
    rule("update_recordset", RECORDSET_CHANGE, true),
    rule("delete_recordset", RECORDSET_CHANGE, true),
    rule("count_recordset", READER, true),
    rule("find_service_status", ADMIN, true),
    rule("find_service_statuses", ADMIN, true),
    rule("update_service_status", ADMIN, true),
    rule("delete_service_status", ADMIN, true),
    rule("get_zone_share", MEMBER, true),
    rule("share_zone", MEMBER, true),
    rule("find_zone_shares", "@", false),
    rule("find_project_zone_share", MEMBER, true),
    rule("unshare_zone", MEMBER, true),
    rule("find_tenants", ADMIN, true),
    rule("get_tenant", ADMIN, true),
    rule("count_tenants", ADMIN, true),
    rule("create_tld", ADMIN, true),
    rule("find_tlds", ADMIN, true),
    rule("get_tld", ADMIN, true),
    rule("update_tld", ADMIN, true),
    rule("delete_tld", ADMIN, true),
    rule("create_tsigkey", ADMIN, true),
    rule("find_tsigkeys", ADMIN, true),
    rule("get_tsigkey", ADMIN, true),
    rule("update_tsigkey", ADMIN, true),
    rule("delete_tsigkey", ADMIN, true),
    rule("create_zone", MEMBER, true),
    rule("get_zones", READER, true),
    rule("get_zone", READER_OR_SHARED, true),
    rule("get_zone_servers", READER, true),
    rule("get_zone_ns_records", READER, true),
    rule("find_zones", READER, true),
    rule("update_zone", MEMBER, true),
    rule("delete_zone", MEMBER, true),
    rule("xfr_zone", MEMBER, true),
    rule("abandon_zone", ADMIN, true),
    rule("count_zones", READER, true),
    rule("count_zones_pending_notify", READER, true),
    rule("purge_zones", ADMIN, true),
    rule("pool_move_zone", ADMIN, true),
    rule("zone_export", MEMBER, true),
    rule("create_zone_export", MEMBER, true),
    rule("find_zone_exports", READER, true),
    rule("get_zone_export", READER, true),
    rule("update_zone_export", MEMBER, true),
    rule("delete_zone_export", MEMBER, true),
    rule("create_zone_import", MEMBER, true),
    rule("find_zone_imports", READER, true),
    rule("get_zone_import", READER, true),
    rule("update_zone_import", MEMBER, true),
    rule("delete_zone_import", MEMBER, true),
    rule("create_zone_transfer_accept", TRANSFER, true),
    rule("get_zone_transfer_accept", READER, true),
    rule("find_zone_transfer_accepts", ADMIN, true),
    rule("create_zone_transfer_request", MEMBER, true),
    rule("get_zone_transfer_request", TRANSFER, true),
    rule("get_zone_transfer_request_detailed", READER, true),
    rule("find_zone_transfer_requests", "@", false),
    rule("update_zone_transfer_request", MEMBER, true),
    rule("delete_zone_transfer_request", MEMBER, true),
];
