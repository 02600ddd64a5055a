//! BIND zone files: the import parser (domain-rules §11.1) and the export
//! renderer (§11.2).

mod parse;
mod render;
mod zone;

pub use parse::parse_zone_file;
pub use render::ZoneFileWriter;
pub use zone::{ParsedRecord, ParsedRecordSet, ParsedZone, SoaFields};

/// Why an imported zone file was refused. [`ImportError::task_message`] is
/// the text the import task's `message` takes (§11.1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// A record came before any `$ORIGIN`.
    #[error("no $ORIGIN before the first record (line {line})")]
    NoOrigin {
        /// Line of the offending record.
        line: usize,
    },
    /// The file is not valid zone-file syntax.
    #[error("malformed zone file at line {line}: {reason}")]
    Malformed {
        /// Line where reading failed.
        line: usize,
        /// What was wrong, for logs.
        reason: String,
    },
    /// No SOA record at the origin.
    #[error("no SOA record at the origin")]
    NoSoa,
    /// Anything else, such as a record type Delegate does not implement.
    #[error("{0}")]
    Undefined(String),
}

impl ImportError {
    /// The import task's message, word for word as Designate sets it.
    pub fn task_message(&self) -> String {
        match self {
            Self::NoOrigin { .. } => {
                "The $ORIGIN statement is required and must be the first statement in the zonefile."
                    .to_owned()
            }
            Self::Malformed { .. } => "Malformed zonefile.".to_owned(),
            Self::NoSoa => "An SOA record is required.".to_owned(),
            Self::Undefined(detail) => {
                let head: String = detail.chars().take(130).collect();
                format!("An undefined error occurred. {head}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ImportError;

    #[test]
    fn task_messages_are_designates() {
        assert_eq!(
            ImportError::NoOrigin { line: 1 }.task_message(),
            "The $ORIGIN statement is required and must be the first statement in the zonefile."
        );
        let malformed = ImportError::Malformed {
            line: 3,
            reason: "x".into(),
        };
        assert_eq!(malformed.task_message(), "Malformed zonefile.");
        assert_eq!(
            ImportError::NoSoa.task_message(),
            "An SOA record is required."
        );
        let long = ImportError::Undefined("y".repeat(200));
        assert_eq!(
            long.task_message(),
            format!("An undefined error occurred. {}", "y".repeat(130))
        );
    }
}
