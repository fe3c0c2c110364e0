//! Files in and out of the browser: offering bytes as a download, and reading a file the user
//! picked.

use wasm_bindgen::JsCast;

/// Offers `bytes` as a file named `name` (the browser saves it to its downloads).
pub fn offer(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let fail = |_| "Браузер не смог сохранить файл.".to_owned();
    let window = web_sys::window().ok_or("Нет окна браузера.")?;
    let document = window.document().ok_or("Нет документа.")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type(mime);
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let anchor: web_sys::HtmlAnchorElement = document
        .create_element("a")
        .map_err(fail)?
        .dyn_into()
        .map_err(|_| "Браузер не смог сохранить файл.".to_owned())?;
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    // The download has started from the URL; it is no longer needed once the click returned.
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

/// The file chosen in an `<input type=file>` whose `change` this is.
pub fn chosen_file(ev: &leptos::ev::Event) -> Option<web_sys::File> {
    let input: web_sys::HtmlInputElement = ev.target()?.dyn_into().ok()?;
    let file = input.files()?.get(0);
    // The same file may be chosen again later.
    input.set_value("");
    file
}

/// Reads a whole file into memory.
pub async fn read_file(file: &web_sys::File) -> Result<Vec<u8>, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| "Файл не читается.".to_owned())?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
