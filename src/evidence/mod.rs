//! Evidence snapshots: everything a probe collected, on disk, so an assessment can be re-run
//! offline (air-gapped sites) and must then give the same bytes.
//!
//! Layout of a snapshot directory:
//!   manifest.json           format, tool, target, collection start/end
//!   records.jsonl           one [`Record`] per call (endpoint, time, status, sha256 of the raw
//!                           body, where the stored body is), sorted by endpoint
//!   docker/<name>.json      bodies of single calls (/info, /containers/json, ...)
//!   docker/inspect.jsonl    per-container bodies, one `{"key": id, "body": ...}` per line
//!   docker/top.jsonl          (many small files would be slow at 50,000 containers)
//!
//! Bodies are stored after [`redact`]ion: secret values never reach the disk.

pub mod keys;
pub mod redact;

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;


pub const FORMAT: u32 = 1;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub tool: String,
    /// What was probed, without credentials (e.g. `unix:///var/run/docker.sock`).
    pub target: String,
    pub started: String,
    pub finished: String,
    /// The seal: SHA-256 of every other file of the snapshot as stored (bodies after
    /// redaction, records.jsonl, node evidence). `assess --evidence` refuses a snapshot whose
    /// files do not match it, so an edited answer cannot silently flip a verdict; the
    /// results carry this manifest's own digest.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub files: std::collections::BTreeMap<String, String>,
}

/// One call a probe made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// `docker`, later `mke`, `kubernetes`, `msr`.
    pub source: String,
    /// Method and path, e.g. `GET /containers/json?all=1`.
    pub endpoint: String,
    pub time: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// SHA-256 of the body as received (before redaction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    /// Where the stored (redacted) body is: a file, or `file#key` for a `.jsonl` line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stored: Option<String>,
    /// How many values redaction removed from the stored body.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub redacted: usize,
    /// Why the call gave nothing usable (connection, timeout, HTTP status, malformed body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

#[derive(Debug)]
pub enum EvidenceError {
    Io { path: PathBuf, source: std::io::Error },
    Corrupt { path: PathBuf, message: String },
    /// The snapshot's files do not match its seal (or it has none).
    Modified { dir: PathBuf, what: String },
}

// By hand rather than derived: the cause is shown in the message and is not also a `source()`,
// which the command line, printing an error's chain, would repeat.
impl std::fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EvidenceError::Io { path, source } => write!(f, "evidence {}: {source}", crate::limits::path(path)),
            EvidenceError::Corrupt { path, message } => write!(f, "evidence {}: {}", crate::limits::path(path), crate::limits::message(message)),
            EvidenceError::Modified { dir, what } => write!(
                f,
                "evidence {}: {}; refusing to assess it (--allow-modified-evidence assesses it anyway, marking every result)",
                crate::limits::path(dir),
                crate::limits::message(what)
            ),
        }
    }
}

impl std::error::Error for EvidenceError {}

/// Opens a stored evidence file. Only a regular file (or a symlink to one) is opened: a FIFO
/// (opening it would block) or a device (`/dev/zero` never ends) in a snapshot is refused.
fn open(path: &Path) -> std::io::Result<File> {
    crate::limits::open_regular(path)
}

/// Reads a stored evidence file as text (see [`open`]). Evidence files can be large (a big
/// cluster's pod list is half a gigabyte), so no size limit beyond memory.
fn read_text(path: &Path) -> std::io::Result<String> {
    crate::limits::read_to_string(path, u64::MAX)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> EvidenceError + '_ {
    move |source| EvidenceError::Io { path: path.to_path_buf(), source }
}

/// Writes a snapshot while a probe runs. Thread-safe: per-container calls arrive concurrently.
pub struct SnapshotWriter {
    dir: PathBuf,
    records: Mutex<Vec<Record>>,
    lines: Mutex<HashMap<String, BufWriter<File>>>,
}

