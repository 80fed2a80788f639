//! Entry point of the WASM binary Trunk builds: it only installs the panic hook and mounts the app,
//! which lives in the library (lib.rs) so components can be tested and reused.

fn main() {
    // Panics otherwise surface as an opaque "unreachable" trap in the browser console.
    console_error_panic_hook::set_once();
    app::mount();
}
