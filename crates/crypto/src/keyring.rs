//! Versioned master keys, read from text (`VERSION:BASE64KEY` per line; the highest
//! version seals) or created in a file with mode 0600 on first run.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Write;
use std::path::Path;

/// One 256-bit master key and its version.
#[derive(Clone)]
pub struct MasterKey {
    pub(crate) version: u32,
    pub(crate) bytes: [u8; 32],
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey(v{}, [redacted])", self.version)
    }
}

impl MasterKey {
    /// A fresh random key.
    pub fn generate(version: u32) -> Self {
        Self { version, bytes: crate::random_bytes() }
    }

    /// The key's version.
    pub fn version(&self) -> u32 {
        self.version
    }

    fn to_line(&self) -> String {
        format!("{}:{}", self.version, STANDARD.encode(self.bytes))
    }
}

/// Why a keyring could not be read or written. Never contains key material.
#[derive(Debug, thiserror::Error)]
pub enum KeyringError {
    /// The text is not `VERSION:BASE64KEY` lines.
    #[error("master key line {line}: {problem} (expected VERSION:BASE64 of 32 bytes)")]
    Malformed {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        problem: &'static str,
    },
    /// No key at all.
    #[error("the master key is empty")]
    Empty,
    /// The key file could not be read or written.
    #[error("master key file {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// All master key versions; the highest is current.
#[derive(Clone)]
pub struct Keyring {
    keys: BTreeMap<u32, MasterKey>,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Keyring(versions {:?}, [redacted])", self.keys.keys().collect::<Vec<_>>())
    }
}

impl Keyring {
    /// A keyring holding the given keys.
    pub fn new(keys: impl IntoIterator<Item = MasterKey>) -> Result<Self, KeyringError> {
        let keys: BTreeMap<_, _> = keys.into_iter().map(|k| (k.version, k)).collect();
        if keys.is_empty() {
            return Err(KeyringError::Empty);
        }
        Ok(Self { keys })
    }

    /// Parses `VERSION:BASE64KEY` lines (blank lines and `#` comments ignored). A bare
    /// base64 key on its own is version 1.
    pub fn parse(text: &str) -> Result<Self, KeyringError> {
        let mut keys = Vec::new();
        for (i, line) in text.lines().enumerate().map(|(i, l)| (i + 1, l.trim())) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            keys.push(parse_line(i, line)?);
        }
        Self::new(keys)
    }

    /// The key that seals new secrets.
    pub fn current(&self) -> &MasterKey {
        self.keys.values().next_back().expect("a keyring is never empty")
    }

    /// The key of a version, if this keyring has it.
    pub fn get(&self, version: u32) -> Option<&MasterKey> {
        self.keys.get(&version)
    }

    /// Adds a new current version and returns it.
    pub fn add_version(&mut self) -> &MasterKey {
        let version = self.current().version + 1;
        self.keys.insert(version, MasterKey::generate(version));
        self.current()
    }

    /// The keyring as text, for its file.
    pub fn to_text(&self) -> String {
        let mut text = String::from("# Alphadome master keys: VERSION:BASE64. Keep this file secret.\n");
        for key in self.keys.values() {
            text.push_str(&key.to_line());
            text.push('\n');
        }
        text
    }

    /// Reads the keyring file, creating it with one new key (mode 0600) if it does not exist.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyringError> {
        let io = |source| KeyringError::Io { path: path.display().to_string(), source };
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(&text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let ring = Self::new([MasterKey::generate(1)])?;
                ring.write_new(path).map_err(io)?;
                Ok(ring)
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Writes the keyring to a new file readable only by its owner.
    pub fn write_new(&self, path: &Path) -> std::io::Result<()> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path)?;
        file.write_all(self.to_text().as_bytes())?;
        file.sync_all()
    }
}

fn parse_line(line: usize, text: &str) -> Result<MasterKey, KeyringError> {
    let bad = |problem| KeyringError::Malformed { line, problem };
    let (version, b64) = match text.split_once(':') {
        Some((v, k)) => (v.trim().parse::<u32>().map_err(|_| bad("the version is not a number"))?, k.trim()),
        None => (1, text),
    };
    let bytes = STANDARD.decode(b64).map_err(|_| bad("the key is not base64"))?;
    let bytes: [u8; 32] = bytes.try_into().map_err(|_| bad("the key is not 32 bytes"))?;
    Ok(MasterKey { version, bytes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keyring_text_round_trips_and_newest_is_current() {
        let mut ring = Keyring::new([MasterKey::generate(1)]).unwrap();
        ring.add_version();
        let parsed = Keyring::parse(&ring.to_text()).unwrap();
        assert_eq!(parsed.current().version(), 2);
        assert!(parsed.get(1).is_some());
    }

    #[test]
    fn malformed_keys_are_refused_without_echoing_them() {
        let err = Keyring::parse("1:c2hvcnQ=").unwrap_err().to_string();
        assert!(err.contains("32 bytes") && !err.contains("c2hvcnQ"));
        assert!(matches!(Keyring::parse("# nothing\n"), Err(KeyringError::Empty)));
        assert!(format!("{:?}", MasterKey::generate(1)).contains("redacted"));
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_created_private_and_reused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/master.key");
        let first = Keyring::load_or_create(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = Keyring::load_or_create(&path).unwrap();
        assert_eq!(first.to_text(), again.to_text());
    }
}