impl SnapshotWriter {
    pub fn create(dir: &Path) -> Result<SnapshotWriter, EvidenceError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        Ok(SnapshotWriter { dir: dir.to_path_buf(), records: Mutex::new(Vec::new()), lines: Mutex::new(HashMap::new()) })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Stores a single-call body under `rel` (e.g. `docker/info.json`).
    pub fn put(&self, mut record: Record, rel: &str, body: &Value) -> Result<(), EvidenceError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        let text = serde_json::to_string_pretty(body).expect("JSON values serialize");
        std::fs::write(&path, text + "\n").map_err(io(&path))?;
        record.stored = Some(rel.to_string());
        self.record(record);
        Ok(())
    }

    /// Appends one keyed body to a `.jsonl` collection (e.g. `docker/inspect.jsonl`).
    pub fn put_line(&self, mut record: Record, rel: &str, key: &str, body: &Value) -> Result<(), EvidenceError> {
        self.append_line(rel, key, body)?;
        record.stored = Some(format!("{rel}#{key}"));
        self.record(record);
        Ok(())
    }

    /// Records a call whose body is not stored (an error, or a body that failed to parse).
    pub fn record(&self, record: Record) {
        self.records.lock().expect("writer lock").push(record);
    }

    pub fn finish(self, manifest: &Manifest) -> Result<(), EvidenceError> {
        for (rel, mut w) in self.lines.into_inner().expect("writer lock") {
            w.flush().map_err(io(&self.dir.join(rel)))?;
        }
        let mut records = self.records.into_inner().expect("writer lock");
        records.sort_by(|a, b| (&a.source, &a.endpoint).cmp(&(&b.source, &b.endpoint)));
        let path = self.dir.join("records.jsonl");
        let mut w = BufWriter::new(File::create(&path).map_err(io(&path))?);
        for r in &records {
            writeln!(w, "{}", serde_json::to_string(r).expect("records serialize")).map_err(io(&path))?;
        }
        w.flush().map_err(io(&path))?;
        let sealed = Manifest { files: seal_of(&self.dir)?, ..manifest.clone() };
        write_manifest(&self.dir, &sealed)
    }
}

fn write_manifest(dir: &Path, manifest: &Manifest) -> Result<(), EvidenceError> {
    let path = dir.join("manifest.json");
    let text = serde_json::to_string_pretty(manifest).expect("manifest serializes") + "\n";
    std::fs::write(&path, text).map_err(io(&path))
}

/// SHA-256 of every file under `dir` but the manifest, by path relative to `dir` (`/`-separated),
/// or why a file could not be read (only regular files are: a FIFO or a device in a snapshot is
/// refused, as when reading it).
fn digests(dir: &Path) -> Result<std::collections::BTreeMap<String, Result<String, String>>, EvidenceError> {
    use sha2::Digest;
    let mut out = std::collections::BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).map_err(io(&d))? {
            let path = entry.map_err(io(&d))?.path();
            let rel: Vec<String> = path.strip_prefix(dir).unwrap_or(&path).components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
            let rel = rel.join("/");
            if rel == "manifest.json" {
                continue;
            }
            if std::fs::symlink_metadata(&path).map_err(io(&path))?.is_dir() {
                stack.push(path);
                continue;
            }
            let digest = (|| {
                let mut hasher = sha2::Sha256::new();
                std::io::copy(&mut open(&path)?, &mut hasher)?;
                Ok::<_, std::io::Error>(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
            })();
            out.insert(rel, digest.map_err(|e| e.to_string()));
        }
    }
    Ok(out)
}

/// [`digests`] for sealing: every file must be readable.
fn seal_of(dir: &Path) -> Result<std::collections::BTreeMap<String, String>, EvidenceError> {
    digests(dir)?
        .into_iter()
        .map(|(rel, d)| d.map(|d| (rel.clone(), d)).map_err(|e| EvidenceError::Io { path: dir.join(&rel), source: std::io::Error::other(e) }))
        .collect()
}

