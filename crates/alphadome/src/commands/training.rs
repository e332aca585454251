//! `alphadome training …`.

use crate::cli::TrainingCommand;
use crate::output;
use alphadome_core::training::DataType;
use alphadome_core::training_io::{self, Format};
use alphadome_service::Services;
use alphadome_service::views::TrainingOut;
use alphadome_store::TrainingQuery;
use anyhow::Context;
use std::io::{Read, Write};

/// Runs a training command.
pub async fn run(services: &Services, cmd: TrainingCommand) -> anyhow::Result<()> {
    match cmd {
        TrainingCommand::Import { slug, file, format, replace, out } => {
            let tenant = super::tenant_id(services, &slug).await?;
            let format = match format {
                Some(f) => f.parse::<Format>()?,
                None => Format::from_file_name(&file.to_string_lossy()),
            };
            let bytes = read_input(&file)?;
            let entries = services.import_training(tenant, format, &bytes, replace, super::ACTOR).await?;
            if out.json {
                return output::json(&serde_json::json!({ "imported": entries.len(), "replaced": replace }));
            }
            crate::output::line(&format!(
                "imported {} entries ({}) into {slug}",
                entries.len(),
                training_io::summary(&entries)
            ));
            Ok(())
        }
        TrainingCommand::Export { slug, format } => {
            let tenant = super::tenant_id(services, &slug).await?;
            let bytes = services.export_training(tenant, format.parse()?).await?;
            std::io::stdout().lock().write_all(&bytes)?;
            Ok(())
        }
        TrainingCommand::List { slug, search, data_type, out } => {
            let tenant = super::tenant_id(services, &slug).await?;
            let data_type = data_type.as_deref().map(str::parse::<DataType>).transpose()?;
            let entries =
                services.training(tenant, &TrainingQuery { data_type, search, ..Default::default() }).await?;
            let entries: Vec<TrainingOut> = entries.iter().map(TrainingOut::from).collect();
            if out.json {
                return output::json(&entries);
            }
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.data_type.clone(),
                        e.priority.to_string(),
                        clip(&e.question, 50),
                        clip(&e.answer, 60),
                    ]
                })
                .collect();
            output::table(&["TYPE", "PRIO", "QUESTION", "ANSWER"], &rows);
            Ok(())
        }
    }
}

/// Reads a whole file, or standard input for `-`, up to the import limit.
fn read_input(path: &std::path::Path) -> anyhow::Result<Vec<u8>> {
    let limit = 20 * 1024 * 1024 + 1;
    let mut bytes = Vec::new();
    if path.as_os_str() == "-" {
        std::io::stdin().lock().take(limit).read_to_end(&mut bytes)?;
    } else {
        let file = std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
        file.take(limit)
            .read_to_end(&mut bytes)
            .with_context(|| format!("cannot read {}", path.display()))?;
    }
    Ok(bytes)
}

fn clip(text: &str, max: usize) -> String {
    let one_line = text.replace('\n', " ");
    if one_line.chars().count() <= max {
        return one_line;
    }
    format!("{}…", one_line.chars().take(max - 1).collect::<String>())
}
