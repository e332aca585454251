//! `alphadome template …`.

use crate::cli::TemplateCommand;
use crate::output;
use alphadome_core::template::TemplateFields;
use alphadome_service::Services;
use alphadome_service::views::TemplateOut;
use anyhow::Context;

/// Runs a template command.
pub async fn run(services: &Services, cmd: TemplateCommand) -> anyhow::Result<()> {
    match cmd {
        TemplateCommand::Set(a) => {
            let tenant = super::tenant_id(services, &a.slug).await?;
            let system_prompt = match (&a.system_prompt, &a.system_prompt_file) {
                (Some(text), _) => Some(text.clone()),
                (None, Some(path)) => Some(
                    std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                ),
                (None, None) => None,
            };
            let conversation_context = a
                .context
                .as_deref()
                .map(serde_json::from_str)
                .transpose()
                .context("--context must be a JSON object")?;
            let fields = TemplateFields {
                template_name: None,
                description: a.description,
                system_prompt,
                conversation_context,
                tone: a.tone,
                max_response_length: a.max_response_length,
                is_active: a.active,
                is_default: a.default.then_some(true),
            };
            let saved = services.set_template(tenant, &a.name, &fields, super::ACTOR).await?;
            let out = TemplateOut::from(&saved);
            if a.out.json {
                return output::json(&out);
            }
            crate::output::line(&format!(
                "saved template {} for {}{}",
                out.template_name,
                a.slug,
                if out.is_default { " (default)" } else { "" }
            ));
            Ok(())
        }
        TemplateCommand::List { slug, out } => {
            let tenant = super::tenant_id(services, &slug).await?;
            let templates: Vec<TemplateOut> =
                services.templates(tenant).await?.iter().map(TemplateOut::from).collect();
            if out.json {
                return output::json(&templates);
            }
            let rows: Vec<Vec<String>> = templates
                .iter()
                .map(|t| {
                    let flags = [t.is_default.then_some("default"), (!t.is_active).then_some("inactive")];
                    let flags: Vec<&str> = flags.into_iter().flatten().collect();
                    vec![
                        t.template_name.clone(),
                        t.tone.clone(),
                        t.max_response_length.to_string(),
                        flags.join(","),
                    ]
                })
                .collect();
            output::table(&["NAME", "TONE", "MAX LEN", "FLAGS"], &rows);
            Ok(())
        }
    }
}
