//! "Issuer profile": the issuer's information and its people ("permissions" in the SafeSigned guide).

use crate::api::issuer::*;
use crate::components::{
    described_by, field_error, last_error, succeeded, when, AfterHydration, Field, FieldFrame, FormError, Saved,
};
use crate::error::AppError;
use crate::model::{validate, Issuer, Member, Role, Viewer};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn IssuerProfilePage() -> impl IntoView {
    let is_admin = use_context::<Viewer>().is_some_and(|v| v.is_issuer_admin());
    let update = ServerAction::<UpdateIssuerProfile>::new();
    let logo = ServerAction::<SetIssuerLogo>::new();
    let issuer = Resource::new(move || (update.version().get(), logo.version().get()), |_| get_issuer_profile());
    view! {
        <Title text="Issuer profile"/>
        <h1>"Issuer profile"</h1>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match issuer.await {
                    Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                    Ok(i) if is_admin => view! {
                        <ProfileForm issuer=i.clone() action=update/>
                        <ApprovalMode on=i.approval_mode/>
                        <ExpiryNotices days=i.expiry_notice_days.clone()/>
                        <AfterHydration><super::activity_reports::ActivitySchedule/></AfterHydration>
                        <AfterHydration><super::newsletters::IndustriesEditor/></AfterHydration>
                        <LogoForm issuer=i action=logo/>
                    }.into_any(),
                    Ok(i) => view! { <ProfileView issuer=i/> }.into_any(),
                }
            })}
        </Suspense>
        {is_admin.then(|| view! { <People/> })}
    }
}

#[component]
fn ProfileView(issuer: Issuer) -> impl IntoView {
    let row = |label: &'static str, value: String| view! { <tr><th scope="row">{label}</th><td>{value}</td></tr> };
    view! {
        <section class="panel">
            <p class="muted">"Only issuer admins can change the profile."</p>
            <table><tbody>
                {row("Name", issuer.name)}
                {row("Short name", issuer.slug)}
                {row("Address", issuer.address)}
                {row("City", format!("{} {}", issuer.postal_code, issuer.city))}
                {row("Country", issuer.country)}
                {row("Contact e-mail", issuer.contact_email)}
                {row("Contact phone", issuer.contact_phone)}
                {row("Website", issuer.website)}
                {row("Verified-pages host", issuer.verified_host.unwrap_or_default())}
            </tbody></table>
        </section>
    }
}

#[component]
fn ProfileForm(issuer: Issuer, action: ServerAction<UpdateIssuerProfile>) -> impl IntoView {
    let error = last_error(action.value());
    let e = move |f| field_error(error, f);
    view! {
        <section class="panel">
            <h2>"Issuer information"</h2>
            <Saved done=succeeded(action.value()) text="The issuer profile was saved."/>
            <FormError error/>
            <ActionForm action>
                <div class="form-grid">
                    <Field label="Issuer name" name="profile[name]" value=issuer.name required=true
                        rule=|v| validate::required(v, "issuer name", 200) error=e("name")/>
                    <Field label="Short name (slug)" name="profile[slug]" value=issuer.slug required=true
                        hint="Used in public addresses: /v/slug/client. Lower-case letters, digits, hyphens."
                        rule=validate::slug error=e("slug")/>
                    <Field label="Address" name="profile[address]" value=issuer.address autocomplete="street-address"
                        error=e("address")/>
                    <Field label="City" name="profile[city]" value=issuer.city autocomplete="address-level2" error=e("city")/>
                    <Field label="Postal code" name="profile[postal_code]" value=issuer.postal_code
                        autocomplete="postal-code" error=e("postal_code")/>
                    <Field label="Country" name="profile[country]" value=issuer.country autocomplete="country-name"
                        error=e("country")/>
                    <Field label="Contact e-mail" name="profile[contact_email]" kind="email" value=issuer.contact_email
                        rule=validate::optional_email error=e("contact_email")/>
                    <Field label="Contact phone" name="profile[contact_phone]" kind="tel" value=issuer.contact_phone
                        rule=validate::phone error=e("contact_phone")/>
                    <Field label="Website" name="profile[website]" kind="url" value=issuer.website
                        placeholder="https://" rule=validate::optional_url error=e("website")/>
                    <Field label="Verified-pages host (optional)" name="profile[verified_host]"
                        value=issuer.verified_host.unwrap_or_default()
                        hint="Your own host name for clients' verified pages, e.g. verified.example.org."
                        rule=validate::optional_host_name error=e("verified_host")/>
                </div>
                <div class="actions" style="margin-top:1rem"><button type="submit">"Save profile"</button></div>
            </ActionForm>
        </section>
    }
}