/// Seals a snapshot as it now is: the digests of its files go into its manifest. Collection
/// does this when it finishes; `assess` again after adding node evidence to a live snapshot.
pub fn seal(dir: &Path) -> Result<(), EvidenceError> {
    let mpath = dir.join("manifest.json");
    let manifest: Manifest = serde_json::from_str(&read_text(&mpath).map_err(io(&mpath))?).map_err(|e| EvidenceError::Corrupt { path: mpath.clone(), message: e.to_string() })?;
    write_manifest(dir, &Manifest { files: seal_of(dir)?, ..manifest })
}

/// A snapshot opened for reading.
pub struct Snapshot {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub records: Vec<Record>,
    by_endpoint: HashMap<String, usize>,
    /// Its files were checked against the seal when opened: the seal's digests are theirs.
    verified: bool,
    /// How its files differ from the seal, when opened with [`Snapshot::open_modified`].
    modified: Vec<String>,
}

impl Snapshot {
    /// Opens a snapshot whose files match its seal; one that does not is refused.
    pub fn open(dir: &Path) -> Result<Snapshot, EvidenceError> {
        let mut snap = Snapshot::open_unverified(dir)?;
        if let Some(first) = snap.seal_mismatches()?.into_iter().next() {
            return Err(EvidenceError::Modified { dir: dir.to_path_buf(), what: first });
        }
        snap.verified = true;
        Ok(snap)
    }

    /// How the snapshot's files differ from its seal, one line each (empty: it matches).
    pub fn seal_mismatches(&self) -> Result<Vec<String>, EvidenceError> {
        if self.manifest.files.is_empty() {
            return Ok(vec!["the snapshot is not sealed (its manifest lists no file digests)".into()]);
        }
        let now = digests(&self.dir)?;
        let mut out = Vec::new();
        for (rel, sha) in &self.manifest.files {
            match now.get(rel) {
                None => out.push(format!("{rel} is missing")),
                Some(Err(e)) => out.push(format!("{rel}: {e}")),
                Some(Ok(s)) if s != sha => out.push(format!("{rel} was modified after collection (SHA-256 {s}, sealed {sha})")),
                _ => {}
            }
        }
        for (rel, d) in now.iter().filter(|(rel, _)| !self.manifest.files.contains_key(*rel)) {
            out.push(match d {
                Ok(_) => format!("{rel} was added after collection"),
                Err(e) => format!("{rel} was added after collection: {e}"),
            });
        }
        Ok(out)
    }

    /// Opens a snapshot whether or not it matches its seal (`--allow-modified-evidence`): how
    /// it differs is kept, for the results to say ([`Snapshot::modified`]).
    pub fn open_modified(dir: &Path) -> Result<Snapshot, EvidenceError> {
        let mut snap = Snapshot::open_unverified(dir)?;
        snap.modified = snap.seal_mismatches()?;
        snap.verified = snap.modified.is_empty();
        Ok(snap)
    }

    /// How the files differ from the seal (empty unless opened with
    /// [`Snapshot::open_modified`] and they do).
    pub fn modified(&self) -> &[String] {
        &self.modified
    }

