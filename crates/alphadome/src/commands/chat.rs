//! `alphadome chat`: the bot's answers, and why, from the command line.

use crate::cli::ChatArgs;
use crate::output;
use alphadome_service::Services;
use alphadome_service::engine::SimulateOut;
use std::io::BufRead;

/// Answers one message, or every line of standard input.
pub async fn run(services: &Services, args: ChatArgs) -> anyhow::Result<()> {
    let tenant = super::tenant_id(services, &args.slug).await?;
    if let Some(message) = &args.message {
        return print(&services.simulate(tenant, message).await?, args.out.json);
    }
    for line in std::io::stdin().lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        print(&services.simulate(tenant, &line).await?, args.out.json)?;
    }
    Ok(())
}

fn print(answer: &SimulateOut, json: bool) -> anyhow::Result<()> {
    if json {
        return output::json(answer);
    }
    output::line(&format!("bot: {}", answer.reply.as_deref().unwrap_or("(no reply)")));
    let mut why = format!("     [{}", answer.source.as_str());
    if let Some(question) = &answer.matched_question {
        why.push_str(&format!(": {question:?}"));
    }
    if let Some(score) = answer.score {
        why.push_str(&format!(", score {score:.2}"));
    }
    why.push(']');
    output::line(&why);
    Ok(())
}
