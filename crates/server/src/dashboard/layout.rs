//! The page frame every dashboard page shares: readable at 360 px and on a desktop, usable
//! from the keyboard, no external assets.

use super::Visitor;
use alphadome_service::AccountOut;
use alphadome_store::Tenant;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// Mobile-first styles, inlined so the binary serves everything itself.
const STYLE: &str = "
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#0b5d3b;color:#fff}
header a,header button{color:#fff}main{max-width:60rem;margin:0 auto;padding:1rem}
a{color:#0b5d3b}:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
h1{font-size:1.4rem;margin:.5rem 0 1rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.scroll{overflow-x:auto}table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #e3e6ea;vertical-align:top;overflow-wrap:anywhere}
form.inline{display:inline}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
label.check{display:flex;gap:.5rem;align-items:center;font-weight:400}label.check input{width:auto}
input,select,textarea{width:100%;max-width:36rem;padding:.6rem;font:inherit;border:1px solid #9aa3ad;border-radius:.3rem;background:#fff}
textarea{min-height:6rem}
button{padding:.6rem 1rem;font:inherit;border:0;border-radius:.3rem;background:#0b5d3b;color:#fff;cursor:pointer;margin:.25rem 0}
button.secondary{background:#e3e6ea;color:#1b1f24}button.danger{background:#8a1c1c}
header button{background:transparent;border:1px solid #fff}
nav.tabs{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:0 0 1rem;padding:.5rem 0;border-bottom:1px solid #e3e6ea}
nav.tabs a{text-decoration:none;padding:.25rem 0}nav.tabs a[aria-current]{font-weight:700;border-bottom:3px solid #0b5d3b}
.flash{padding:.75rem;border-radius:.3rem;margin-bottom:1rem}.error{background:#fde8e8;color:#8a1c1c}.ok{background:#e6f4ea;color:#0b5d3b}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.85rem;background:#e3e6ea}.warn{background:#fff3cd}
.cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(10rem,1fr));gap:.75rem;margin-bottom:1rem}
.card{background:#fff;border:1px solid #e3e6ea;border-radius:.4rem;padding:.75rem}.card strong{display:block;font-size:1.4rem}
figure{margin:0 0 1rem;background:#fff;border:1px solid #e3e6ea;border-radius:.4rem;padding:.5rem}figure svg{width:100%;height:auto}
figcaption{font-weight:600}.legend span{margin-right:1rem}.in{color:#7aa7d6}.out{color:#0b5d3b}
.msg{max-width:85%;margin:.5rem 0;padding:.5rem .75rem;border-radius:.6rem;background:#fff;border:1px solid #e3e6ea}
.msg.outgoing{margin-left:auto;background:#e6f4ea}.msg small{display:block;color:#5a636d}
.secret{font-family:monospace;background:#fff3cd;padding:.5rem;word-break:break-all}
@media (max-width:40rem){th.wide,td.wide{display:none}main{padding:.75rem}}
";

/// Loads a chosen CSV file into the import form's text box: the one script, optional (the
/// file can be pasted instead).
pub const FILE_TO_TEXT: &str = "document.querySelectorAll('input[data-into]').forEach(function(i){\
i.addEventListener('change',function(){var f=i.files[0];if(!f)return;f.text().then(function(t){\
document.getElementById(i.dataset.into).value=t;});});});";

/// A whole page: `account` (when logged in) shows who is logged in and the logout button,
/// which carries the session's CSRF token.
pub fn page(title: &str, account: Option<(&AccountOut, &str)>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · Alphadome" }
                style { (PreEscaped(STYLE)) }
            }
            body {
                header {
                    a href="/dashboard" { strong { "Alphadome" } }
                    @if let Some((account, csrf)) = account {
                        span { (account.email) }
                        form.inline method="post" action="/dashboard/logout" {
                            input type="hidden" name="csrf" value=(csrf);
                            button type="submit" { "Log out" }
                        }
                    }
                }
                main { (body) }
            }
        }
    }
}

/// The pages of one tenant, in the order of its navigation.
const TABS: &[(&str, &str)] = &[
    ("", "Overview"),
    ("/conversations", "Conversations"),
    ("/review", "Review"),
    ("/knowledge", "Knowledge"),
    ("/chat", "Test chat"),
    ("/persona", "Persona"),
    ("/settings", "Switches"),
    ("/credentials", "Credentials"),
    ("/keys", "API keys"),
    ("/audit", "Audit log"),
];

/// A tenant's page: its name, the tenant navigation (with `tab` marked current), and `body`.
pub fn tenant_page(who: &Visitor, tenant: &Tenant, tab: &str, heading: &str, body: Markup) -> Markup {
    let name = &tenant.profile.client_name;
    let base = format!("/dashboard/t/{}", tenant.slug.as_str());
    let title = format!("{heading} · {name}");
    let content = html! {
        nav.tabs aria-label="Tenant pages" {
            @for (path, label) in TABS {
                @if *path == tab {
                    a href={ (base) (path) } aria-current="page" { (label) }
                } @else {
                    a href={ (base) (path) } { (label) }
                }
            }
        }
        h1 { (heading) small { " · " (name) } }
        (body)
    };
    page(&title, who.frame(), content)
}

/// The hidden CSRF field every logged-in form carries.
pub fn csrf_field(who: &Visitor) -> Markup {
    html! { input type="hidden" name="csrf" value=(who.csrf); }
}
