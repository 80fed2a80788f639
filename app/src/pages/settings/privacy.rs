//! Settings › Privacy: the customer data requests (GDPR, CCPA) Shopify forwarded to EcomCRM. The
//! app prepares each export; the merchant downloads it and sends it to the customer.

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::super::{CardHeading, with_card_data};
use crate::api::{self, DataExport, ExportStatus};
use crate::components::{Badge, Button, Card, DataTable, EmptyState, Tone, use_toast};
use crate::{download, format};

const HEADING: CardHeading = CardHeading {
    title: "Customer data requests",
    error_id: "privacy-error",
};

/// The "Customer data requests" card.
#[component]
pub fn CustomerDataRequests() -> impl IntoView {
    let exports = LocalResource::new(api::data_exports);
    view! {
        <div id="settings-privacy">
            {with_card_data(
                HEADING,
                exports,
                |exports: Vec<DataExport>| view! { <RequestList exports/> },
            )}
        </div>
    }
}

#[component]
fn RequestList(exports: Vec<DataExport>) -> impl IntoView {
    let intro = view! {
        <p class="p-text-secondary">
            "Shopify forwards your customers' requests for their data (GDPR, CCPA) here. "
            "EcomCRM prepares the export; you send it to the customer."
        </p>
    };
    if exports.is_empty() {
        return view! {
            <Card title=HEADING.title>
                {intro}
                <EmptyState heading="No customer data requests" id="privacy-empty">
                    <p>
                        "When a customer asks your store for a copy of their data, the request "
                        "appears here with an export you can download."
                    </p>
                </EmptyState>
            </Card>
        }
        .into_any();
    }
    let rows = exports.into_iter().map(row).collect();
    view! {
        <Card title=HEADING.title>
            {intro}
            <div class="p-card__table">
                <DataTable
                    headings=vec![
                        "Customer".into(),
                        "Requested".into(),
                        "Status".into(),
                        "Export".into(),
                    ]
                    rows
                    caption="Customer data requests"
                />
            </div>
        </Card>
    }
    .into_any()
}

fn row(export: DataExport) -> Vec<AnyView> {
    let customer = export
        .customer_shopify_id
        .clone()
        .unwrap_or_else(|| "Unknown (email only)".to_string());
    let requested = format::date(&export.created_at);
    let (tone, label) = badge(export.status);
    let action =
        (export.status == ExportStatus::Completed).then(|| view! { <DownloadButton export/> });
    vec![
        customer.into_any(),
        requested.into_any(),
        view! { <Badge tone>{label}</Badge> }.into_any(),
        action.into_any(),
    ]
}

fn badge(status: ExportStatus) -> (Tone, &'static str) {
    match status {
        ExportStatus::Pending => (Tone::Warning, "Preparing"),
        ExportStatus::Completed => (Tone::Success, "Ready"),
        ExportStatus::Redacted => (Tone::Neutral, "Customer erased"),
        ExportStatus::Unknown => (Tone::Neutral, "Unknown"),
    }
}

/// Fetches one export's document and saves it as a JSON file.
#[component]
fn DownloadButton(export: DataExport) -> impl IntoView {
    let toast = use_toast();
    let busy = RwSignal::new(false);
    let export = StoredValue::new(export);
    let download = Callback::new(move |()| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let export = export.get_value();
        spawn_local(async move {
            match api::data_export_document(&export.id).await {
                Ok(Some(document)) => match download::save_json(&export.file_name(), &document) {
                    Ok(()) => toast.show("Export downloaded"),
                    Err(_) => toast.show_error("Your browser blocked the download"),
                },
                Ok(None) => toast.show_error("This export is no longer available"),
                Err(error) => {
                    leptos::logging::error!("EcomCRM: export {} failed: {error}", export.id);
                    toast.show_error("Couldn't download the export. Try again.");
                }
            }
            // The merchant may have left the page while the export was loading.
            let _ = busy.try_set(false);
        });
    });
    view! {
        <Button on_click=download disabled=busy>
            {move || if busy.get() { "Downloading…" } else { "Download" }}
        </Button>
    }
}
