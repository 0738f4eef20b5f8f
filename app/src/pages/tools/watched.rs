//! The certificates watched for expiry on the self-signed tool's page: listed, handed in as PEM, let go.

use super::*;

#[component]
pub(super) fn WatchedCertificates(
    track: ServerAction<TrackCertificate>,
    untrack: ServerAction<UntrackCertificate>,
) -> impl IntoView {
    let list = Resource::new(move || (track.version().get(), untrack.version().get()), |_| list_tracked_certificates());
    let paste = RwSignal::new(String::new());
    view! {
        <section class="panel">
            <h2>"Certificates watched for expiry"</h2>
            <FormError error=last_error(track.value())/>
            <FormError error=last_error(untrack.value())/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match list.await {
                        // The operator, say, works in no issuer: nothing is wrong, there is just nothing here.
                        Err(crate::error::AppError::NotFound) => view! {
                            <p class="empty">"Certificates are watched for an issuer, and this account works in none: there is nothing to watch here."</p>
                        }.into_any(),
                        Err(e) => view! { <div class="notice bad">{e.to_string()}</div> }.into_any(),
                        Ok(certs) if certs.is_empty() => view! { <p class="empty">"No certificate is watched yet."</p> }.into_any(),
                        Ok(certs) => view! {
                            <div class="table-wrap"><table>
                                <thead><tr><th scope="col">"Common name"</th><th scope="col">"Issued by"</th><th scope="col">"Valid"</th><th scope="col">"Expires in"</th><th scope="col"></th></tr></thead>
                                <tbody>
                                    {certs.into_iter().map(|c| {
                                        let days = c.days_left;
                                        let class = if days < 0 { "expired" } else if days <= 30 { "expiring" } else { "" };
                                        let id = c.id.clone();
                                        view! {
                                            <tr>
                                                <td>{c.common_name.clone()}<br/><span class="small muted">{c.names.join(", ")}</span></td>
                                                <td>{if c.self_signed { "self-signed".to_string() } else { c.issued_by.clone() }}</td>
                                                <td>{format!("{} to {}", when(&c.not_before), when(&c.not_after))}</td>
                                                <td class=class>{if days < 0 { "expired".to_string() } else { format!("{days} days") }}</td>
                                                <td><button type="button" class="secondary" aria-label=format!("Stop watching {}", c.common_name)
                                                    on:click=move |_| { untrack.dispatch(UntrackCertificate { id: id.clone() }); }>"Stop watching"</button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any(),
                    }
                })}
            </Suspense>
            <details>
                <summary>"Watch another certificate"</summary>
                <FieldFrame id="ss-paste" label="Certificate (PEM)">
                    <textarea id="ss-paste" class="mono" rows="6" placeholder="-----BEGIN CERTIFICATE-----" prop:value=move || paste.get() on:input=move |ev| paste.set(event_target_value(&ev))></textarea>
                </FieldFrame>
                <p class="actions"><button type="button" on:click=move |_| { track.dispatch(TrackCertificate { certificate: paste.get() }); }>"Watch it"</button></p>
            </details>
        </section>
    }
}
