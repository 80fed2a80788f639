//! Polaris DataTable: rows of values with a header row; numeric columns align right so digits line
//! up. Cells are usually text, or small views such as a Badge or a Button.

use leptos::prelude::*;

/// A Polaris data table.
#[component]
pub fn DataTable<C>(
    /// Column headings, left to right.
    headings: Vec<String>,
    /// The cells, one `Vec` per row, in heading order: `String`s, or `AnyView`s for richer cells.
    rows: Vec<Vec<C>>,
    /// Which columns hold numbers (by index); those align right. Missing entries mean text.
    #[prop(optional)]
    numeric: Vec<bool>,
    /// Read by screen readers to name the table.
    #[prop(optional, into)]
    caption: Option<String>,
) -> impl IntoView
where
    C: IntoView + 'static,
{
    let is_numeric = move |column: usize| numeric.get(column).copied().unwrap_or(false);
    let header = headings
        .into_iter()
        .enumerate()
        .map(|(column, heading)| {
            view! {
                <th scope="col" class:p-data-table--numeric=is_numeric(column)>{heading}</th>
            }
        })
        .collect_view();
    let body = rows
        .into_iter()
        .map(|row| {
            let cells = row
                .into_iter()
                .enumerate()
                .map(|(column, cell)| {
                    view! { <td class:p-data-table--numeric=is_numeric(column)>{cell}</td> }
                })
                .collect_view();
            view! { <tr>{cells}</tr> }
        })
        .collect_view();
    view! {
        <div class="p-data-table">
            <table>
                {caption.map(|caption| view! { <caption class="p-visually-hidden">{caption}</caption> })}
                <thead>
                    <tr>{header}</tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
