//! Demo products and variants: titles from the word lists, options by product kind, charm prices
//! in the shop currency, and a popularity table (a few bestsellers, a long tail) used when
//! filling carts.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::currency::Currency;
use super::ids::IdSeq;
use super::model::{Product, ProductStatus, Span, Variant};
use super::words::{
    COLOURS, DENOMINATIONS, OptionKind, PRODUCT_ADJECTIVES, PRODUCT_NOUNS, PRODUCT_TAGS, SCENTS,
    SIZES, VENDORS,
};

/// Products and variants plus the cumulative popularity of each product.
#[derive(Debug)]
pub struct Catalog {
    pub products: Vec<Product>,
    pub variants: Vec<Variant>,
    popularity_cdf: Vec<f64>,
}

/// How many products a store with `orders` orders carries.
pub fn product_count(orders: u32) -> usize {
    (orders as usize / 150).clamp(12, 400)
}

impl Catalog {
    /// Builds `count` products created between `start` and `end` (unix seconds).
    pub fn generate(
        rng: &mut ChaCha8Rng,
        currency: Currency,
        count: usize,
        start: i64,
        end: i64,
    ) -> Self {
        let mut product_ids = IdSeq::new(8_100_000_000_000, 40_000);
        let mut variant_ids = IdSeq::new(44_500_000_000_000, 9_000);
        let mut products = Vec::with_capacity(count);
        let mut variants = Vec::with_capacity(count * 4);
        let mut seen_titles = std::collections::HashSet::new();
        for index in 0..count {
            let (noun, product_type, base_usd, kind) = PRODUCT_NOUNS[index % PRODUCT_NOUNS.len()];
            let mut adjective = PRODUCT_ADJECTIVES[rng.random_range(0..PRODUCT_ADJECTIVES.len())];
            let mut title = format!("{adjective} {noun}");
            let mut edition = 2;
            while !seen_titles.insert(title.clone()) {
                adjective = PRODUCT_ADJECTIVES[rng.random_range(0..PRODUCT_ADJECTIVES.len())];
                title = format!("{adjective} {noun}");
                if edition > 4 {
                    title = format!("{adjective} {noun} No. {edition}");
                }
                edition += 1;
            }
            // Prices wander ±40% around the kind's base, then end in .99/.00/.50 like real price lists.
            let usd = base_usd * (0.6 + 0.8 * rng.random::<f64>());
            let price = charm(currency, currency.from_usd(usd));
            let created_at = start + ((end - start) as f64 * rng.random::<f64>().powf(1.8)) as i64;
            let first_variant = variants.len() as u32;
            let sku_stem: String = noun
                .split_whitespace()
                .map(|w| w[..w.len().min(3)].to_ascii_uppercase())
                .collect();
            for (n, (option_title, usd_override)) in
                option_titles(rng, kind).into_iter().enumerate()
            {
                let variant_price = usd_override.map_or(price, |u| currency.from_usd(u));
                let on_sale = rng.random_bool(0.12);
                variants.push(Variant {
                    id: variant_ids.next(rng),
                    product: index as u32,
                    title: option_title,
                    sku: format!("{sku_stem}-{:04}-{n}", index + 1),
                    price: variant_price,
                    compare_at_price: on_sale.then(|| charm(currency, variant_price * 5 / 4)),
                    inventory_quantity: rng.random_range(-3..250),
                });
            }
            let variant_count = variants.len() as u32 - first_variant;
            let tags: Vec<&'static str> = PRODUCT_TAGS
                .iter()
                .copied()
                .filter(|_| rng.random_bool(0.18))
                .collect();
            let status = match rng.random_range(0..100) {
                0..=3 => ProductStatus::Draft,
                4..=6 => ProductStatus::Archived,
                _ => ProductStatus::Active,
            };
            products.push(Product {
                id: product_ids.next(rng),
                handle: slug(&title),
                title,
                product_type,
                vendor: VENDORS[rng.random_range(0..VENDORS.len())],
                tags,
                status,
                created_at,
                updated_at: created_at + rng.random_range(0..(end - created_at).max(1)),
                variants: Span {
                    start: first_variant,
                    len: variant_count as u16,
                },
            });
        }
        // Zipf-like popularity: product k sells about 1/(k+1)^0.9 as often as the best seller.
        let mut order: Vec<usize> = (0..count).collect();
        for i in (1..order.len()).rev() {
            order.swap(i, rng.random_range(0..=i));
        }
        let mut weights = vec![0.0; count];
        for (rank, &product) in order.iter().enumerate() {
            let sellable = products[product].status == ProductStatus::Active;
            weights[product] = if sellable {
                1.0 / ((rank + 1) as f64).powf(0.9)
            } else {
                0.02
            };
        }
        let total: f64 = weights.iter().sum();
        let mut acc = 0.0;
        let popularity_cdf = weights
            .iter()
            .map(|w| {
                acc += w / total;
                acc
            })
            .collect();
        Self {
            products,
            variants,
            popularity_cdf,
        }
    }

