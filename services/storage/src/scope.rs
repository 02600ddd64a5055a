//! Tenant scoping (spec/storage.md §3.1): which projects' rows a query sees.

use delegate_model::Context;

/// Who a query is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// All projects: no tenant condition.
    All,
    /// One project (or none, for contexts without a project). Zone queries
    /// also show NULL-owner zones and, in listings, zones shared with it;
    /// recordset listings show only the project's own rows.
    Project(Option<String>),
}

impl Scope {
    /// The scope of a request context.
    pub fn of(ctx: &Context) -> Scope {
        if ctx.all_tenants {
            Scope::All
        } else {
            Scope::Project(ctx.project_id.clone())
        }
    }
}
