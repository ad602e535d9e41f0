//! Assessing a big cluster: a synthetic evidence snapshot of N containers (generated in a temp
//! dir, never committed), then facts -> rules -> OSCAL assessment-results -> bytes on disk.
//! Reports wall time per phase and peak memory (VmHWM), for N = 12,500 / 25,000 / 50,000 to
//! show time is linear in containers. Run: `cargo bench --bench docker_assess`.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use oscal_stig::emit::assessment_results;
use oscal_stig::evidence::{Manifest, Record, Snapshot, FORMAT};
use oscal_stig::oscal::OscalModel;
use oscal_stig::stig::RuleIndex;
use serde_json::json;

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

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

fn main() {
    let quick = !std::env::args().any(|a| a == "--bench");
    let sizes: &[usize] = if quick { &[500] } else { &[12_500, 25_000, 50_000] };
    let index = RuleIndex::load("mke").unwrap();
    let policy = oscal_stig::policy::Policy { orchestrator: Some(oscal_stig::policy::Orchestrator::Swarm), ..Default::default() };
    for &n in sizes {
        let dir = tempfile_dir(n);
        generate(&dir, n);
        // Sealed once every writer of the generator is flushed (dropped).
        oscal_stig::evidence::seal(&dir).unwrap();
        let t0 = Instant::now();
        let snap = Snapshot::open(&dir).unwrap();
        // The stages of `stigs::mke::assess`, timed apart. The orchestrator is given, so the
        // Swarm-only container rules are judged (as on a real MKE cluster, from node labels).
        let cluster = oscal_stig::stigs::mke::Cluster::new(oscal_stig::facts::Facts::load(&snap, None), &policy);
        let tf = Instant::now();
        let results = oscal_stig::stigs::mke::decide(&cluster, &policy, &index);
        let assessment = oscal_stig::stigs::mke::assessment(&snap, &cluster, results);
        drop(cluster);
        let t1 = Instant::now();
        let doc = assessment_results::build(&assessment, &index);
        let t2 = Instant::now();
        let path = dir.join("assessment-results.json");
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        doc.write_json_pretty(&mut w).unwrap();
        w.flush().unwrap();
        drop(w);
        let t3 = Instant::now();
        let size = std::fs::metadata(&path).unwrap().len();
        println!(
            "{n:>6} containers: facts {:>6.0} ms, rules {:>6.0} ms, OSCAL build {:>6.0} ms, serialize+write {:>6.0} ms, total {:>7.0} ms; AR {:>5.1} MB; peak RSS so far {:>6.0} MB",
            (tf - t0).as_secs_f64() * 1e3, (t1 - tf).as_secs_f64() * 1e3, (t2 - t1).as_secs_f64() * 1e3, (t3 - t2).as_secs_f64() * 1e3, (t3 - t0).as_secs_f64() * 1e3,
            size as f64 / 1e6, peak_rss_mb()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

fn tempfile_dir(n: usize) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("oscal-stig-bench-{}-{n}", std::process::id()))
}
