//! The synthetic evidence snapshot the big-cluster benches assess: N containers over 200
//! nodes, generated in a temp dir (never committed), sealed as collection seals it.

use std::io::Write;
use std::path::Path;

use oscal_stig::evidence::{Manifest, Record, FORMAT};
use serde_json::json;

/// Writes and seals a snapshot of `n` containers in `dir`.
pub fn snapshot(dir: &Path, n: usize) {
    generate(dir, n);
    // Sealed once every writer of the generator is flushed (dropped, at its end).
    oscal_stig::evidence::seal(dir).unwrap();
}

/// A realistic mix: most containers lack no-new-privileges and a read-only root (as in real
/// clusters), a few percent violate the host-namespace rules, some publish ports.
fn generate(dir: &Path, n: usize) {
    std::fs::create_dir_all(dir.join("docker")).unwrap();
    let mut list = Vec::with_capacity(n);
    let mut inspect = std::io::BufWriter::new(std::fs::File::create(dir.join("docker/inspect.jsonl")).unwrap());
    let mut top = std::io::BufWriter::new(std::fs::File::create(dir.join("docker/top.jsonl")).unwrap());
    let mut records = std::io::BufWriter::new(std::fs::File::create(dir.join("records.jsonl")).unwrap());
    let rec = |endpoint: String, stored: String| Record {
        source: "docker".into(), endpoint, time: "2026-01-01T00:00:00.000Z".into(), status: Some(200),
        sha256: Some("0".repeat(64)), stored: Some(stored), redacted: 0, error: None,
    };
    for i in 0..n {
        let id = format!("{i:064x}");
        let name = format!("app-{i}");
        let node = format!("node-{}", i % 200);
        let running = i % 10 != 0;
        list.push(json!({"Id": id, "Names": [format!("/{node}/{name}")], "State": if running { "running" } else { "exited" }, "Image": "registry.example/app:1"}));
        let ports = if i % 20 == 0 { json!({"8080/tcp": [{"HostIp": "0.0.0.0", "HostPort": (10000 + i % 50000).to_string()}]}) } else { json!({}) };
        let body = json!({
            "Id": id, "Name": format!("/{name}"), "Node": {"Name": node}, "AppArmorProfile": "docker-default",
            "State": {"Running": running},
            "Config": {"Image": "registry.example/app:1", "Env": ["PATH=/bin", "DB_PASSWORD=<redacted>"],
                       "Labels": {"com.example.team": format!("team-{}", i % 40)}},
            "HostConfig": {"NetworkMode": if i % 50 == 0 { "host" } else { "bridge" }, "PidMode": if i % 97 == 0 { "host" } else { "" },
                           "IpcMode": "private", "UsernsMode": "", "Privileged": i % 500 == 0, "ReadonlyRootfs": i % 3 == 0,
                           "CapAdd": if i % 30 == 0 { json!(["NET_ADMIN"]) } else { json!(null) },
                           "SecurityOpt": if i % 4 == 0 { json!(["no-new-privileges"]) } else { json!(null) },
                           "Memory": if i % 5 == 0 { 0 } else { 268435456 }, "CpuShares": 512, "Binds": null, "PortBindings": ports.clone()},
            "NetworkSettings": {"Ports": if running { ports } else { json!({}) }},
            "Mounts": []
        });
        writeln!(inspect, "{}", json!({"key": id, "body": body})).unwrap();
        writeln!(records, "{}", serde_json::to_string(&rec(format!("GET /containers/{id}/json"), format!("docker/inspect.jsonl#{id}"))).unwrap()).unwrap();
        if running {
            let procs = if i % 1000 == 0 { json!([["1", "0", "sshd"]]) } else { json!([["1", "0", "app"]]) };
            writeln!(top, "{}", json!({"key": id, "body": {"Titles": ["PID", "PPID", "COMMAND"], "Processes": procs}})).unwrap();
            let ep = format!("GET /containers/{id}/top?{}", oscal_stig::probe::docker::TOP_ARGS);
            writeln!(records, "{}", serde_json::to_string(&rec(ep, format!("docker/top.jsonl#{id}"))).unwrap()).unwrap();
        }
    }
    let single = [
        ("GET /info", "docker/info.json", json!({"Name": "mke-manager-1", "ID": "X", "OperatingSystem": "Ubuntu 22.04.4 LTS", "SecurityOptions": ["name=apparmor", "name=seccomp,profile=default"], "Driver": "overlay2", "LoggingDriver": "json-file", "ServerVersion": "ucp/3.7.12", "Swarm": {"LocalNodeState": "active"}})),
        ("GET /version", "docker/version.json", json!({"Version": "23.0.15"})),
        ("GET /containers/json?all=1", "docker/containers.json", json!(list)),
        ("GET /images/json", "docker/images.json", json!([{"Id": "sha256:1", "RepoTags": ["mirantis/ucp-agent:3.7.12"], "Labels": {"com.docker.ucp.version": "3.7.12"}}])),
        ("GET /networks", "docker/networks.json", json!([{"Id": "n1", "Name": "ingress", "Scope": "swarm", "Driver": "overlay"}])),
        ("GET /secrets", "docker/secrets.json", json!([])),
        ("GET /services", "docker/services.json", json!([])),
        ("GET /nodes", "docker/nodes.json", json!([])),
    ];
    for (ep, file, body) in single {
        std::fs::write(dir.join(file), serde_json::to_vec(&body).unwrap()).unwrap();
        writeln!(records, "{}", serde_json::to_string(&rec(ep.into(), file.into())).unwrap()).unwrap();
    }
    let m = Manifest { format: FORMAT, tool: "bench".into(), target: "tcp://mke.example:443".into(), started: "2026-01-01T00:00:00.000Z".into(), finished: "2026-01-01T00:05:00.000Z".into(), ..Default::default() };
    std::fs::write(dir.join("manifest.json"), serde_json::to_vec_pretty(&m).unwrap()).unwrap();
}
