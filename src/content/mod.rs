//! Content the product ships: NIST SP 800-53 catalogs and baselines (and, later, STIG profiles).

pub mod builtin;

pub use builtin::{Builtin, BUILTINS};
