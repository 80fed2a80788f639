//! Built-in word lists for the demo store: names, streets, cities, product words, tags. All made up
//! or generic; emails use reserved example domains and phones the fictional 555 exchange, so demo
//! data can never reach a real person.

use super::currency::Currency;

#[rustfmt::skip]
pub const FIRST_NAMES: &[&str] = &[
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella", "James", "Mia", "William",
    "Amelia", "Benjamin", "Harper", "Lucas", "Evelyn", "Henry", "Abigail", "Theodore", "Emily", "Jack", "Ella",
    "Levi", "Elizabeth", "Alexander", "Camila", "Jackson", "Luna", "Mateo", "Sofia", "Daniel", "Avery", "Michael",
    "Mila", "Mason", "Aria", "Sebastian", "Scarlett", "Ethan", "Penelope", "Logan", "Layla", "Owen", "Chloe",
    "Samuel", "Victoria", "Jacob", "Madison", "Asher", "Eleanor", "Aiden", "Grace", "John", "Nora", "Joseph",
    "Riley", "Wyatt", "Zoey", "David", "Hannah", "Leo", "Hazel", "Luke", "Lily", "Julian", "Ellie", "Hudson",
    "Violet", "Grayson", "Lillian", "Matthew", "Zoe", "Ezra", "Stella", "Gabriel", "Aurora", "Carter", "Natalie",
    "Isaac", "Emilia", "Jayden", "Everly", "Lincoln", "Leah", "Anthony", "Aubrey", "Hugo", "Freya", "Arjun",
    "Priya", "Kenji", "Yuki", "Mohammed", "Fatima", "Lars", "Ingrid", "Pierre", "Chloé", "Lukas", "Marie", "Aroha",
    "Tane", "Siobhan", "Niamh",
];

#[rustfmt::skip]
pub const LAST_NAMES: &[&str] = &[
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
    "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee",
    "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker",
    "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Patel", "Kim", "Chen", "Singh", "Murphy",
    "O'Brien", "Kelly", "Müller", "Schmidt", "Dubois", "Laurent", "Jansen", "de Vries", "Tanaka", "Sato",
    "Nakamura", "Andersson", "Johansson", "Nielsen", "Hansen", "Cooper", "Reed", "Bailey", "Bell", "Cox", "Howard",
    "Ward", "Brooks", "Gray", "Price", "Bennett", "Wood", "Barnes", "Ross", "Henderson", "Coleman", "Jenkins",
    "Perry", "Powell", "Long", "Patterson", "Hughes", "Fraser", "MacDonald", "Walsh", "Ngata", "Parata", "Fischer",
    "Weber", "Rossi",
];

/// Reserved domains (RFC 2606 / 6761) so generated addresses can never be delivered.
#[rustfmt::skip]
pub const EMAIL_DOMAINS: &[&str] = &[
    "example.com", "example.net", "example.org", "mail.example", "inbox.example",
];

#[rustfmt::skip]
pub const STREETS: &[&str] = &[
    "Maple Street", "Oak Avenue", "Cedar Lane", "Pine Road", "Elm Street", "Willow Way", "Birch Drive",
    "Harbour Road", "High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Lake Shore Drive",
    "Sunset Boulevard", "King Street", "Queen Street", "Victoria Road", "Riverside Drive", "Hillcrest Road",
    "Meadow Lane", "Orchard Street", "Bridge Street", "Market Street", "Garden Terrace", "Forest Avenue",
    "Spring Street", "Valley Road", "Ocean View", "Chestnut Close",
];

/// A city with what the generator needs to localise an order.
#[derive(Debug, PartialEq, Eq, Hash)]
pub struct City {
    pub name: &'static str,
    pub province: &'static str,
    pub province_code: &'static str,
    pub country: &'static str,
    pub country_code: &'static str,
    /// The currency buyers there see when the shop sells in it.
    pub currency: Currency,
    /// Sales tax or VAT in basis points, applied on top of prices.
    pub tax_bp: i64,
    /// Relative share of customers.
    pub weight: u32,
    zip_kind: ZipKind,
}