/// The logo is read in the browser and sent as a data URL; the server checks its type and size.
#[component]
fn LogoForm(issuer: Issuer, action: ServerAction<SetIssuerLogo>) -> impl IntoView {
    let error = last_error(action.value());
    let local_error = RwSignal::new(None::<String>);
    let logo_url = format!("/_app/logo/{}?v={}", issuer.id, action.version().get_untracked());
    let message = Signal::derive(move || {
        local_error.get().or_else(|| error.get().map(|e| e.for_field("logo").unwrap_or_else(|| e.to_string())))
    });
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        crate::components::read_chosen_file(
            &ev,
            256.0 * 1024.0,
            local_error,
            "The image is larger than 256 KB. Choose a smaller one.",
            move |_, url| {
                action.dispatch(SetIssuerLogo { logo: url });
            },
        );
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="panel">
            <h2>"Logo"</h2>
            <p class="muted">"Shown on your clients' verified pages. PNG, JPEG or WebP, at most 256 KB."</p>
            {issuer.has_logo.then(|| view! { <p><img class="logo-preview" src=logo_url alt="Current logo"/></p> })}
            <FieldFrame id="logo-file" label="Upload a new logo" error=message>
                <input id="logo-file" type="file" accept="image/png,image/jpeg,image/webp"
                    aria-describedby=described_by("logo-file", false) on:change=on_file/>
            </FieldFrame>
            {issuer.has_logo.then(|| view! {
                <button type="button" class="secondary" on:click=move |_| { action.dispatch(SetIssuerLogo { logo: String::new() }); }>
                    "Remove logo"
                </button>
            })}
        </section>
    }
}

#[component]
fn People() -> impl IntoView {
    let invite = ServerAction::<InviteMember>::new();
    let role = ServerAction::<SetMemberRole>::new();
    let remove = ServerAction::<RemoveMember>::new();
    let unlock = ServerAction::<UnlockMember>::new();
    let members = Resource::new(
        move || (invite.version().get(), role.version().get(), remove.version().get(), unlock.version().get()),
        |_| list_members(),
    );
    let invite_error = last_error(invite.value());
    let row_error = Signal::derive(move || {
        [last_error(role.value()).get(), last_error(remove.value()).get(), last_error(unlock.value()).get()]
            .into_iter()
            .flatten()
            .next()
    });
    view! {
        <section class="panel">
            <h2>"People"</h2>
            <p class="muted">"Issuer admins manage the profile and the people; issuer users work with clients and certificates."</p>
            <div class="notice-slot">
                {move || row_error.get().map(|e: AppError| view! { <div class="notice bad" role="alert">{e.to_string()}</div> })}
            </div>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match members.await {
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(list) => view! { <MemberTable members=list role remove unlock/> }.into_any(),
                    }
                })}
            </Suspense>
            <h2>"Invite a colleague"</h2>
            <Saved done=succeeded(invite.value()) text="The invitation was sent."/>
            <FormError error=invite_error/>
            <ActionForm action=invite>
                <div class="form-grid">
                    <Field label="Name" name="name" required=true rule=|v| validate::required(v, "name", 200)
                        error=field_error(invite_error, "name")/>
                    <Field label="E-mail" name="email" kind="email" required=true rule=validate::email
                        error=field_error(invite_error, "email")/>
                    <FieldFrame id="invite-role" label="Role">
                        <select id="invite-role" name="role">
                            <option value="user" selected>"Issuer user"</option>
                            <option value="admin">"Issuer admin"</option>
                        </select>
                    </FieldFrame>
                </div>
                <div class="actions" style="margin-top:1rem"><button type="submit">"Send invitation"</button></div>
            </ActionForm>
        </section>
    }
}

