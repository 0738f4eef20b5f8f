//! The Wasm entry point. The server renders every page; this only hydrates it.
// The views of a whole app make deep types; release builds need more room than the default 128.
#![recursion_limit = "256"]

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