    /// Opens a snapshot without checking its seal (to look at it, not to assess it).
    pub fn open_unverified(dir: &Path) -> Result<Snapshot, EvidenceError> {
        let mpath = dir.join("manifest.json");
        if !dir.is_dir() {
            return Err(EvidenceError::Corrupt { path: dir.to_path_buf(), message: "not a directory (expected an evidence snapshot)".into() });
        }
        let text = read_text(&mpath).map_err(io(&mpath))?;
        let manifest: Manifest =
            serde_json::from_str(&text).map_err(|e| EvidenceError::Corrupt { path: mpath.clone(), message: e.to_string() })?;
        if manifest.format != FORMAT {
            return Err(EvidenceError::Corrupt { path: mpath, message: format!("snapshot format {} (this tool reads {FORMAT})", manifest.format) });
        }
        let rpath = dir.join("records.jsonl");
        let f = open(&rpath).map_err(io(&rpath))?;
        let mut records = Vec::new();
        for (i, line) in BufReader::new(f).lines().enumerate() {
            let line = line.map_err(io(&rpath))?;
            if line.trim().is_empty() {
                continue;
            }
            records.push(serde_json::from_str(&line).map_err(|e| EvidenceError::Corrupt { path: rpath.clone(), message: format!("line {}: {e}", i + 1) })?);
        }
        let by_endpoint = records.iter().enumerate().map(|(i, r): (usize, &Record)| (format!("{} {}", r.source, r.endpoint), i)).collect();
        Ok(Snapshot { dir: dir.to_path_buf(), manifest, records, by_endpoint, verified: false, modified: Vec::new() })
    }

    pub fn record(&self, source: &str, endpoint: &str) -> Option<&Record> {
        self.by_endpoint.get(&format!("{source} {endpoint}")).map(|&i| &self.records[i])
    }

    /// The stored body of a single call, or why there is none.
    pub fn body(&self, source: &str, endpoint: &str) -> Result<Value, String> {
        let r = self.record(source, endpoint).ok_or_else(|| format!("{endpoint} was not collected"))?;
        if let Some(e) = &r.error {
            return Err(format!("{endpoint} failed: {e}"));
        }
        let stored = r.stored.as_deref().ok_or_else(|| format!("{endpoint}: no stored body"))?;
        let path = self.dir.join(stored);
        let shown = crate::limits::path(&path);
        let text = read_text(&path).map_err(|e| format!("{endpoint}: evidence file {shown}: {e}"))?;
        serde_json::from_str(&text).map_err(|e| format!("{endpoint}: evidence file {shown} is corrupt: {}", crate::limits::message(&e.to_string())))
    }

    /// Streams the lines of a keyed collection, calling `f(key, body)` for each.
    pub fn each_line(&self, rel: &str, mut f: impl FnMut(&str, Value)) -> Result<(), EvidenceError> {
        // Any JSON body is a Value: a line that is not one is corrupt, reported by each_typed.
        self.each_typed::<Value>(rel, |key, body| {
            if let Ok(body) = body {
                f(key, body)
            }
        })
    }

    /// Streams a keyed collection straight into `T` (no intermediate JSON tree: 50,000 inspect
    /// answers cost their typed fields). A body that is not a `T` is handed over as `Err` with
    /// its key, so the caller can say which object was oddly shaped.
    pub fn each_typed<T: serde::de::DeserializeOwned>(&self, rel: &str, mut f: impl FnMut(&str, Result<T, String>)) -> Result<(), EvidenceError> {
        let path = self.dir.join(rel);
        let file = match open(&path) {
            Ok(f) => f,
            // Nothing was stored there, unless a record says something was: then it is lost.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !self.stores(rel) => return Ok(()),
            Err(e) => return Err(EvidenceError::Io { path, source: e }),
        };
        #[derive(Deserialize)]
        struct Line<B> {
            key: String,
            body: B,
        }
        for (i, line) in BufReader::new(file).lines().enumerate() {
            let line = line.map_err(io(&path))?;
            match serde_json::from_str::<Line<T>>(&line) {
                Ok(l) => f(&l.key, Ok(l.body)),
                Err(typed) => {
                    // A line that is JSON but not a T: the key and why; anything else is corrupt.
                    let l: Line<Value> = serde_json::from_str(&line).map_err(|e| EvidenceError::Corrupt { path: path.clone(), message: format!("line {}: {e}", i + 1) })?;
                    f(&l.key, Err(typed.to_string()));
                }
            }
        }
        Ok(())
    }

    /// Whether a successful record says it stored an object's body in `rel` (`rel#key`; a list
    /// page names the file alone and may have had no items).
    fn stores(&self, rel: &str) -> bool {
        self.records.iter().any(|r| r.error.is_none() && r.stored.as_deref().and_then(|s| s.split_once('#')).is_some_and(|(file, _)| file == rel))
    }

