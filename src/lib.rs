//! oscal-stig: DISA STIGs as OSCAL, and assessments of MKE / Kubernetes against them.
//!
//! Data flows one way: `content` (catalogs, profiles, STIGs) -> `probe` (collection) ->
//! `evidence` (snapshots) -> `facts` -> `stigs` (rules, decided by the `assess` engine) ->
//! `emit` (documents). This crate root only wires the modules together.

pub mod assess;
pub mod checklist;
pub mod content;
pub mod diff;
pub mod emit;
pub mod evidence;
pub mod facts;
pub mod ids;
pub mod limits;
pub mod oscal;
pub mod output;
pub mod policy;
pub mod probe;
pub mod resolve;
pub mod stig;
pub mod stigs;
pub mod xml;
