//! Values that carry passwords (database and AMQP URLs) and must not reach
//! logs through `Debug`.

use std::fmt;

/// A string with a password in it. `Debug` shows it with passwords masked;
/// [`Secret::expose`] gives the real value to whoever connects with it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The URL with every password replaced by `***`; handles oslo.messaging's
    /// multi-host form (`rabbit://u:p@h1:5672,u:p@h2:5672/`). Anything that is
    /// not a URL is masked entirely.
    pub fn redacted(&self) -> String {
        let Some((scheme, rest)) = self.0.split_once("://") else {
            return "***".to_owned();
        };
        let (authority, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
        let hosts: Vec<String> = authority.split(',').map(mask_password).collect();
        format!("{scheme}://{}{path}", hosts.join(","))
    }
}

fn mask_password(host: &str) -> String {
    match host.rsplit_once('@') {
        Some((userinfo, address)) => match userinfo.split_once(':') {
            Some((user, _password)) => format!("{user}:***@{address}"),
            None => host.to_owned(),
        },
        None => host.to_owned(),
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_masks_passwords_of_every_host() {
        let url = Secret::new("rabbit://guest:s3cret@h1:5672,admin:x@h2:5672/vhost");
        assert_eq!(
            format!("{url:?}"),
            "\"rabbit://guest:***@h1:5672,admin:***@h2:5672/vhost\""
        );
        assert_eq!(
            url.expose(),
            "rabbit://guest:s3cret@h1:5672,admin:x@h2:5672/vhost"
        );
    }

    #[test]
    fn urls_without_password_and_non_urls() {
        assert_eq!(
            Secret::new("mysql://root@127.0.0.1/d").redacted(),
            "mysql://root@127.0.0.1/d"
        );
        assert_eq!(Secret::new("not a url").redacted(), "***");
    }
}
