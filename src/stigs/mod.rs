//! The STIGs this tool assesses, one module each: its rules (one file per rule, with tests),
//! their registry, and the assessment of a snapshot.

pub mod kubernetes;
pub mod mke;