    /// A variant index chosen by product popularity, then uniformly among the product's variants.
    pub fn pick_variant(&self, rng: &mut ChaCha8Rng) -> u32 {
        let u: f64 = rng.random();
        let product = self
            .popularity_cdf
            .partition_point(|c| *c < u)
            .min(self.products.len() - 1);
        let span = self.products[product].variants;
        span.start + rng.random_range(0..span.len.max(1)) as u32
    }
}

fn option_titles(rng: &mut ChaCha8Rng, kind: OptionKind) -> Vec<(String, Option<f64>)> {
    let pick = |rng: &mut ChaCha8Rng, list: &[&str], min: usize| -> Vec<String> {
        let n = rng.random_range(min..=list.len());
        let skip = rng.random_range(0..=list.len() - n);
        list[skip..skip + n].iter().map(|s| s.to_string()).collect()
    };
    match kind {
        OptionKind::None => vec![("Default Title".to_string(), None)],
        OptionKind::Colour => pick(rng, COLOURS, 1)
            .into_iter()
            .map(|c| (c, None))
            .collect(),
        OptionKind::Size => pick(rng, &SIZES[1..4], 2)
            .into_iter()
            .map(|s| (s, None))
            .collect(),
        OptionKind::Scent => pick(rng, SCENTS, 2)
            .into_iter()
            .map(|s| (s, None))
            .collect(),
        OptionKind::ColourSize => {
            let colours = pick(rng, COLOURS, 1);
            let colours = &colours[..colours.len().min(3)];
            let sizes = pick(rng, SIZES, 3);
            colours
                .iter()
                .flat_map(|c| sizes.iter().map(move |s| (format!("{c} / {s}"), None)))
                .collect()
        }
        OptionKind::Denomination => DENOMINATIONS
            .iter()
            .map(|(t, usd)| (t.to_string(), Some(*usd)))
            .collect(),
    }
}

/// Rounds a price to a typical shop ending: `.99` mostly, sometimes `.00` or `.50`.
fn charm(currency: Currency, minor: i64) -> i64 {
    if currency.exponent() == 0 {
        return ((minor + 50) / 100).max(1) * 100;
    }
    let whole = (minor / 100).max(1);
    match whole % 5 {
        0 => whole * 100,
        1 => whole * 100 + 50,
        _ => whole * 100 + 99,
    }
}

/// A Shopify-style handle: lower case, ASCII letters and digits joined by hyphens.
pub fn slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_charm_prices() {
        assert_eq!(slug("Classic Cotton Tee No. 3"), "classic-cotton-tee-no-3");
        assert_eq!(charm(Currency::Usd, 2734), 2799);
        assert_eq!(charm(Currency::Jpy, 4321), 4300);
    }
}