    /// Why a paged list (records `GET <path> (page N)`) is incomplete, if it is.
    pub fn list_error(&self, source: &str, path: &str) -> Option<String> {
        let prefix = format!("GET {path} (page ");
        let pages: Vec<&Record> = self.records.iter().filter(|r| r.source == source && r.endpoint.starts_with(&prefix)).collect();
        if pages.is_empty() {
            return Some(format!("GET {path} was not collected"));
        }
        pages.iter().find_map(|r| r.error.as_ref().map(|e| format!("GET {path} failed at {}: {e}", &r.endpoint[4..])))
    }

    /// SHA-256 of a stored file (so findings can cite exactly what they were decided on),
    /// streamed: a big cluster's pod list is half a gigabyte.
    pub fn file_sha256(&self, rel: &str) -> Option<String> {
        use sha2::Digest;
        let mut hasher = sha2::Sha256::new();
        std::io::copy(&mut open(&self.dir.join(rel)).ok()?, &mut hasher).ok()?;
        Some(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Every stored answer's file, with its digest, for the results to cite.
    pub fn cited_files(&self) -> Vec<(String, String)> {
        let mut files: Vec<&str> = self.records.iter().filter_map(|r| r.stored.as_deref()).map(|s| s.split('#').next().unwrap_or(s)).collect();
        files.sort_unstable();
        files.dedup();
        // A verified snapshot's seal holds these digests already: half a gigabyte of pods is
        // not hashed twice.
        let sealed = |f: &str| self.manifest.files.get(f).filter(|_| self.verified).cloned();
        files.into_iter().filter_map(|f| sealed(f).or_else(|| self.file_sha256(f)).map(|h| (f.to_string(), h))).collect()
    }
}

/// A record for a call made now.
pub fn new_record(source: &str, endpoint: &str, time: String) -> Record {
    Record { source: source.into(), endpoint: endpoint.into(), time, status: None, sha256: None, stored: None, redacted: 0, error: None }
}

impl SnapshotWriter {
    /// Stores a text body (TOML, PEM) under `rel`.
    pub fn put_text(&self, mut record: Record, rel: &str, text: &str) -> Result<(), EvidenceError> {
        let path = self.dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(io(parent))?;
        }
        std::fs::write(&path, text).map_err(io(&path))?;
        record.stored = Some(rel.to_string());
        self.record(record);
        Ok(())
    }
}

impl Snapshot {
    /// The stored text of a single call, or why there is none.
    pub fn text(&self, source: &str, endpoint: &str) -> Result<String, String> {
        let r = self.record(source, endpoint).ok_or_else(|| format!("{endpoint} was not collected"))?;
        if let Some(e) = &r.error {
            return Err(format!("{endpoint} failed: {e}"));
        }
        let stored = r.stored.as_deref().ok_or_else(|| format!("{endpoint}: no stored body"))?;
        read_text(&self.dir.join(stored)).map_err(|e| format!("{endpoint}: evidence file {}: {e}", crate::limits::quote(stored)))
    }
}

impl SnapshotWriter {
    /// Appends an object to a `.jsonl` collection without a record of its own (list pages are
    /// recorded once per page).
    pub fn append_line(&self, rel: &str, key: &str, body: &Value) -> Result<(), EvidenceError> {
        let mut lines = self.lines.lock().expect("writer lock");
        if !lines.contains_key(rel) {
            let path = self.dir.join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            let f = File::create(&path).map_err(io(&path))?;
            lines.insert(rel.to_string(), BufWriter::new(f));
        }
        let w = lines.get_mut(rel).expect("just inserted");
        let line = serde_json::to_string(&serde_json::json!({ "key": key, "body": body })).expect("JSON values serialize");
        writeln!(w, "{line}").map_err(io(&self.dir.join(rel)))
    }
}