#[component]
fn MemberTable(
    members: Vec<Member>,
    role: ServerAction<SetMemberRole>,
    remove: ServerAction<RemoveMember>,
    unlock: ServerAction<UnlockMember>,
) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr>
                    <th scope="col">"Name"</th><th scope="col">"E-mail"</th><th scope="col">"Role"</th>
                    <th scope="col">"Status"</th><th scope="col">"Since"</th><th scope="col"><span class="sr-only">"Actions"</span></th>
                </tr></thead>
                <tbody>
                {members.into_iter().map(|m| {
                    let other_role = if m.role == Role::Admin { Role::User } else { Role::Admin };
                    let unlock_id = m.user_id.clone();
                    let role_id = m.user_id.clone();
                    let remove_id = m.user_id.clone();
                    let status = if m.locked {
                        view! { <span class="badge bad">"Locked"</span> }.into_any()
                    } else if m.pending {
                        view! { <span class="badge warn">"Invited"</span> }.into_any()
                    } else {
                        view! { <span class="badge ok">"Active"</span> }.into_any()
                    };
                    view! {
                        <tr>
                            <td>{m.name.clone()}</td>
                            <td>{m.email.clone()}</td>
                            <td>{m.role.label()}</td>
                            <td>{status}</td>
                            <td class="small">{when(&m.since)}</td>
                            <td class="actions">
                                {m.locked.then(move || view! {
                                    <ActionForm action=unlock>
                                        <input type="hidden" name="user_id" value=unlock_id/>
                                        <button type="submit" class="secondary small">"Unlock"</button>
                                    </ActionForm>
                                })}
                                <ActionForm action=role>
                                    <input type="hidden" name="user_id" value=role_id/>
                                    <input type="hidden" name="role" value=other_role.as_str()/>
                                    <button type="submit" class="secondary small">{format!("Make {}", other_role.label().to_lowercase())}</button>
                                </ActionForm>
                                <ActionForm action=remove>
                                    <input type="hidden" name="user_id" value=remove_id/>
                                    <button type="submit" class="danger small">"Remove"</button>
                                </ActionForm>
                            </td>
                        </tr>
                    }
                }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Approval mode: orders placed by issuer users and customers wait for an issuer admin.
#[component]
fn ApprovalMode(on: bool) -> impl IntoView {
    use crate::api::orders::SetApprovalMode;
    let set = ServerAction::<SetApprovalMode>::new();
    let current = RwSignal::new(on);
    view! {
        <section class="panel">
            <h2>"Approval mode"</h2>
            <p class="muted">"When on, certificate orders from issuer users and customers wait in “Pending approval” until an issuer admin approves them. Approvers get an e-mail."</p>
            <FormError error=last_error(set.value())/>
            <label><input type="checkbox" prop:checked=move || current.get() on:change=move |ev| {
                let v = event_target_checked(&ev);
                current.set(v);
                set.dispatch(SetApprovalMode { on: v });
            }/>" Orders need approval"</label>
            <Saved done=succeeded(set.value()) text="Approval mode saved."/>
        </section>
    }
}

#[component]
fn ExpiryNotices(days: Vec<i64>) -> impl IntoView {
    use crate::api::orders::SetExpiryNotices;
    let set = ServerAction::<SetExpiryNotices>::new();
    let error = last_error(set.value());
    let shown = days.iter().map(i64::to_string).collect::<Vec<_>>().join(", ");
    view! {
        <section class="panel">
            <h2>"Expiry reminders"</h2>
            <p class="muted">"The contacts of each certificate (and the extra addresses of its order) are reminded this many days before it expires, and once when it has expired — unless it was renewed, revoked or marked “do not renew”."</p>
            <FormError error/>
            <ActionForm action=set>
                <FieldFrame id="f-notice-days" label="Days before expiry" hint="Comma-separated, e.g. 30, 14, 7, 1."
                    error=field_error(error, "days")>
                    <input id="f-notice-days" name="days" value=shown aria-describedby=described_by("f-notice-days", true)/>
                </FieldFrame>
                <div class="actions"><button type="submit">"Save reminders"</button></div>
            </ActionForm>
            <Saved done=succeeded(set.value()) text="Reminder days saved."/>
        </section>
    }
}
