//! `alphadome tenant …`.

use crate::cli::{TenantCommand, TenantFieldArgs};
use crate::output;
use alphadome_core::tenant::TenantFields;
use alphadome_service::Services;
use alphadome_service::views::TenantOut;
use anyhow::{Context, bail};

/// Runs a tenant command.
pub async fn run(services: &Services, cmd: TenantCommand) -> anyhow::Result<()> {
    match cmd {
        TenantCommand::Create(args) => {
            let mut fields = to_fields(args.fields)?;
            fields.slug = Some(args.slug);
            fields.is_active = Some(args.active);
            let created = services.create_tenant(&fields, super::ACTOR).await?;
            if args.out.json {
                return output::json(&created);
            }
            crate::output::line(&format!("created tenant {} ({})", created.tenant.slug, created.tenant.id));
            crate::output::line(&format!("webhook path:          {}", created.tenant.webhook_path));
            crate::output::line(&format!(
                "webhook verify token:  {}  (shown once; paste it into Meta's webhook settings)",
                created.webhook_verify_token
            ));
            Ok(())
        }
        TenantCommand::List(out) => {
            let tenants: Vec<TenantOut> = services.tenants().await?.iter().map(TenantOut::from).collect();
            if out.json {
                return output::json(&tenants);
            }
            let rows: Vec<Vec<String>> = tenants
                .iter()
                .map(|t| {
                    vec![
                        t.slug.clone(),
                        t.client_name.clone(),
                        output::opt(&t.whatsapp_phone_number_id),
                        active(t.is_active).into(),
                    ]
                })
                .collect();
            output::table(&["SLUG", "NAME", "WA PHONE NUMBER ID", "STATUS"], &rows);
            Ok(())
        }
        TenantCommand::Show { slug, out } => show(&TenantOut::from(&services.tenant(&slug).await?), out.json),
        TenantCommand::Update(args) => {
            let fields = to_fields(args.fields)?;
            let tenant = services.update_tenant(&args.slug, &fields, super::ACTOR).await?;
            show(&TenantOut::from(&tenant), args.out.json)
        }
        TenantCommand::Activate { slug } => set_active(services, &slug, true).await,
        TenantCommand::Deactivate { slug } => set_active(services, &slug, false).await,
        TenantCommand::Delete { slug, yes } => {
            if !yes {
                bail!("deleting {slug} removes all its data for good; add --yes to confirm");
            }
            services.delete_tenant(&slug, super::ACTOR).await?;
            crate::output::line(&format!("deleted tenant {slug}"));
            Ok(())
        }
    }
}

async fn set_active(services: &Services, slug: &str, on: bool) -> anyhow::Result<()> {
    let tenant = services.set_tenant_active(slug, on, super::ACTOR).await?;
    crate::output::line(&format!("tenant {} is {}", tenant.slug, active(on)));
    Ok(())
}

fn active(on: bool) -> &'static str {
    if on { "active" } else { "inactive" }
}

fn to_fields(a: TenantFieldArgs) -> anyhow::Result<TenantFields> {
    let metadata = a
        .metadata
        .as_deref()
        .map(serde_json::from_str)
        .transpose()
        .context("--metadata must be a JSON object")?;
    Ok(TenantFields {
        slug: None,
        client_name: a.name,
        client_phone: a.phone,
        client_email: a.email,
        brand_id: a.brand_id,
        point_of_contact_name: a.contact_name,
        point_of_contact_phone: a.contact_phone,
        whatsapp_phone_number_id: a.wa_phone_number_id,
        whatsapp_business_account_id: a.wa_business_account_id,
        whatsapp_token_expires_at: a.wa_token_expires_at,
        ai_provider: a.ai_provider,
        ai_model: a.ai_model,
        ai_base_url: a.ai_base_url,
        is_active: None,
        is_verified: None,
        webhook_verify_token: a.webhook_verify_token,
        webhook_url: a.webhook_url,
        metadata,
        secrets: crate::secrets::read(&a.secrets)?,
    })
}

fn show(t: &TenantOut, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(t);
    }
    output::fields(&[
        ("slug", t.slug.clone()),
        ("id", t.id.to_string()),
        ("name", t.client_name.clone()),
        ("status", active(t.is_active).into()),
        ("phone", output::opt(&t.client_phone)),
        ("email", output::opt(&t.client_email)),
        (
            "contact",
            format!("{} {}", output::opt(&t.point_of_contact_name), output::opt(&t.point_of_contact_phone)),
        ),
        ("wa phone number id", output::opt(&t.whatsapp_phone_number_id)),
        ("wa business account", output::opt(&t.whatsapp_business_account_id)),
        ("wa access token", output::opt(&t.whatsapp_access_token)),
        ("wa token expires", output::opt(&t.whatsapp_token_expires_at)),
        ("wa app secret", output::opt(&t.whatsapp_app_secret)),
        ("ai", format!("{} {}", output::opt(&t.ai_provider), output::opt(&t.ai_model))),
        ("ai key", output::opt(&t.ai_api_key)),
        ("webhook path", t.webhook_path.clone()),
        ("webhook verify token", t.webhook_verify_token.clone()),
        ("created", t.created_at.to_rfc3339()),
    ]);
    Ok(())
}
