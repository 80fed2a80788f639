//! Whether granted scopes cover the required ones. A merchant can edit the grant URL, so the
//! granted list is checked, not assumed (SHOPIFY.md §1.5). `write_x` implies `read_x`.

/// Required scopes that `granted` (comma separated, as Shopify returns it) does not cover.
pub fn missing<'a>(required: &'a [String], granted: &str) -> Vec<&'a str> {
    let granted: Vec<&str> = granted
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    required
        .iter()
        .map(String::as_str)
        .filter(|req| !covers(&granted, req))
        .collect()
}

fn covers(granted: &[&str], required: &str) -> bool {
    if granted.contains(&required) {
        return true;
    }
    // `read_x` is implied by `write_x`, also in the `unauthenticated_` family.
    let (prefix, rest) = match required.strip_prefix("unauthenticated_") {
        Some(r) => ("unauthenticated_", r),
        None => ("", required),
    };
    rest.strip_prefix("read_")
        .is_some_and(|obj| granted.contains(&format!("{prefix}write_{obj}").as_str()))
}

#[cfg(test)]
mod tests {
    use super::missing;

    fn req(s: &[&str]) -> Vec<String> {
        s.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn write_implies_read_and_gaps_are_listed() {
        let required = req(&["read_customers", "write_customers", "read_orders"]);
        assert!(missing(&required, "write_customers,read_orders").is_empty());
        assert_eq!(
            missing(&required, "read_customers"),
            vec!["write_customers", "read_orders"]
        );
        assert_eq!(
            missing(&req(&["unauthenticated_read_x"]), "unauthenticated_write_x"),
            Vec::<&str>::new()
        );
        assert_eq!(missing(&req(&["write_x"]), "read_x"), vec!["write_x"]);
    }
}
