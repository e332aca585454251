//! `alphadome handoff …`.

use crate::cli::HandoffCommand;
use crate::output;
use alphadome_service::Services;

/// Runs a hand-off command.
pub async fn run(services: &Services, cmd: HandoffCommand) -> anyhow::Result<()> {
    match cmd {
        HandoffCommand::List { slug, out } => {
            let tenant = super::tenant_id(services, &slug).await?;
            let handoffs = services.handoffs(tenant).await?;
            if out.json {
                return output::json(&handoffs);
            }
            if handoffs.is_empty() {
                output::line("no conversation is with a person");
            }
            for h in handoffs {
                output::line(&format!(
                    "{}  {}  since {}",
                    h.customer,
                    h.reason,
                    h.since.format("%Y-%m-%d %H:%M UTC")
                ));
            }
            Ok(())
        }
        HandoffCommand::Release { slug, customer } => {
            let tenant = super::tenant_id(services, &slug).await?;
            services.release_handoff(tenant, &customer, super::ACTOR).await?;
            output::line(&format!("the bot answers {customer} again"));
            Ok(())
        }
    }
}
