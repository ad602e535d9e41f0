//! Documents written from an assessment: OSCAL assessment-results, component definitions and
//! POA&M, and a readable report (checklists are in `checklist`).

pub mod assessment_results;
pub mod component_definition;
pub mod poam;
pub mod report;
pub mod templates;
