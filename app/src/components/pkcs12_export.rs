//! "Make a .p12 / .pfx": after issuance, the customer's saved key file and the issued chain become a PKCS#12
//! file, in the browser. The key file is read into this page only; the chain is fetched from Signet.

use crate::components::FieldFrame;
use leptos::prelude::*;

#[component]
pub fn Pkcs12Export(
    /// Where the issued chain (PEM, leaf first) is downloaded from.
    chain_url: String,
    /// The name the file carries inside (the certificate's first name) and of the file.
    name: String,
) -> impl IntoView {
    let key_text = StoredValue::new(None::<String>);
    let key_file_name = RwSignal::new(None::<String>);
    let password = RwSignal::new(String::new());
    let export = RwSignal::new(String::new());
    let export2 = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let done = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let chain_url = StoredValue::new(chain_url);
    let name = StoredValue::new(name);

    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            let input: web_sys::HtmlInputElement = event_target(&ev);
            let Some(file) = input.files().and_then(|f| f.get(0)) else { return };
            if file.size() > 64.0 * 1024.0 {
                error.set(Some("This file is larger than any key file.".into()));
                return;
            }
            let file_name = file.name();
            leptos::task::spawn_local(async move {
                match crate::keygen::browser::read_text(&file).await {
                    Ok(text) => {
                        key_text.set_value(Some(text));
                        key_file_name.set(Some(file_name));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e.to_string())),
                }
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, key_text);
    };

    let build = move |_| {
        error.set(None);
        done.set(None);
        if key_text.with_value(|k| k.is_none()) {
            error.set(Some("Choose the private key file you saved when the CSR was made.".into()));
            return;
        }
        if export.get() != export2.get() {
            error.set(Some("The two export passwords differ.".into()));
            return;
        }
        if let Err(e) = crate::keygen::check_password(&export.get()) {
            error.set(Some(format!("Export password: {e}")));
            return;
        }
        busy.set(true);
        #[cfg(feature = "hydrate")]
        leptos::task::spawn_local(async move {
            use crate::keygen::browser;
            let run = async {
                browser::next_frame().await;
                let text = key_text.get_value().unwrap_or_default();
                let chain = browser::fetch_text(&chain_url.get_value()).await?;
                let p12 = browser::make_pkcs12(
                    text,
                    password.get_untracked(),
                    chain,
                    name.get_value(),
                    export.get_untracked(),
                )
                .await?;
                let file = crate::keygen::file_name(&name.get_value(), "p12");
                browser::save_file(&file, &p12, "application/x-pkcs12")?;
                Ok::<String, crate::keygen::KeygenError>(file)
            };
            match run.await {
                Ok(file) => {
                    password.set(String::new());
                    export.set(String::new());
                    export2.set(String::new());
                    done.set(Some(file));
                }
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
        #[cfg(not(feature = "hydrate"))]
        let _ = (chain_url, name);
    };

    view! {
        <div class="pkcs12-export">
            <p class="muted">"For servers and tools that import one file (IIS, Windows, Java, many appliances): your key file and the issued chain become a password-protected .p12 / .pfx, made in this browser."</p>
            {move || error.get().map(|e| view! { <div class="notice bad" role="alert">{e}</div> })}
            {move || done.get().map(|f| view! { <div class="notice ok" role="status">{format!("{f} is saved. Import it with the export password.")}</div> })}
            <div class="form-grid">
                <FieldFrame id="p12-key" label="Your private key file"
                    hint=move || key_file_name.get().map(|n| format!("{n} is read (it stays in this page).")).unwrap_or_default()>
                    <input id="p12-key" type="file" accept=".key,.pem,.txt" on:change=on_file/>
                </FieldFrame>
                <FieldFrame id="p12-password" label="Key file password">
                    <input id="p12-password" type="password" autocomplete="current-password" prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))/>
                </FieldFrame>
                <FieldFrame id="p12-export" label="New export password">
                    <input id="p12-export" type="password" autocomplete="new-password" prop:value=move || export.get() on:input=move |ev| export.set(event_target_value(&ev))/>
                </FieldFrame>
                <FieldFrame id="p12-export2" label="Export password again">
                    <input id="p12-export2" type="password" autocomplete="new-password" prop:value=move || export2.get() on:input=move |ev| export2.set(event_target_value(&ev))/>
                </FieldFrame>
            </div>
            <p class="actions"><button type="button" on:click=build disabled=move || busy.get()>"Build the .p12 file"</button></p>
        </div>
    }
}
