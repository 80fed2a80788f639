//! A batch of records of one resource, built from bulk file groups (a root line and its
//! children) and written in one transaction.

use chrono::{DateTime, Utc};

use super::admin_json::{
    self, BadRecord, CheckoutJson, CustomerJson, ImageJson, LineJson, OrderJson, ProductJson,
    VariantJson,
};
use super::jsonl::{FileError, Group, parent_of};
use super::records::{
    CheckoutRecord, CustomerRecord, LineItem, OrderRecord, ProductRecord, Resource,
};
use super::write;
use crate::db::ShopTx;

/// Records of one resource.
#[derive(Debug, Default)]
pub enum Records {
    #[default]
    Empty,
    Customers(Vec<CustomerRecord>),
    Orders(Vec<OrderRecord>),
    Products(Vec<ProductRecord>),
    Checkouts(Vec<CheckoutRecord>),
}

/// A batch ready to write.
#[derive(Debug, Default)]
pub struct Batch {
    pub records: Records,
    /// File lines the batch consumed (skipped records included).
    pub lines: i64,
    pub max_updated_at: Option<DateTime<Utc>>,
}

impl Batch {
    /// Records in the batch.
    pub fn len(&self) -> usize {
        match &self.records {
            Records::Empty => 0,
            Records::Customers(r) => r.len(),
            Records::Orders(r) => r.len(),
            Records::Products(r) => r.len(),
            Records::Checkouts(r) => r.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0 && self.lines == 0
    }

    /// Writes the records; returns how many there were.
    pub async fn write(
        &self,
        tx: &mut ShopTx,
        history: Option<DateTime<Utc>>,
    ) -> sqlx::Result<i64> {
        match &self.records {
            Records::Empty => {}
            Records::Customers(r) => {
                write::customers(tx, r).await?;
            }
            Records::Orders(r) => {
                write::orders(tx, r, history).await?;
            }
            Records::Products(r) => {
                write::products(tx, r).await?;
            }
            Records::Checkouts(r) => {
                write::checkouts(tx, r).await?;
            }
        }
        Ok(self.len() as i64)
    }
}

/// Turns groups into a batch.
pub struct Builder {
    resource: Resource,
    currency: String,
    batch: Batch,
    /// Records that did not parse (skipped, so one bad record cannot stall an import).
    pub skipped: u64,
    pub first_error: Option<String>,
}

impl Builder {
    pub fn new(resource: Resource, currency: String) -> Self {
        Self {
            resource,
            currency,
            batch: Batch::default(),
            skipped: 0,
            first_error: None,
        }
    }

    pub fn len(&self) -> usize {
        self.batch.len()
    }

    pub fn is_empty(&self) -> bool {
        self.batch.is_empty()
    }

    /// Hands over the batch built so far.
    pub fn take(&mut self) -> Batch {
        std::mem::take(&mut self.batch)
    }

    /// Adds one group. A record that does not parse is skipped (counted); children that name
    /// another parent mean the file is not grouped, which no record can survive: an error.
    pub fn add(&mut self, group: Group) -> Result<(), FileError> {
        self.batch.lines += group.lines;
        match self.record(&group) {
            Ok(()) => Ok(()),
            Err(Bad::File(e)) => Err(e),
            Err(Bad::Record(e)) => {
                self.skipped += 1;
                if self.first_error.is_none() {
                    self.first_error = Some(e.to_string());
                }
                Ok(())
            }
        }
    }

    fn note(&mut self, updated: DateTime<Utc>) {
        let max = &mut self.batch.max_updated_at;
        if max.is_none_or(|m| m < updated) {
            *max = Some(updated);
        }
    }

    fn record(&mut self, group: &Group) -> Result<(), Bad> {
        match self.resource {
            Resource::Customers => {
                let c =
                    admin_json::parse::<CustomerJson>("customer", &group.root)?.into_record()?;
                self.note(c.updated_at);
                push(
                    &mut self.batch.records,
                    c,
                    Records::Customers,
                    |r| match r {
                        Records::Customers(v) => Some(v),
                        _ => None,
                    },
                );
            }
            Resource::Orders => {
                let o = admin_json::parse::<OrderJson>("order", &group.root)?;
                let lines = lines(o.gid(), &group.children)?;
                let o = o.into_record(Some(lines))?;
                self.note(o.updated_at);
                push(&mut self.batch.records, o, Records::Orders, |r| match r {
                    Records::Orders(v) => Some(v),
                    _ => None,
                });
            }
            Resource::Products => {
                let p = admin_json::parse::<ProductJson>("product", &group.root)?;
                check_parents(p.gid(), &group.children)?;
                let mut variants = Vec::new();
                let mut images = Vec::new();
                for child in &group.children {
                    if child.contains("\"gid://shopify/ProductVariant/") {
                        variants.push(admin_json::parse::<VariantJson>("variant", child)?);
                    } else {
                        images.push(admin_json::parse::<ImageJson>("image", child)?);
                    }
                }
                let p = p.into_record(Some((variants, images)), &self.currency)?;
                self.note(p.updated_at);
                push(&mut self.batch.records, p, Records::Products, |r| match r {
                    Records::Products(v) => Some(v),
                    _ => None,
                });
            }
            Resource::Checkouts => {
                let c = admin_json::parse::<CheckoutJson>("checkout", &group.root)?;
                let lines = lines(c.gid(), &group.children)?;
                let c = c.into_record(Some(lines))?;
                self.note(c.updated_at);
                push(
                    &mut self.batch.records,
                    c,
                    Records::Checkouts,
                    |r| match r {
                        Records::Checkouts(v) => Some(v),
                        _ => None,
                    },
                );
            }
        }
        Ok(())
    }
}

/// Why a group could not be added.
enum Bad {
    Record(BadRecord),
    File(FileError),
}

impl From<BadRecord> for Bad {
    fn from(e: BadRecord) -> Self {
        Bad::Record(e)
    }
}

/// Every child must name the root it follows (`groupObjects: true`).
fn check_parents(gid: &str, children: &[String]) -> Result<(), Bad> {
    match children
        .iter()
        .filter_map(|c| parent_of(c))
        .find(|p| *p != gid)
    {
        Some(other) => Err(Bad::File(FileError::Orphan {
            line: 0,
            parent: other.to_string(),
        })),
        None => Ok(()),
    }
}

fn lines(gid: &str, children: &[String]) -> Result<Vec<LineItem>, Bad> {
    check_parents(gid, children)?;
    children
        .iter()
        .map(|c| Ok(admin_json::parse::<LineJson>("line item", c)?.into_line()?))
        .collect()
}

/// Appends to the batch's vector of this kind, creating it on the first record.
fn push<T>(
    records: &mut Records,
    item: T,
    make: fn(Vec<T>) -> Records,
    get: fn(&mut Records) -> Option<&mut Vec<T>>,
) {
    if let Some(v) = get(records) {
        v.push(item);
    } else {
        *records = make(vec![item]);
    }
}
