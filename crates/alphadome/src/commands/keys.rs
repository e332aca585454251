//! `alphadome keys rotate`.

use crate::cli::KeysCommand;
use crate::config::{Config, MasterKeySource};
use crate::output;
use anyhow::Context;

/// Runs a keys command.
pub async fn run(config: &Config, cmd: KeysCommand) -> anyhow::Result<()> {
    let KeysCommand::Rotate { out } = cmd;
    let services = super::open(config).await?;
    let mut keyring = services.keyring();
    if let MasterKeySource::File(path) = &config.master_key {
        keyring.add_version();
        write_atomically(path, &keyring.to_text())
            .with_context(|| format!("cannot write the master key file {}", path.display()))?;
    }
    let rotation = services.rotate_secrets(&keyring).await?;
    if out.json {
        return output::json(&rotation);
    }
    output::line(&format!(
        "sealed {} secrets under master key version {} ({} already were)",
        rotation.resealed, rotation.key_version, rotation.current
    ));
    Ok(())
}

/// Replaces the key file in one step (a new file, mode 0600, renamed over the old), so a
/// crash leaves either the old keys or the new ones, never half a file.
fn write_atomically(path: &std::path::Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let tmp = path.with_extension("new");
    let _ = std::fs::remove_file(&tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp)?;
    file.write_all(text.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}
