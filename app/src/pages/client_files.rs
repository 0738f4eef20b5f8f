//! A client's own files on the client's page: upload (read in the browser, checked by the server), list,
//! remove; the seal e-mail offers them as attachments.

use crate::api::clients::{client_files, RemoveClientFile, UploadClientFile};
use crate::components::{described_by, file_size, last_error, when, FieldFrame};
use leptos::prelude::*;

#[component]
pub fn ClientFiles(client_id: String) -> impl IntoView {
    let upload = ServerAction::<UploadClientFile>::new();
    let remove = ServerAction::<RemoveClientFile>::new();
    let id = StoredValue::new(client_id);
    let files = LocalResource::new(move || {
        upload.version().track();
        remove.version().track();
        client_files(id.get_value())
    });
    let error = Signal::derive(move || last_error(upload.value()).get().or_else(|| last_error(remove.value()).get()));
    let local_error = RwSignal::new(None::<String>);
    let message = Signal::derive(move || {
        local_error.get().or_else(|| error.get().map(|e| e.for_field("file").unwrap_or_else(|| e.to_string())))
    });
    let on_file = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        crate::components::read_chosen_file(
            &ev,
            1024.0 * 1024.0,
            local_error,
            "The file is larger than 1 MB. Choose a smaller one.",
            move |filename, data_url| {
                upload.dispatch(UploadClientFile { client_id: id.get_value(), filename, data_url });
            },
        );
        #[cfg(not(feature = "hydrate"))]
        let _ = ev;
    };
    view! {
        <section class="panel">
            <h2>"Files"</h2>
            <p class="muted">"The client's own attachments (instructions, brochures): PDF, images or office documents, at most 1 MB each. Tick them when sending an e-mail from a certificate's page."</p>
            <FieldFrame id="client-file" label="Upload a file" error=message>
                <input id="client-file" type="file" aria-describedby=described_by("client-file", false) on:change=on_file/>
            </FieldFrame>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    files.await.map(|list| {
                        if list.is_empty() {
                            return view! { <p class="muted">"No files yet."</p> }.into_any();
                        }
                        view! {
                            <div class="table-wrap"><table>
                                <thead><tr><th scope="col">"File"</th><th scope="col">"Type"</th><th scope="col">"Size"</th><th scope="col">"Uploaded"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|f| {
                                        let file_id = f.id.clone();
                                        let label = format!("Remove {}", f.filename);
                                        view! {
                                            <tr>
                                                <td>{f.filename}</td><td class="small">{f.content_type}</td><td class="small nowrap">{file_size(f.size)}</td>
                                                <td class="small">{format!("{} · {}", when(&f.created_at), f.uploaded_by)}</td>
                                                <td><button type="button" class="link" aria-label=label on:click=move |_| {
                                                    remove.dispatch(RemoveClientFile { client_id: id.get_value(), file_id: file_id.clone() });
                                                }>"Remove"</button></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table></div>
                        }.into_any()
                    }).ok()
                })}
            </Suspense>
        </section>
    }
}
