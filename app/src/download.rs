//! Saving a document the app already holds as a file on the merchant's computer: a Blob, an object
//! URL and a temporary `<a download>` clicked once. Nothing goes back to the server.

use std::time::Duration;

use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Downloads `document` as pretty-printed JSON named `file_name`.
///
/// # Errors
/// A message for developers when the browser refuses a step (it is also logged to the console).
pub fn save_json(file_name: &str, document: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(document).map_err(|e| e.to_string())?;
    save(file_name, &text, "application/json").map_err(|e| {
        let detail = format!("could not save {file_name}: {e:?}");
        leptos::logging::error!("EcomCRM download: {detail}");
        detail
    })
}

fn save(file_name: &str, text: &str, mime: &str) -> Result<(), JsValue> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = Url::create_object_url_with_blob(&blob)?;

    let document = leptos::prelude::document();
    let link: HtmlAnchorElement = document.create_element("a")?.unchecked_into();
    link.set_href(&url);
    link.set_download(file_name);
    link.set_hidden(true);
    let body = document
        .body()
        .ok_or_else(|| JsValue::from_str("the page has no body"))?;
    body.append_child(&link)?;
    link.click();
    link.remove();
    // The browser reads the URL after the click returns; free it once the download has started.
    leptos::prelude::set_timeout(
        move || {
            let _ = Url::revoke_object_url(&url);
        },
        Duration::from_secs(10),
    );
    Ok(())
}
