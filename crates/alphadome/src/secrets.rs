//! Reading credentials from where the operator put them: an environment variable, a file,
//! or standard input — never a command-line value, which `ps` would show.

use crate::cli::SecretArgs;
use alphadome_core::tenant::SecretFields;
use anyhow::{Context, bail};
use std::io::BufRead;
use std::path::Path;

/// The credentials named by the flags, read now.
pub fn read(args: &SecretArgs) -> anyhow::Result<Option<SecretFields>> {
    let fields = SecretFields {
        whatsapp_access_token: one(
            "WhatsApp token",
            args.wa_token_env.as_deref(),
            args.wa_token_file.as_deref(),
            args.wa_token_stdin,
        )?,
        whatsapp_app_secret: one(
            "app secret",
            args.wa_app_secret_env.as_deref(),
            args.wa_app_secret_file.as_deref(),
            false,
        )?,
        ai_api_key: one(
            "AI key",
            args.ai_key_env.as_deref(),
            args.ai_key_file.as_deref(),
            args.ai_key_stdin,
        )?,
    };
    let any = fields.present().next().is_some();
    Ok(any.then_some(fields))
}

/// A password from an environment variable, a file or standard input.
pub fn password(
    env: Option<&str>,
    file: Option<&Path>,
    stdin: bool,
) -> anyhow::Result<alphadome_crypto::SecretString> {
    match one("password", env, file, stdin)? {
        Some(p) => Ok(alphadome_crypto::SecretString::from(p)),
        None => bail!("give the password with --password-env VAR, --password-file PATH or --password-stdin"),
    }
}

fn one(what: &str, env: Option<&str>, file: Option<&Path>, stdin: bool) -> anyhow::Result<Option<String>> {
    let value = if let Some(var) = env {
        std::env::var(var)
            .with_context(|| format!("the environment variable {var} (for the {what}) is not set"))?
    } else if let Some(path) = file {
        std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the {what} from {}", path.display()))?
    } else if stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .with_context(|| format!("cannot read the {what} from standard input"))?;
        line
    } else {
        return Ok(None);
    };
    let value = value.trim().to_owned();
    if value.contains('\n') {
        bail!("the {what} must be a single line");
    }
    Ok(Some(value))
}
