//! V-260921 (CNTR-MK-000530): on every Red Hat Enterprise Linux or CentOS node, the engine runs
//! with SELinux support: its own `/info` `SecurityOptions` has `name=selinux` (none, or an empty
//! list, is a finding). Nodes on other operating systems are not concerned (the STIG's N/A;
//! Rocky, Alma and Oracle Linux are not named by it and count as other). The rule is not
//! applicable only when every node's own engine was read and none runs RHEL or CentOS: MKE's
//! aggregate `/info` describes no node, and a node whose engine did not answer may be a RHEL
//! node, so either makes the rule not assessed (audit item 4: the old code fell back to the
//! aggregate and went not applicable). No orchestrator split.

use super::common::{nodes, Judged};
use super::Cluster;
use crate::assess::{fact, Part, Phrases, Rule, RuleId};
use crate::evidence::keys::Key;
use crate::policy::Policy;

pub const RULE: Rule<Cluster> = Rule {
    id: RuleId { stig: "CNTR-MK-000530", vuln: "V-260921" },
    needs: &[Key::DockerNodes, Key::NodeEngines, Key::DockerInfo, Key::MkeIdentity],
    params: &[],
    decide,
    #[cfg(test)]
    cases: tests::cases,
};

fn decide(cl: &Cluster, _policy: &Policy) -> Vec<Part> {
    let p = Phrases { population: "nodes", violation: "run RHEL or CentOS without SELinux in the engine (no name=selinux in SecurityOptions)", none_concerned: "no node runs RHEL or CentOS" };
    vec![nodes(cl, &p, false, |i| {
        let os = i.operating_system.as_str();
        if os.is_empty() {
            return Judged::Unknown("its /info has no OperatingSystem".into());
        }
        if !(os.contains("Red Hat") || os.contains("CentOS") || os.contains("RHEL")) {
            return Judged::NotConcerned(vec![fact("OperatingSystem", os)]);
        }
        let Some(opts) = &i.security_options else { return Judged::Unknown("its /info has no SecurityOptions".into()) };
        let f = vec![fact("OperatingSystem", os), fact("SecurityOptions", format!("[{}]", opts.join(", ")))];
        if i.security_option_names().iter().any(|n| n == "selinux") { Judged::Ok(f) } else { Judged::Bad(f) }
    })]
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use crate::assess::rule::Case;
    use crate::assess::Status;
    use crate::evidence::keys::Key;
    use crate::facts::docker::{Node, NodeEngine};
    use crate::facts::Facts;

    const RHEL: &str = "Red Hat Enterprise Linux 9.4 (Plow)";

    fn rhel(f: &mut Facts, opts: &[&str]) {
        node(f).operating_system = RHEL.into();
        node(f).security_options = Some(opts.iter().map(|s| s.to_string()).collect());
    }

    fn second_node(f: &mut Facts, engine: bool) {
        f.docker.nodes.as_mut().unwrap().as_mut().unwrap().push(Node { id: "n2".into(), hostname: "wkr-1".into(), role: "worker".into(), labels: Default::default() });
        if engine {
            let mut i = node_info("wkr-1");
            i.operating_system = RHEL.into();
            i.security_options = Some(vec!["name=seccomp,profile=default".into(), "name=selinux".into()]);
            f.docker.node_engines.as_mut().unwrap().push(NodeEngine { name: "wkr-1".into(), role: "worker".into(), info: Ok(i) });
        }
    }

    pub fn cases() -> Vec<Case<super::Cluster>> {
        vec![
            // The nodes' own engines answered: MKE's aggregate /info is not read.
            case("RHEL with SELinux", Status::Pass, |f| rhel(f, &["name=seccomp,profile=default", "name=selinux", "name=fips"])).independent_of(&[Key::DockerInfo]),
            case("RHEL without SELinux", Status::Fail, |f| rhel(f, &["name=seccomp,profile=default"])).failing(&["mke-1"]),
            case("RHEL with no security options at all", Status::Fail, |f| rhel(f, &[])).failing(&["mke-1"]),
            case("CentOS without SELinux", Status::Fail, |f| {
                rhel(f, &[]);
                node(f).operating_system = "CentOS Stream 9".into();
            })
            .failing(&["mke-1"]),
            case("Ubuntu only", Status::NotApplicable, |_| {}).independent_of(&[Key::DockerInfo]),
            case("Ubuntu manager, RHEL worker with SELinux", Status::Pass, |f| second_node(f, true)).independent_of(&[Key::DockerInfo]),
            case("Ubuntu manager, a worker's engine unread", Status::NotReviewed, |f| second_node(f, false)).missing(),
            case("only MKE's aggregate /info", Status::NotReviewed, |f| f.docker.node_engines = Err("per-node proxy refused".into())).missing(),
            case("RHEL answer without SecurityOptions", Status::NotReviewed, |f| {
                rhel(f, &[]);
                node(f).security_options = None;
            })
            .missing(),
            case("standalone Ubuntu engine", Status::NotApplicable, standalone).independent_of(STANDALONE_SKIPS),
            nothing(),
        ]
    }
}
