//! Reading a small configuration file safely: regular files only, a size cap, UTF-8 with or without a BOM.

use std::fs::File;
use std::io::Read;
use std::path::Path;

/// The largest configuration file read (`.sentryclirc`, `.env`); real ones are a few hundred bytes.
pub const MAX_CONFIG_FILE_BYTES: u64 = 256 * 1024;

/// Reads `path` as text. `Ok(None)` when there is no such file (or it is a directory, which never holds
/// settings); an error, saying what is wrong, for anything that is not a small regular UTF-8 file.
pub fn read_config_file(path: &Path) -> Result<Option<String>, String> {
    let metadata = match std::fs::metadata(path) {
        Ok(metadata) => metadata,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read it: {e}")),
    };
    if metadata.is_dir() {
        return Ok(None);
    }
    // A FIFO or a device (e.g. a link to /dev/zero) would block or never end: refuse before opening.
    check_regular(&metadata)?;
    let file = File::open(path).map_err(|e| format!("cannot read it: {e}"))?;
    // Checked again on the open file, in case it was swapped after the first look.
    check_regular(
        &file
            .metadata()
            .map_err(|e| format!("cannot read it: {e}"))?,
    )?;
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read it: {e}"))?;
    if bytes.len() as u64 > MAX_CONFIG_FILE_BYTES {
        return Err(too_large());
    }
    let text = bytes
        .strip_prefix(b"\xEF\xBB\xBF".as_slice())
        .unwrap_or(&bytes);
    String::from_utf8(text.to_vec())
        .map(Some)
        .map_err(|_| "it is not UTF-8 text; save it as UTF-8".to_owned())
}

fn check_regular(metadata: &std::fs::Metadata) -> Result<(), String> {
    if !metadata.is_file() {
        return Err(
            "it is not a regular file (a FIFO, socket or device); replace it with a regular file or remove it"
                .to_owned(),
        );
    }
    if metadata.len() > MAX_CONFIG_FILE_BYTES {
        return Err(too_large());
    }
    Ok(())
}

fn too_large() -> String {
    format!(
        "it is larger than {} KiB, too large for a configuration file",
        MAX_CONFIG_FILE_BYTES / 1024
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_text_and_drops_a_bom() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("rc");
        std::fs::write(&file, b"\xEF\xBB\xBF[auth]\n").unwrap();
        assert_eq!(
            read_config_file(&file).unwrap().as_deref(),
            Some("[auth]\n")
        );
    }

    #[test]
    fn missing_files_and_directories_hold_nothing() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(read_config_file(&dir.path().join("none")).unwrap(), None);
        assert_eq!(read_config_file(dir.path()).unwrap(), None);
    }

    #[test]
    fn refuses_oversized_and_binary_files() {
        let dir = tempfile::tempdir().unwrap();
        let big = dir.path().join("big");
        std::fs::write(&big, vec![b'a'; MAX_CONFIG_FILE_BYTES as usize + 1]).unwrap();
        assert!(read_config_file(&big).unwrap_err().contains("too large"));
        let binary = dir.path().join("bin");
        std::fs::write(&binary, [0xff, 0xfe, 0x00]).unwrap();
        assert!(read_config_file(&binary).unwrap_err().contains("UTF-8"));
    }

    #[cfg(unix)]
    #[test]
    fn refuses_devices_without_reading_them() {
        let dir = tempfile::tempdir().unwrap();
        let link = dir.path().join("rc");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let err = read_config_file(&link).unwrap_err();
        assert!(err.contains("not a regular file"), "{err}");
    }
}
