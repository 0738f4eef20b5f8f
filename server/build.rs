//! Makes sure the embedded site folder exists (rust-embed needs it) and that this crate is rebuilt whenever
//! cargo-leptos writes a new site, so the binary always carries the current Wasm and CSS.

fn main() {
    let site = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/site");
    let _ = std::fs::create_dir_all(&site);
    println!("cargo:rerun-if-changed={}", site.display());
}
