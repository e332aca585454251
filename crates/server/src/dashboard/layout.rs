//! The page frame every dashboard page shares: readable at 360 px and on a desktop, no
//! JavaScript, no external assets.

use alphadome_service::AccountOut;
use maud::{DOCTYPE, Markup, html};

/// Mobile-first styles, inlined so the binary serves everything itself.
const STYLE: &str = "
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,sans-serif;color:#1b1f24;background:#f6f7f9}
header{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;justify-content:space-between;padding:.75rem 1rem;background:#0b5d3b;color:#fff}
header a,header button{color:#fff}main{max-width:60rem;margin:0 auto;padding:1rem}
h1{font-size:1.4rem;margin:.5rem 0 1rem}table{width:100%;border-collapse:collapse;background:#fff}
th,td{text-align:left;padding:.5rem;border-bottom:1px solid #e3e6ea;vertical-align:top}
form.inline{display:inline}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;max-width:24rem;padding:.6rem;font:inherit;border:1px solid #9aa3ad;border-radius:.3rem}
button{padding:.6rem 1rem;font:inherit;border:0;border-radius:.3rem;background:#0b5d3b;color:#fff;cursor:pointer}
header button{background:transparent;border:1px solid #fff}
.flash{padding:.75rem;border-radius:.3rem;margin-bottom:1rem}.error{background:#fde8e8;color:#8a1c1c}.ok{background:#e6f4ea;color:#0b5d3b}
.badge{display:inline-block;padding:0 .4rem;border-radius:.3rem;font-size:.85rem;background:#e3e6ea}.warn{background:#fff3cd}
@media (max-width:40rem){th.wide,td.wide{display:none}}
";

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
                style { (maud::PreEscaped(STYLE)) }
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
