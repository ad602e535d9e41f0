//! Host evidence: what only a shell on each node shows (the Docker socket's owner, group and
//! mode, and who is in the `docker` group), gathered by the assessor with the commands the
//! STIG gives and handed to the tool as a file (`--host-evidence`).

use std::path::Path;

use serde::Deserialize;


#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostEvidence {
    pub nodes: Vec<NodeEvidence>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NodeEvidence {
    pub name: String,
    /// Output of `stat -c '%U:%G %a' /var/run/docker.sock`, e.g. `root:docker 660`.
    pub docker_sock: String,
    /// Members of the docker group (`getent group docker`, fourth field); `[]` for none. An
    /// absent key is missing evidence, not an empty group.
    #[serde(default)]
    pub docker_group: Option<Vec<String>>,
}

impl HostEvidence {
    pub fn load(path: &Path) -> anyhow::Result<HostEvidence> {
        use anyhow::Context;
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read host evidence {}", path.display()))?;
        serde_yaml_ng::from_str(&text).with_context(|| format!("host evidence {}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_example_parses() {
        let h = HostEvidence::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/host-evidence.yaml")).unwrap();
        assert_eq!(h.nodes.len(), 2);
    }
}
