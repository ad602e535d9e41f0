//! Documents written from an assessment: OSCAL assessment-results (and, next, checklists,
//! component definitions, POA&M, reports).

pub mod assessment_results;
