//! Pages for website visitors, rendered on the server as plain HTML without the app's Wasm: the seal frame,
//! the verification page of a secure coded link, and a client's verified page. They are small and fast,
//! and everything shown is escaped by the view macro like any other page.

use crate::model::{SealState, UnsubscribeTarget};
use crate::services::seal_pages::{frame_size, PublicSeal, Verification, VerifiedPage};
use leptos::prelude::*;
use leptos::tachys::view::RenderHtml;

/// Styles of the public pages: inline, so that each is one response.
const PAGE_CSS: &str = "
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1d2733;background:#f4f6f8}
main{max-width:760px;margin:0 auto;padding:1.5rem 1rem 3rem}
header.brand{display:flex;align-items:center;gap:.8rem;margin-bottom:1rem}
header.brand img{max-height:56px;max-width:180px}
.card{background:#fff;border:1px solid #dde3e9;border-radius:10px;padding:1.2rem 1.4rem;margin:1rem 0}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.15rem;margin:0 0 .6rem}
.ok{color:#1f6f43}.bad{color:#a12a2a}.muted{color:#5b6875}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #eef1f4;vertical-align:top}
th{width:40%;font-weight:600;color:#3b4651}
.badge{display:inline-block;padding:.05rem .5rem;border-radius:999px;font-size:.85rem;background:#e7edf3}
.state-valid,.state-expiring{background:#dff3e6;color:#1f6f43}.state-expired,.state-invalidated{background:#f8e1e1;color:#a12a2a}
.state-upcoming{background:#fff3d6;color:#7a5600}
.verdict{display:flex;gap:.8rem;align-items:center}.verdict svg{width:48px;height:48px;flex:none}
a.button{display:inline-block;padding:.5rem .9rem;border-radius:6px;background:#1f5f8b;color:#fff;text-decoration:none;margin:.2rem .4rem .2rem 0}
a.button.secondary{background:#e7edf3;color:#1d2733}
button{font:inherit;padding:.5rem .9rem;border-radius:6px;border:0;background:#1f5f8b;color:#fff;cursor:pointer}
button.secondary{background:#e7edf3;color:#1d2733}
ul.sites{padding-left:1.1rem}
footer{font-size:.9rem;color:#5b6875;margin-top:2rem}
";

fn shield(color: &str) -> impl IntoView {
    view! {
        <svg viewBox="0 0 32 32" aria-hidden="true">
            <path fill=color.to_string() d="M16 2 4 7v8c0 7.4 5.1 13.8 12 15 6.9-1.2 12-7.6 12-15V7z"/>
            <path fill="#fff" d="m13.6 21.4-5-5 2.1-2.1 2.9 2.9 7.7-7.7 2.1 2.1z"/>
        </svg>
    }
}

fn document(title: String, body: impl IntoView + 'static) -> String {
    let html = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="robots" content="noindex"/>
                <title>{title}</title>
                <style>{PAGE_CSS}</style>
            </head>
            <body>{body}</body>
        </html>
    };
    format!("<!DOCTYPE html>{}", render(html))
}

/// Renders a view to a string inside its own reactive owner (there is no app around these pages).
fn render(view: impl RenderHtml + 'static) -> String {
    let owner = Owner::new();
    owner.with(|| view.to_html())
}

/// The seal frame. The link carries a freshly minted token; the page reloads itself before it expires.
pub fn seal_frame(seal: &PublicSeal, style: &str, link: &str, refresh_secs: i64) -> String {
    let (width, height) = frame_size(style);
    let css = format!(
        "html,body{{margin:0;padding:0;overflow:hidden;background:transparent}}
a.seal{{box-sizing:border-box;display:flex;align-items:center;gap:8px;width:{width}px;height:{height}px;padding:8px 10px;
border-radius:8px;text-decoration:none;font:12px/1.25 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;
box-shadow:0 1px 3px rgba(0,0,0,.25);background:{bg};color:{fg}}}
a.seal svg{{width:36px;height:36px;flex:none}} a.seal .t{{display:block;font-weight:700;font-size:13px}}
a.seal .s,a.seal .i,a.seal .c,a.seal .v{{display:block;overflow:hidden;white-space:nowrap;text-overflow:ellipsis}}
a.seal .c{{font-weight:600}} a.seal .text{{min-width:0}}",
        bg = seal.seal_color,
        fg = seal.seal_text_color,
    );
    let notary = style == "notary";
    let label = format!("{} – verified by {}. Opens the verification page.", seal.client.name, seal.issuer_name);
    let html = view! {
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta http-equiv="refresh" content=refresh_secs.to_string()/>
                <title>{seal.seal_title.clone()}</title>
                <style>{css}</style>
            </head>
            <body>
                <a class=format!("seal {style}") href=link.to_string() target="_blank" rel="noopener" aria-label=label>
                    {shield(&seal.seal_text_color)}
                    <span class="text">
                        <span class="t">{seal.seal_title.clone()}</span>
                        {(!seal.seal_subtitle.is_empty()).then(|| view! { <span class="s">{seal.seal_subtitle.clone()}</span> })}
                        {notary.then(|| view! {
                            <span class="c">{seal.client.name.clone()}</span>
                            <span class="v">{format!("Valid until {}", seal.valid_to.format("%d.%m.%Y"))}</span>
                        })}
                        <span class="i">{seal.issuer_name.clone()}</span>
                    </span>
                </a>
            </body>
        </html>
    };
    format!("<!DOCTYPE html>{}", render(html))
}

/// An empty frame (unknown seal, or not valid now): nothing to see.
pub fn empty_frame() -> String {
    "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Seal</title></head><body></body></html>"
        .to_string()
}

fn issuer_brand(issuer_id: &str, issuer_name: &str, has_logo: bool) -> impl IntoView {
    let logo = format!("/_app/logo/{issuer_id}");
    view! {
        <header class="brand">
            {has_logo.then(|| view! { <img src=logo alt=format!("{issuer_name} logo")/> })}
            <div><div class="muted">"Verified by"</div><strong>{issuer_name.to_string()}</strong></div>
        </header>
    }
}

/// `/c/{token}`: the short verified data behind a seal click.
pub fn verification_page(v: &Verification) -> String {
    let s = &v.seal;
    let c = &s.client;
    let place = [c.postal_code.as_str(), c.city.as_str()]
        .iter()
        .filter(|x| !x.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let body = view! {
        <main>
            {issuer_brand(&s.issuer_id, &s.issuer_name, s.issuer_has_logo)}
            <section class="card">
                <div class="verdict">
                    {shield("#1f6f43")}
                    <div>
                        <h1>{c.name.clone()}</h1>
                        <div class="ok">{format!("is verified by {}", s.issuer_name)}</div>
                    </div>
                </div>
            </section>
            <section class="card">
                <h2>"Verified data"</h2>
                <table>
                    <tr><th scope="row">"Company"</th><td>{c.name.clone()}</td></tr>
                    {(!c.registration_number.is_empty()).then(|| view! { <tr><th scope="row">"Registration number"</th><td>{c.registration_number.clone()}</td></tr> })}
                    {(!c.address.is_empty() || !place.is_empty()).then(|| view! { <tr><th scope="row">"Address"</th><td>{c.address.clone()}" "{place.clone()}</td></tr> })}
                    {(!c.country.is_empty()).then(|| view! { <tr><th scope="row">"Country"</th><td>{c.country.clone()}</td></tr> })}
                    <tr><th scope="row">"Certificate"</th><td>{s.type_name.clone()}" "{s.level.clone()}</td></tr>
                    <tr><th scope="row">"Valid"</th><td>{format!("{} – {}", s.valid_from.format("%d.%m.%Y"), s.valid_to.format("%d.%m.%Y"))}" "
                        <span class=format!("badge state-{}", v.state.as_str())>{state_text(v.state)}</span></td></tr>
                </table>
            </section>
            <p>
                <a class="button" href=v.back_to.clone() rel="noopener">"Back to website"</a>
                <a class="button secondary" href=v.verified_url.clone()>"See the verified page"</a>
            </p>
            <footer>"This page was reached through a secure coded link from the seal, valid for 10 minutes."</footer>
        </main>
    };
    document(format!("{} – verified by {}", c.name, s.issuer_name), body)
}

/// What a forged, expired or mismatched link shows: nothing about any client.
pub fn invalid_link_page() -> String {
    let body = view! {
        <main>
            <section class="card">
                <h1 class="bad">"This link is not valid"</h1>
                <p>"Seal verification links are made when a seal is clicked and work for 10 minutes, on the web site the seal belongs to."</p>
                <p>"Go back to the web site and click its seal again. If the seal is not on the company's own web site, do not trust it."</p>
            </section>
        </main>
    };
    document("This link is not valid".into(), body)
}

/// `/unsubscribe/{token}`: whether the link's client receives its issuer's newsletters, and the button that
/// changes it. `changed` says the visitor just pressed it.
pub fn unsubscribe_page(t: &UnsubscribeTarget, changed: bool) -> String {
    let (title, text) = match (t.unsubscribed, changed) {
        (true, true) => {
            ("You are unsubscribed", format!("{} will not receive newsletters from {} any more.", t.client, t.issuer))
        }
        (true, false) => {
            ("You are unsubscribed", format!("{} does not receive newsletters from {}.", t.client, t.issuer))
        }
        (false, true) => {
            ("You are subscribed again", format!("{} receives newsletters from {} again.", t.client, t.issuer))
        }
        (false, false) => {
            ("Unsubscribe from newsletters", format!("Stop newsletters from {} to {}?", t.issuer, t.client))
        }
    };
    let form = if t.unsubscribed {
        view! {
            <form method="post">
                <input type="hidden" name="subscribe" value="yes"/>
                <p class="muted">"Changed your mind?"</p>
                <button type="submit" class="secondary">"Subscribe again"</button>
            </form>
        }
        .into_any()
    } else {
        view! {
            <form method="post">
                <input type="hidden" name="List-Unsubscribe" value="One-Click"/>
                <button type="submit">"Unsubscribe"</button>
            </form>
        }
        .into_any()
    };
    let body = view! {
        <main>
            <section class="card">
                <h1>{title}</h1>
                <p>{text}</p>
                <p class="muted">"Messages about your certificates and seals are not newsletters: they still reach you."</p>
                {form}
            </section>
        </main>
    };
    document(title.into(), body)
}

pub fn invalid_unsubscribe_page() -> String {
    let body = view! {
        <main>
            <section class="card">
                <h1 class="bad">"This unsubscribe link is not valid"</h1>
                <p>"Use the link at the end of a newsletter you received. A link in a preview or a test unsubscribes nobody."</p>
            </section>
        </main>
    };
    document("This unsubscribe link is not valid".into(), body)
}

/// `/v/{issuer}/{path}`: a client's verified page.
pub fn verified_page(p: &VerifiedPage) -> String {
    let c = &p.client;
    let place = [c.postal_code.as_str(), c.city.as_str()]
        .iter()
        .filter(|x| !x.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ");
    let any_valid = p.seals.iter().any(|s| s.state.shows());
    let body = view! {
        <main>
            {issuer_brand(&p.issuer_id, &p.issuer_name, p.issuer_has_logo)}
            <section class="card">
                <div class="verdict">
                    {shield(if any_valid { "#1f6f43" } else { "#8a96a3" })}
                    <div>
                        <h1>{c.name.clone()}</h1>
                        {if any_valid {
                            view! { <div class="ok">{format!("holds a valid certificate of {}", p.issuer_name)}</div> }.into_any()
                        } else {
                            view! { <div class="bad">"has no valid certificate at the moment"</div> }.into_any()
                        }}
                    </div>
                </div>
            </section>
            <section class="card">
                <h2>"Company data"</h2>
                <table>
                    <tr><th scope="row">"Company"</th><td>{c.name.clone()}</td></tr>
                    {(!c.registration_number.is_empty()).then(|| view! { <tr><th scope="row">"Registration number"</th><td>{c.registration_number.clone()}</td></tr> })}
                    {(!c.address.is_empty()).then(|| view! { <tr><th scope="row">"Address"</th><td>{c.address.clone()}</td></tr> })}
                    {(!place.is_empty()).then(|| view! { <tr><th scope="row">"City"</th><td>{place.clone()}</td></tr> })}
                    {(!c.country.is_empty()).then(|| view! { <tr><th scope="row">"Country"</th><td>{c.country.clone()}</td></tr> })}
                    {(!c.industry.is_empty()).then(|| view! { <tr><th scope="row">"Industry"</th><td>{c.industry.clone()}</td></tr> })}
                </table>
            </section>
            <section class="card">
                <h2>"Commercial websites"</h2>
                {if p.domains.is_empty() {
                    view! { <p class="muted">"No web sites registered."</p> }.into_any()
                } else {
                    view! {
                        <ul class="sites">
                            {p.domains.iter().map(|d| view! {
                                <li><strong>{d.display.clone()}</strong>
                                    {(!d.description.is_empty()).then(|| view! { " – " {d.description.clone()} })}
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }}
            </section>
            <section class="card">
                <h2>"Certificates"</h2>
                {if p.seals.is_empty() {
                    view! { <p class="muted">"No certificates."</p> }.into_any()
                } else {
                    view! {
                        <table>
                            <thead><tr><th scope="col">"Type"</th><th scope="col">"Level"</th><th scope="col">"Valid"</th><th scope="col">"State"</th></tr></thead>
                            <tbody>
                                {p.seals.iter().map(|s| view! {
                                    <tr>
                                        <td>{s.type_name.clone()}</td>
                                        <td>{s.level.clone()}</td>
                                        <td>{format!("{} – {}", s.valid_from.format("%d.%m.%Y"), s.valid_to.format("%d.%m.%Y"))}</td>
                                        <td><span class=format!("badge state-{}", s.state.as_str())>{state_text(s.state)}</span></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }}
            </section>
            <footer>
                {format!("Verified page of {}", p.issuer_name)}
                {(!p.issuer_website.is_empty()).then(|| view! { " · " <a href=p.issuer_website.clone() rel="noopener">{p.issuer_website.clone()}</a> })}
                {(!p.issuer_email.is_empty()).then(|| view! { " · " {p.issuer_email.clone()} })}
                {(!p.issuer_phone.is_empty()).then(|| view! { " · " {p.issuer_phone.clone()} })}
            </footer>
        </main>
    };
    document(format!("{} – verified page", c.name), body)
}

/// On the verified page an expiring certificate is simply valid: visitors need not see the issuer's workflow.
fn state_text(state: SealState) -> &'static str {
    match state {
        SealState::Expiring => SealState::Valid.label(),
        other => other.label(),
    }
}

/// A plain 404 page for unknown verified pages.
pub fn not_found_page() -> String {
    let body = view! {
        <main><section class="card"><h1>"Page not found"</h1><p>"There is no verified page at this address."</p></section></main>
    };
    document("Page not found".into(), body)
}