#[derive(Debug, PartialEq, Eq, Hash)]
enum ZipKind {
    Us(u32),
    Ca(&'static str),
    Gb(&'static str),
    Au(u32),
    Eu(u32),
}

impl City {
    /// A postcode in the country's shape from a numeric seed.
    pub fn zip(&self, seed: u32) -> String {
        match self.zip_kind {
            ZipKind::Us(base) => format!("{:05}", base + seed % 90),
            ZipKind::Ca(prefix) => format!(
                "{prefix} {}{}{}",
                seed % 10,
                (b'A' + (seed / 10 % 26) as u8) as char,
                seed / 7 % 10
            ),
            ZipKind::Gb(prefix) => format!(
                "{prefix}{} {}{}{}",
                seed % 9 + 1,
                seed / 9 % 10,
                (b'A' + (seed / 3 % 26) as u8) as char,
                (b'A' + (seed / 5 % 26) as u8) as char
            ),
            ZipKind::Au(base) | ZipKind::Eu(base) => format!("{:04}", base + seed % 90),
        }
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "positional rows keep the city table readable"
)]
const fn city(
    name: &'static str,
    province: &'static str,
    province_code: &'static str,
    country: &'static str,
    country_code: &'static str,
    currency: Currency,
    tax_bp: i64,
    weight: u32,
    zip_kind: ZipKind,
) -> City {
    City {
        name,
        province,
        province_code,
        country,
        country_code,
        currency,
        tax_bp,
        weight,
        zip_kind,
    }
}

/// Weighted towards North America, like most Shopify stores' customer bases.
#[rustfmt::skip]
pub static CITIES: &[City] = &[
    city("New York", "New York", "NY", "United States", "US", Currency::Usd, 888, 14, ZipKind::Us(10001)),
    city("Los Angeles", "California", "CA", "United States", "US", Currency::Usd, 950, 12, ZipKind::Us(90001)),
    city("Chicago", "Illinois", "IL", "United States", "US", Currency::Usd, 1025, 8, ZipKind::Us(60601)),
    city("Houston", "Texas", "TX", "United States", "US", Currency::Usd, 825, 7, ZipKind::Us(77001)),
    city("Phoenix", "Arizona", "AZ", "United States", "US", Currency::Usd, 860, 5, ZipKind::Us(85001)),
    city("Seattle", "Washington", "WA", "United States", "US", Currency::Usd, 1035, 5, ZipKind::Us(98101)),
    city("Denver", "Colorado", "CO", "United States", "US", Currency::Usd, 881, 4, ZipKind::Us(80201)),
    city("Miami", "Florida", "FL", "United States", "US", Currency::Usd, 700, 5, ZipKind::Us(33101)),
    city("Atlanta", "Georgia", "GA", "United States", "US", Currency::Usd, 890, 4, ZipKind::Us(30301)),
    city("Boston", "Massachusetts", "MA", "United States", "US", Currency::Usd, 625, 4, ZipKind::Us(2108)),
    city("Portland", "Oregon", "OR", "United States", "US", Currency::Usd, 0, 3, ZipKind::Us(97201)),
    city("Austin", "Texas", "TX", "United States", "US", Currency::Usd, 825, 4, ZipKind::Us(73301)),
    city("Toronto", "Ontario", "ON", "Canada", "CA", Currency::Cad, 1300, 5, ZipKind::Ca("M5V")),
    city("Vancouver", "British Columbia", "BC", "Canada", "CA", Currency::Cad, 1200, 3, ZipKind::Ca("V6B")),
    city("Montréal", "Quebec", "QC", "Canada", "CA", Currency::Cad, 1498, 2, ZipKind::Ca("H2X")),
    city("London", "England", "ENG", "United Kingdom", "GB", Currency::Gbp, 2000, 5, ZipKind::Gb("EC")),
    city("Manchester", "England", "ENG", "United Kingdom", "GB", Currency::Gbp, 2000, 2, ZipKind::Gb("M")),
    city("Edinburgh", "Scotland", "SCT", "United Kingdom", "GB", Currency::Gbp, 2000, 1, ZipKind::Gb("EH")),
    city("Sydney", "New South Wales", "NSW", "Australia", "AU", Currency::Aud, 1000, 3, ZipKind::Au(2000)),
    city("Melbourne", "Victoria", "VIC", "Australia", "AU", Currency::Aud, 1000, 2, ZipKind::Au(3000)),
    city("Auckland", "Auckland", "AUK", "New Zealand", "NZ", Currency::Nzd, 1500, 1, ZipKind::Au(1010)),
    city("Berlin", "Berlin", "BE", "Germany", "DE", Currency::Eur, 1900, 2, ZipKind::Eu(10115)),
    city("Paris", "Île-de-France", "IDF", "France", "FR", Currency::Eur, 2000, 2, ZipKind::Eu(75001)),
    city("Amsterdam", "North Holland", "NH", "Netherlands", "NL", Currency::Eur, 2100, 1, ZipKind::Eu(1011)),
    city("Stockholm", "Stockholm", "AB", "Sweden", "SE", Currency::Sek, 2500, 1, ZipKind::Eu(11120)),
    city("Copenhagen", "Capital Region", "84", "Denmark", "DK", Currency::Dkk, 2500, 1, ZipKind::Eu(1050)),
    city("Zürich", "Zürich", "ZH", "Switzerland", "CH", Currency::Chf, 810, 1, ZipKind::Eu(8001)),
    city("Tokyo", "Tokyo", "JP-13", "Japan", "JP", Currency::Jpy, 1000, 1, ZipKind::Eu(1000)),
];

#[rustfmt::skip]
pub const LOCALES: &[&str] = &["en", "en", "en", "en", "fr", "de", "es", "nl", "ja", "sv"];

/// Customer tags; [`super::model::TagSet`] indexes this list, so keep it at most 16 long.
#[rustfmt::skip]
pub const CUSTOMER_TAGS: &[&str] = &[
    "VIP", "newsletter", "wholesale", "instagram", "tiktok", "referral", "returning", "gift-buyer", "eco",
    "student", "local-pickup", "loyalty-gold", "loyalty-silver", "influencer", "b2b", "staff",
];

#[rustfmt::skip]
pub const PRODUCT_ADJECTIVES: &[&str] = &[
    "Classic", "Organic", "Everyday", "Vintage", "Premium", "Essential", "Heritage", "Coastal", "Alpine", "Urban",
    "Soft", "Recycled", "Handmade", "Signature", "Weekend", "Midnight", "Sunrise", "Nordic", "Wild", "Studio",
];

/// (noun, product type, base price in USD, option kind)
#[rustfmt::skip]
pub const PRODUCT_NOUNS: &[(&str, &str, f64, OptionKind)] = &[
    ("Cotton Tee", "T-Shirts", 28.0, OptionKind::ColourSize),
    ("Hoodie", "Sweatshirts", 64.0, OptionKind::ColourSize),
    ("Crewneck", "Sweatshirts", 58.0, OptionKind::ColourSize),
    ("Beanie", "Hats", 24.0, OptionKind::Colour),
    ("Cap", "Hats", 30.0, OptionKind::Colour),
    ("Tote Bag", "Bags", 22.0, OptionKind::Colour),
    ("Backpack", "Bags", 89.0, OptionKind::Colour),
    ("Coffee Mug", "Kitchen", 18.0, OptionKind::None),
    ("Water Bottle", "Kitchen", 32.0, OptionKind::Size),
    ("Candle", "Home", 26.0, OptionKind::Scent),
    ("Throw Blanket", "Home", 79.0, OptionKind::Colour),
    ("Notebook", "Stationery", 14.0, OptionKind::None),
    ("Socks", "Accessories", 12.0, OptionKind::Size),
    ("Sunglasses", "Accessories", 49.0, OptionKind::Colour),
    ("Face Serum", "Skincare", 38.0, OptionKind::Size),
    ("Hand Cream", "Skincare", 16.0, OptionKind::Scent),
    ("Coffee Beans", "Pantry", 19.0, OptionKind::Size),
    ("Tea Sampler", "Pantry", 24.0, OptionKind::None),
    ("Yoga Mat", "Fitness", 68.0, OptionKind::Colour),
    ("Gift Card", "Gift Cards", 50.0, OptionKind::Denomination),
];

/// Which options a product's variants vary by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OptionKind {
    None,
    Colour,
    Size,
    ColourSize,
    Scent,
    Denomination,
}

#[rustfmt::skip]
pub const COLOURS: &[&str] = &["Black", "White", "Navy", "Sage", "Sand", "Rust"];
#[rustfmt::skip]
pub const SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
#[rustfmt::skip]
pub const SCENTS: &[&str] = &["Cedar", "Lavender", "Citrus", "Unscented"];
#[rustfmt::skip]
pub const DENOMINATIONS: &[(&str, f64)] = &[("$25", 25.0), ("$50", 50.0), ("$100", 100.0)];

#[rustfmt::skip]
pub const VENDORS: &[&str] = &[
    "Northwind Goods", "Harbour & Pine", "Fieldday Co.", "Lumen Studio", "Demo Brand",
];

#[rustfmt::skip]
pub const PRODUCT_TAGS: &[&str] = &[
    "new", "bestseller", "sale", "gift", "eco", "limited", "bundle",
];

/// (code, percent off); `BFCM25` is only used around Black Friday.
#[rustfmt::skip]
pub const DISCOUNT_CODES: &[(&str, i64)] = &[
    ("WELCOME10", 10), ("SPRING15", 15), ("VIP20", 20), ("FREESHIP", 0), ("BFCM25", 25),
];

#[rustfmt::skip]
pub const REFUND_NOTES: &[&str] = &[
    "Wrong size", "Damaged in transit", "Changed mind", "Arrived late", "Goodwill",
];

/// US area codes used with the fictional 555 exchange.
#[rustfmt::skip]
pub const AREA_CODES: &[u16] = &[
    212, 213, 312, 415, 503, 512, 617, 702, 713, 808, 206, 303, 305, 404, 602,
];
