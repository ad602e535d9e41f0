//! DISA STIG content: XCCDF benchmarks, the CCI list, and the OSCAL profiles built from them.

pub mod cci;
pub mod index;
pub mod profile;
pub mod xccdf;

use std::fmt;

pub use index::{RuleIndex, RuleInfo};
pub use xccdf::{read_benchmark, Benchmark, Rule};

/// The project's OSCAL namespace for STIG parts and props (documented in profiles/README).
pub const NS: &str = "https://oscal-stig.dev/ns/stig";

/// The value of the first prop named `name` in the project namespace.
pub fn ns_prop<'a>(props: &'a [crate::oscal::Property], name: &str) -> Option<&'a str> {
    props.iter().find(|p| p.name == name && p.ns.as_deref() == Some(NS)).map(|p| p.value.as_str())
}

/// DISA severity, which STIG Viewer also shows as a category (CAT I-III).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    High,
    Medium,
    Low,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "high" => Some(Severity::High),
            "medium" => Some(Severity::Medium),
            "low" => Some(Severity::Low),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    pub fn category(self) -> &'static str {
        match self {
            Severity::High => "CAT I",
            Severity::Medium => "CAT II",
            Severity::Low => "CAT III",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StigError {
    // The causes are shown in the message and not also as `source()`: the command line prints
    // an error's chain, which would repeat them.
    #[error("cannot read {path}: {error}")]
    Io { path: String, error: std::io::Error },
    #[error("{path}: not UTF-8 text")]
    NotUtf8 { path: String },
    #[error("{path}: {error}")]
    Xml { path: String, error: crate::xml::XmlError },
    #[error("{path}: not a DISA XCCDF benchmark (root element <{root}>, expected <Benchmark> or an SCAP data stream holding one)")]
    NotXccdf { path: String, root: String },
    #[error("{path}: not a DISA CCI list (root element <{root}>, expected <cci_list>)")]
    NotCciList { path: String, root: String },
    #[error("{path}: unreadable zip: {message}")]
    Zip { path: String, message: String },
    #[error("{path}: the zip holds no XCCDF file (*xccdf.xml); it has: {entries}")]
    NoXccdfInZip { path: String, entries: String },
    #[error("{path}: rule {rule}: {problem}")]
    BadRule { path: String, rule: String, problem: String },
}
