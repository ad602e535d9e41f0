//! Writing output files so that nothing is lost: each document goes to a temporary file in the
//! same directory and is renamed into place, so a full disk, a crash or a kill mid-write never
//! leaves a truncated document or destroys the previous one. A symlink at the output path is not
//! followed (it could point anywhere), and an output path that is one of the inputs is refused
//! (`checklist import c.ckl -o c.ckl` would replace the assessor's checklist with OSCAL).

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{0}: is a symbolic link; refusing to write through it (remove it or choose another output)")]
    Symlink(String),
    #[error("{0}: is also an input of this command; refusing to overwrite it (choose another output)")]
    IsInput(String),
    #[error("{path}: cannot write: {error}")]
    Io { path: String, error: std::io::Error },
}

fn shown(p: &Path) -> String {
    crate::limits::message(&p.display().to_string())
}

/// Writes `bytes` to `path` atomically (temporary file in the same directory, flushed to disk,
/// then renamed over the target).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic_with(path, |w| w.write_all(bytes))
}

/// [`write_atomic`] for a document produced by a writer (a big assessment-results streams
/// straight to disk instead of being built in memory first).
pub fn write_atomic_with(path: &Path, produce: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<(), OutputError> {
    let io = |error| OutputError::Io { path: shown(path), error };
    if std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return Err(OutputError::Symlink(shown(path)));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "output".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let file = std::fs::OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let mut w = std::io::BufWriter::new(file);
        produce(&mut w)?;
        let file = w.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io)
}

/// Refuses an output path that names one of the inputs (after resolving `.`/`..` and symlinks).
pub fn refuse_input(out: &Path, inputs: &[&Path]) -> Result<(), OutputError> {
    let Ok(target) = out.canonicalize() else { return Ok(()) };
    if inputs.iter().filter_map(|i| i.canonicalize().ok()).any(|i| i == target) {
        return Err(OutputError::IsInput(shown(out)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_replace_the_file_whole_and_leave_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("out.json");
        std::fs::write(&f, "old").unwrap();
        write_atomic(&f, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "new");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1, "no temporary file left");
    }

    #[test]
    fn a_failing_writer_keeps_the_previous_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("out.json");
        std::fs::write(&f, "previous").unwrap();
        let err = write_atomic_with(&f, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "previous");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn symlinks_and_inputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "keep").unwrap();
        let link = dir.path().join("link.json");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(matches!(write_atomic(&link, b"x"), Err(OutputError::Symlink(_))));
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "keep");
        let input = dir.path().join("c.ckl");
        std::fs::write(&input, "<CHECKLIST/>").unwrap();
        let same = dir.path().join(".").join("c.ckl");
        assert!(matches!(refuse_input(&same, &[&input]), Err(OutputError::IsInput(_))));
        assert!(refuse_input(&dir.path().join("other.json"), &[&input]).is_ok());
    }
}
