//! Host evidence: what only a shell on each node shows (the Docker socket's owner, group and
//! mode, and who is in the `docker` group), gathered by the assessor with the commands the
//! STIG gives and handed to the tool as a file (`--host-evidence`).

use std::path::Path;

use serde::Deserialize;

use crate::limits;

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
    /// Reads a host evidence file: a regular file (or a symlink to one; a FIFO or a device is
    /// refused) of at most [`limits::MAX_YAML_BYTES`], nesting at most [`limits::MAX_YAML_DEPTH`].
    pub fn load(path: &Path) -> anyhow::Result<HostEvidence> {
        let shown = limits::path(path);
        let text = limits::read_to_string(path, limits::MAX_YAML_BYTES).map_err(|e| anyhow::anyhow!("cannot read host evidence {shown}: {e}"))?;
        limits::check_yaml_depth(&text, limits::MAX_YAML_DEPTH).map_err(|e| anyhow::anyhow!("host evidence {shown}: {e}"))?;
        serde_yaml_ng::from_str(&text).map_err(|e| anyhow::anyhow!("host evidence {shown}: {}", limits::message(&e.to_string())))
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
