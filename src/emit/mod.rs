//! Documents written from an assessment: OSCAL assessment-results, component definitions and
//! POA&M, and a readable report (checklists are in `checklist`).

pub mod assessment_plan;
pub mod assessment_results;
pub mod component_definition;
pub mod poam;
pub mod report;
pub mod templates;

/// OSCAL titles are single-line markup (`markup-line`): DISA's rule titles sometimes carry line
/// breaks, which NIST's constraints (and compliance-trestle) reject. Each line break, with the
/// spaces around it, becomes one space; other spacing stays as DISA wrote it.
pub fn single_line(s: &str) -> String {
    s.split(['\n', '\r']).map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn single_line_joins_lines_and_runs_of_space() {
        assert_eq!(super::single_line(" The\nLifetime \r\n  Minutes\t"), "The Lifetime Minutes");
        assert_eq!(super::single_line("two  spaces stay"), "two  spaces stay");
        assert_eq!(super::single_line("é\nü"), "é ü");
    }
}
