//! Bulk query operations (SHOPIFY.md §9.3): `bulkOperationRunQuery`, `bulkOperationCancel`,
//! `currentBulkOperation`, `bulkOperation(id:)`, `node(id:)`, the JSONL result file and the
//! `bulk_operations/finish` webhook.
//!
//! The inner query is parsed and validated against the Admin schema, then checked like Shopify:
//! one root connection (`customers`, `orders`, `products` or `abandonedCheckouts` here), at least
//! one and at most five connections, nested connections at most two levels below the root; the
//! nested connections the sim can serve are `Order.lineItems`, `Product.variants`,
//! `Product.images` and `AbandonedCheckout.lineItems` (others are refused with `INVALID` and a
//! message naming the sim). Root `query:`/`sortKey:`/`reverse:` apply; `first` and nested page
//! sizes are ignored, as on Shopify. At most five operations run at once
//! (`OPERATION_IN_PROGRESS` beyond).
//!
//! Lifetime: the mutation answers `CREATED`; right after the request the operation turns
//! `RUNNING` and a background task writes the file once, a page of root records at a time through
//! a `BufWriter`, to a temporary file of its own (counting `objectCount`, `rootObjectCount`,
//! `fileSize`). It stops early, removing the file, if the operation is cancelled or failed
//! meanwhile. Once the file is complete and at least
//! [`super::SimConfig::bulk_operation_delay_ms`] have passed since it started, it marks the
//! operation `COMPLETED` with `url`, then sends `bulk_operations/finish`. If the file cannot be
//! written the operation turns `FAILED` with `INTERNAL_SERVER_ERROR` instead.
//! `POST /_sim/shops/{shop}/bulk_operations/{N}/fail` fails a running one (also with the
//! webhook). The operation reads a snapshot of the records taken when it was created.
//!
//! The file (`GET /shops/{shop}/bulk_operations/{N}/result.jsonl`, the operation's `url`; 404
//! until `COMPLETED`) is streamed from disk in [`SERVE_CHUNK`]-byte pieces, so every read serves
//! the same bytes and memory stays flat however big the store: one JSON object per line, each
//! nested connection's nodes as separate lines right after their parent with `"__parentId"` (the
//! parent's gid) as last key. The file belongs to a [`ResultFile`] shared by the operation and
//! any reads in progress; it is removed when the last of them drops (the shop replaced, the
//! state dropped, a read finished after that).

use std::fs::{File, OpenOptions};
use std::io::{BufWriter, Write};
use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use async_graphql_parser::types::{
    DocumentOperations, ExecutableDocument, Field, OperationType, Selection, SelectionSet,
};
use axum::body::{Body, Bytes};
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::Response;
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value as Json, json};
use tokio::io::AsyncReadExt;

use super::admin_schema::{AdminSchema, admin_schema};
use super::connections::{Cursor, PageArgs, page, root_kind};
use super::mutate::MutationEnv;
use super::records::{Kind, Nested, Records};
use super::resolve::{Ctx, Resolved, RootField};
use super::state::{ShopInfo, SimShop, SimState};
use super::validate::validate_document;
use super::web::json_response;
use super::webhooks::{WebhookDelivery, send_webhook};

/// Operations that may be CREATED or RUNNING at once per shop (2026-01+).
pub const MAX_RUNNING: usize = 5;
/// Most connections in one bulk query.
const MAX_CONNECTIONS: usize = 5;
/// Deepest nesting of connections below the root connection.
const MAX_NESTING: usize = 2;
/// Root records per generated chunk of the file.
const CHUNK_ROOTS: usize = 200;
/// The webhook topic sent when an operation ends.
pub const FINISH_TOPIC: &str = "bulk_operations/finish";
/// Bytes per piece when the file is served.
pub const SERVE_CHUNK: usize = 16 * 1024;
/// Buffer of the writer that fills the file.
const WRITE_BUFFER: usize = 256 * 1024;

/// Distinguishes the files of simulators in one process that reuse domains and numbers.
static FILE_SEQUENCE: AtomicU64 = AtomicU64::new(0);

/// An operation's JSONL file in the temporary directory, removed when dropped.
#[derive(Debug)]
pub struct ResultFile {
    path: PathBuf,
}

impl ResultFile {
    /// Creates a new, empty file named after the process, the shop and the operation.
    fn create(domain: &str, number: u64) -> std::io::Result<(Self, File)> {
        let sequence = FILE_SEQUENCE.fetch_add(1, Ordering::Relaxed);
        let domain: String = domain
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '_'
                }
            })
            .collect();
        let name = format!(
            "shopify-sim-{}-{sequence}-{domain}-{number}.jsonl",
            std::process::id()
        );
        let path = std::env::temp_dir().join(name);
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok((Self { path }, file))
    }

    /// Where the file is.
    pub fn path(&self) -> &FsPath {
        &self.path
    }
}

impl Drop for ResultFile {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path)
            && e.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!("shopify-sim: could not remove {}: {e}", self.path.display());
        }
    }
}

/// One bulk operation.
#[derive(Debug, Clone)]
pub struct BulkOp {
    pub number: u64,
    pub id: String,
    /// `CREATED`, `RUNNING`, `COMPLETED`, `CANCELED`, `FAILED`.
    pub status: String,
    pub error_code: Option<String>,
    pub query: String,
    pub group_objects: bool,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub object_count: u64,
    pub root_object_count: u64,
    pub file_size: Option<u64>,
    /// Set once completed.
    pub url: Option<String>,
    /// Where the file will be served.
    pub result_url: String,
    /// The written file, set once completed.
    pub result: Option<Arc<ResultFile>>,
    /// The records as they were when the operation was created.
    pub snapshot: Records,
    pub info: ShopInfo,
    started: bool,
}

impl BulkOp {
    pub fn is_running(&self) -> bool {
        self.status == "CREATED" || self.status == "RUNNING"
    }
}

fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The `BulkOperation` object.
pub fn node(op: &BulkOp) -> Json {
    json!({
        "__typename": "BulkOperation",
        "id": op.id,
        "status": op.status,
        "errorCode": op.error_code,
        "createdAt": iso(op.created_at),
        "completedAt": op.completed_at.map(iso),
        "objectCount": op.object_count.to_string(),
        "rootObjectCount": op.root_object_count.to_string(),
        "fileSize": op.file_size.map(|s| s.to_string()),
        "url": op.url,
        "partialDataUrl": Json::Null,
        "query": op.query,
        "type": "QUERY",
    })
}

/// `node(id:)` for a bulk operation gid.
pub fn find_node(ops: &[BulkOp], id: &str) -> Json {
    ops.iter().find(|op| op.id == id).map_or(Json::Null, node)
}

/// `currentBulkOperation(type:)` and `bulkOperation(id:)`.
pub fn query_root(ctx: &Ctx<'_>, root: &RootField<'_>) -> Resolved {
    let ops = ctx.bulk_operations;
    let value = if root.name == "bulkOperation" {
        let id = root.args.get("id").and_then(Json::as_str).unwrap_or("");
        find_node(ops, id)
    } else {
        let ty = root
            .args
            .get("type")
            .and_then(Json::as_str)
            .unwrap_or("QUERY");
        if ty == "QUERY" {
            ops.last().map_or(Json::Null, node)
        } else {
            Json::Null
        }
    };
    Resolved::Value(value)
}

fn user_error(code: &str, message: impl Into<String>) -> Json {
    json!({"__typename": "BulkOperationUserError", "field": ["query"], "message": message.into(), "code": code})
}

fn payload(op: Option<&BulkOp>, errors: Vec<Json>) -> Resolved {
    Resolved::Value(json!({
        "__typename": "BulkOperationRunQueryPayload",
        "bulkOperation": op.map_or(Json::Null, node),
        "userErrors": errors,
    }))
}

/// `bulkOperationRunQuery(query:, groupObjects:)`.
pub fn run_query(env: &MutationEnv<'_>, shop: &mut SimShop, args: &Map<String, Json>) -> Resolved {
    let query = args
        .get("query")
        .and_then(Json::as_str)
        .unwrap_or("")
        .to_string();
    if let Err(message) = Plan::new(&query) {
        return payload(None, vec![user_error("INVALID", message)]);
    }
    if let Some(running) = shop
        .bulk
        .iter()
        .filter(|op| op.is_running())
        .nth(MAX_RUNNING - 1)
    {
        return payload(
            None,
            vec![user_error(
                "OPERATION_IN_PROGRESS",
                format!(
                    "A bulk query operation for this app and shop is already in progress: {}.",
                    running.id
                ),
            )],
        );
    }
    let number = 4_100_000_000 + env.ids.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let op = BulkOp {
        number,
        id: format!("gid://shopify/BulkOperation/{number}"),
        status: "CREATED".into(),
        error_code: None,
        query,
        group_objects: args
            .get("groupObjects")
            .and_then(Json::as_bool)
            .unwrap_or(false),
        created_at: env.now,
        completed_at: None,
        object_count: 0,
        root_object_count: 0,
        file_size: None,
        url: None,
        result: None,
        result_url: format!(
            "{}/shops/{}/bulk_operations/{number}/result.jsonl",
            env.base_url.trim_end_matches('/'),
            shop.info.domain
        ),
        snapshot: shop.records.clone(),
        info: shop.info.clone(),
        started: false,
    };
    let answer = payload(Some(&op), vec![]);
    shop.bulk.push(op);
    answer
}

/// `bulkOperationCancel(id:)`: a running operation becomes `CANCELED` (Shopify passes through
/// `CANCELING`; the sim settles at once).
pub fn cancel(env: &MutationEnv<'_>, shop: &mut SimShop, args: &Map<String, Json>) -> Resolved {
    let id = args.get("id").and_then(Json::as_str).unwrap_or("");
    let (op, errors) = match shop.bulk.iter_mut().find(|op| op.id == id) {
        None => (
            None,
            vec![
                json!({"__typename": "UserError", "field": ["id"], "message": "Bulk operation does not exist"}),
            ],
        ),
        Some(op) if !op.is_running() => (
            Some(node(op)),
            vec![json!({"__typename": "UserError", "field": Json::Null,
                "message": format!("A bulk operation cannot be canceled when it is {}", op.status.to_ascii_lowercase())})],
        ),
        Some(op) => {
            op.status = "CANCELED".into();
            op.completed_at = Some(env.now);
            (Some(node(op)), vec![])
        }
    };
    Resolved::Value(json!({
        "__typename": "BulkOperationCancelPayload",
        "bulkOperation": op,
        "userErrors": errors,
    }))
}

/// A nested connection whose nodes become separate lines.
#[derive(Debug, Clone)]
struct Split {
    key: String,
    children: Vec<Split>,
}

/// A validated bulk query.
#[derive(Debug)]
pub struct Plan {
    doc: ExecutableDocument,
    kind: Kind,
    args: PageArgs,
    splits: Vec<Split>,
}

fn fields<'a>(doc: &'a ExecutableDocument, set: &'a SelectionSet, out: &mut Vec<&'a Field>) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => out.push(&f.node),
            Selection::InlineFragment(inline) => fields(doc, &inline.node.selection_set.node, out),
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = doc.fragments.get(&spread.node.fragment_name.node) {
                    fields(doc, &fragment.node.selection_set.node, out);
                }
            }
        }
    }
}

/// The node selection sets of a connection field (`nodes {…}`, `edges { node {…} }`).
fn node_sets<'a>(doc: &'a ExecutableDocument, connection: &'a Field) -> Vec<&'a SelectionSet> {
    let mut top = Vec::new();
    fields(doc, &connection.selection_set.node, &mut top);
    let mut sets = Vec::new();
    for f in top {
        match f.name.node.as_str() {
            "nodes" => sets.push(&f.selection_set.node),
            "edges" => {
                let mut inner = Vec::new();
                fields(doc, &f.selection_set.node, &mut inner);
                sets.extend(
                    inner
                        .into_iter()
                        .filter(|g| g.name.node == "node")
                        .map(|g| &g.selection_set.node),
                );
            }
            _ => {}
        }
    }
    sets
}

fn is_connection(schema: &AdminSchema, type_name: &str) -> bool {
    type_name.ends_with("Connection")
        && schema
            .get(type_name)
            .is_some_and(|t| t.fields.contains_key("edges"))
}

/// Walks the node selection of a connection: counts connections, checks depth and support, and
/// returns the nested connections to split out.
fn walk(
    schema: &AdminSchema,
    doc: &ExecutableDocument,
    sets: &[&SelectionSet],
    node_type: &str,
    depth: usize,
    count: &mut usize,
) -> Result<Vec<Split>, String> {
    let mut splits: Vec<Split> = Vec::new();
    for set in sets {
        let mut list = Vec::new();
        fields(doc, set, &mut list);
        for f in list {
            let name = f.name.node.as_str();
            let Some(def) = schema.field(node_type, name) else {
                continue;
            };
            let target = def.ty.named().to_string();
            if is_connection(schema, &target) {
                *count += 1;
                if depth + 1 > MAX_NESTING {
                    return Err(format!(
                        "Bulk queries cannot contain connections nested more than {MAX_NESTING} levels deep."
                    ));
                }
                let supported = matches!(
                    (node_type, name),
                    ("Order", "lineItems")
                        | ("Product", "variants" | "images")
                        | ("AbandonedCheckout", "lineItems")
                );
                if !supported {
                    return Err(format!(
                        "shopify-sim serves nested connections Order.lineItems, Product.variants, Product.images and AbandonedCheckout.lineItems in bulk queries, not {node_type}.{name}"
                    ));
                }
                let child_type = schema
                    .field(&target, "nodes")
                    .map(|d| d.ty.named().to_string())
                    .unwrap_or_default();
                let child_sets = node_sets(doc, f);
                let children = walk(schema, doc, &child_sets, &child_type, depth + 1, count)?;
                let key = f.response_key().node.to_string();
                if !splits.iter().any(|s| s.key == key) {
                    splits.push(Split { key, children });
                }
            } else if !f.selection_set.node.items.is_empty() {
                // Connections inside plain objects (e.g. `customer { orders }`) count too.
                let mut inner = 0;
                walk(
                    schema,
                    doc,
                    &[&f.selection_set.node],
                    &target,
                    depth,
                    &mut inner,
                )?;
                if inner > 0 {
                    return Err(format!(
                        "shopify-sim does not serve connections under {node_type}.{name} in bulk queries"
                    ));
                }
            }
        }
    }
    Ok(splits)
}

impl Plan {
    /// Parses and checks a bulk query; the error is the `INVALID` user error's message.
    pub fn new(query: &str) -> Result<Self, String> {
        let schema = admin_schema()?;
        let doc = async_graphql_parser::parse_query(query)
            .map_err(|e| format!("Invalid bulk query: {e}"))?;
        if let Some(v) = validate_document(schema, &doc).first() {
            return Err(format!("Invalid bulk query: {}", v.message));
        }
        let op = match &doc.operations {
            DocumentOperations::Single(op) => op,
            DocumentOperations::Multiple(ops) if ops.len() == 1 => ops
                .values()
                .next()
                .ok_or("Invalid bulk query: no operation")?,
            DocumentOperations::Multiple(_) => {
                return Err("Invalid bulk query: only one operation is allowed".into());
            }
        };
        if op.node.ty != OperationType::Query {
            return Err("Invalid bulk query: bulkOperationRunQuery runs queries only".into());
        }
        let mut roots = Vec::new();
        fields(&doc, &op.node.selection_set.node, &mut roots);
        roots.retain(|f| f.name.node != "__typename");
        let root: &Field = match roots.as_slice() {
            [root] => root,
            _ => {
                return Err("Bulk queries must contain exactly one top-level field.".into());
            }
        };
        let root_type = schema
            .field(&schema.query_type, &root.name.node)
            .map(|d| d.ty.named().to_string())
            .unwrap_or_default();
        if !is_connection(schema, &root_type) {
            return Err("Bulk queries must contain at least one connection.".into());
        }
        let Some(kind) = root_kind(&root.name.node) else {
            return Err(format!(
                "shopify-sim serves bulk queries over customers, orders, products and abandonedCheckouts, not {}",
                root.name.node
            ));
        };
        let node_type = schema
            .field(&root_type, "nodes")
            .map(|d| d.ty.named().to_string())
            .unwrap_or_default();
        let mut count = 1;
        let sets = node_sets(&doc, root);
        let splits = walk(schema, &doc, &sets, &node_type, 0, &mut count)?;
        if count > MAX_CONNECTIONS {
            return Err(format!(
                "Bulk queries cannot contain more than {MAX_CONNECTIONS} connections."
            ));
        }
        let mut args = Map::new();
        for (name, value) in &root.arguments {
            let json = value
                .node
                .clone()
                .into_const()
                .and_then(|c| c.into_json().ok())
                .unwrap_or(Json::Null);
            args.insert(name.node.to_string(), json);
        }
        for page_arg in ["first", "last", "after", "before"] {
            args.remove(page_arg);
        }
        args.insert("first".into(), json!(CHUNK_ROOTS));
        let args = PageArgs::parse(kind, &args).map_err(|e| format!("Invalid bulk query: {e}"))?;
        Ok(Self {
            doc,
            kind,
            args,
            splits,
        })
    }

    fn root_sets(&self) -> Vec<&SelectionSet> {
        let op = match &self.doc.operations {
            DocumentOperations::Single(op) => op,
            DocumentOperations::Multiple(ops) => match ops.values().next() {
                Some(op) => op,
                None => return Vec::new(),
            },
        };
        let mut roots = Vec::new();
        fields(&self.doc, &op.node.selection_set.node, &mut roots);
        roots
            .into_iter()
            .find(|f| f.name.node != "__typename")
            .map(|root| node_sets(&self.doc, root))
            .unwrap_or_default()
    }
}

/// Writes an operation's JSONL a chunk of root records at a time.
#[derive(Debug)]
pub struct Writer {
    plan: Plan,
    records: Records,
    info: ShopInfo,
    cursor: Option<Cursor>,
    done: bool,
}

/// One chunk of the file.
#[derive(Debug, Default)]
pub struct Chunk {
    pub bytes: Vec<u8>,
    pub objects: u64,
    pub roots: u64,
}

impl Writer {
    pub fn new(op: &BulkOp) -> Result<Self, String> {
        Ok(Self {
            plan: Plan::new(&op.query)?,
            records: op.snapshot.clone(),
            info: op.info.clone(),
            cursor: None,
            done: false,
        })
    }

    /// The next chunk, `None` at the end.
    pub fn next_chunk(&mut self) -> Option<Chunk> {
        if self.done {
            return None;
        }
        let Ok(schema) = admin_schema() else {
            self.done = true;
            return None;
        };
        let mut args = self.plan.args.clone();
        args.cursor = self.cursor;
        let page = page(&self.records, self.plan.kind, &args);
        if !page.has_next {
            self.done = true;
        }
        self.cursor = page.items.last().map(|(_, c)| *c);
        if page.items.is_empty() {
            return None;
        }
        let variables = json!({});
        let ctx = Ctx {
            schema,
            doc: &self.plan.doc,
            variables: &variables,
            info: &self.info,
            data: &self.records.store,
            webhook_subscriptions: &[],
            app_subscriptions: &[],
            scopes: "",
            app_url: "",
            records: &self.records,
            bulk_operations: &[],
        };
        let sets = self.plan.root_sets();
        let all = Nested {
            line_items: None,
            variants: None,
            images: None,
            refunds: None,
        };
        let mut chunk = Chunk::default();
        for (src, _) in &page.items {
            let value = self.records.node(self.plan.kind, *src, all);
            let own_id = value.get("id").cloned().unwrap_or(Json::Null);
            let projected = project_all(&ctx, &value, &sets);
            emit(projected, own_id, &self.plan.splits, None, &mut chunk);
            chunk.roots += 1;
        }
        Some(chunk)
    }
}

fn project_all(ctx: &Ctx<'_>, value: &Json, sets: &[&SelectionSet]) -> Json {
    let mut out = Map::new();
    for set in sets {
        let mut path = Vec::new();
        let mut errors = Vec::new();
        if let Json::Object(map) = ctx.project(value, set, &mut path, &mut errors) {
            for (k, v) in map {
                out.entry(k).or_insert(v);
            }
        }
    }
    Json::Object(out)
}

/// Writes one object's line, then its nested connections' nodes as lines of their own.
fn emit(value: Json, own_id: Json, splits: &[Split], parent: Option<&Json>, chunk: &mut Chunk) {
    let Json::Object(mut map) = value else {
        return;
    };
    let mut children: Vec<(Vec<Json>, &[Split])> = Vec::new();
    for split in splits {
        let Some(connection) = map.remove(&split.key) else {
            continue;
        };
        let nodes: Vec<Json> = match (connection.get("edges"), connection.get("nodes")) {
            (Some(Json::Array(edges)), _) => edges
                .iter()
                .filter_map(|e| e.get("node").cloned())
                .collect(),
            (_, Some(Json::Array(nodes))) => nodes.clone(),
            _ => Vec::new(),
        };
        children.push((nodes, &split.children));
    }
    if let Some(parent) = parent {
        map.insert("__parentId".into(), parent.clone());
    }
    let id = map.get("id").cloned().unwrap_or(own_id);
    if serde_json::to_writer(&mut chunk.bytes, &map).is_ok() {
        chunk.bytes.push(b'\n');
        chunk.objects += 1;
    }
    for (nodes, grandchildren) in children {
        for node in nodes {
            let child_id = node.get("id").cloned().unwrap_or(Json::Null);
            emit(node, child_id, grandchildren, Some(&id), chunk);
        }
    }
}

/// A file written to the end, with its counts.
#[derive(Debug)]
struct Written {
    file: ResultFile,
    objects: u64,
    roots: u64,
    size: u64,
}

/// Writes an operation's file, a chunk at a time; `Ok(None)` if `running` turned false first
/// (the partial file is removed).
fn write_file(op: &BulkOp, running: impl Fn() -> bool) -> Result<Option<Written>, String> {
    let mut writer = Writer::new(op)?;
    let (file, handle) = ResultFile::create(op.info.domain.as_str(), op.number)
        .map_err(|e| format!("cannot create the result file: {e}"))?;
    let failed = |e: std::io::Error| format!("cannot write {}: {e}", file.path.display());
    let mut out = BufWriter::with_capacity(WRITE_BUFFER, handle);
    let (mut objects, mut roots, mut size) = (0u64, 0u64, 0u64);
    while let Some(chunk) = writer.next_chunk() {
        if !running() {
            return Ok(None);
        }
        out.write_all(&chunk.bytes).map_err(failed)?;
        objects += chunk.objects;
        roots += chunk.roots;
        size += chunk.bytes.len() as u64;
    }
    out.flush().map_err(failed)?;
    Ok(Some(Written {
        file,
        objects,
        roots,
        size,
    }))
}

/// Whether an operation is still `RUNNING`.
fn still_running(state: &SimState, domain: &str, number: u64) -> bool {
    state
        .with_shop(domain, |shop| {
            shop.bulk
                .iter()
                .any(|op| op.number == number && op.status == "RUNNING")
        })
        .unwrap_or(false)
}

/// Starts every operation created by the last mutation (see the module docs).
pub fn start_pending(state: &SimState, domain: &str) {
    let now = state.now();
    let started: Vec<BulkOp> = state
        .with_shop(domain, |shop| {
            shop.bulk
                .iter_mut()
                .filter(|op| op.status == "CREATED" && !op.started)
                .map(|op| {
                    op.started = true;
                    op.status = "RUNNING".into();
                    op.clone()
                })
                .collect()
        })
        .unwrap_or_default();
    for op in started {
        let state = state.clone();
        let domain = domain.to_string();
        tokio::spawn(async move {
            let began = tokio::time::Instant::now();
            let number = op.number;
            let written = {
                let (state, domain) = (state.clone(), domain.clone());
                tokio::task::spawn_blocking(move || {
                    write_file(&op, || still_running(&state, &domain, number))
                })
                .await
                .unwrap_or_else(|e| Err(format!("the writer stopped: {e}")))
            };
            let written = match written {
                Ok(Some(written)) => written,
                Ok(None) => return,
                Err(e) => {
                    tracing::warn!("shopify-sim: bulk operation {number} on {domain}: {e}");
                    fail_running(&state, &domain, number, "INTERNAL_SERVER_ERROR").await;
                    return;
                }
            };
            let delay = Duration::from_millis(state.config.bulk_operation_delay_ms);
            tokio::time::sleep_until(began + delay).await;
            let now = state.now().max(now);
            let file = Arc::new(written.file);
            let finished = state.with_shop(&domain, |shop| {
                let op = shop.bulk.iter_mut().find(|op| op.number == number)?;
                if op.status != "RUNNING" {
                    return None;
                }
                op.status = "COMPLETED".into();
                op.completed_at = Some(now);
                op.object_count = written.objects;
                op.root_object_count = written.roots;
                op.file_size = Some(written.size);
                op.url = Some(op.result_url.clone());
                op.result = Some(file);
                Some(op.clone())
            });
            if let Some(Some(op)) = finished {
                send_finish(&state, &domain, &op).await;
            }
        });
    }
}

/// Fails a running operation with `code`; `Err` with its status if it is no longer running,
/// `None` if there is no such operation.
fn mark_failed(
    state: &SimState,
    domain: &str,
    number: u64,
    code: &str,
) -> Option<Result<BulkOp, String>> {
    let now = state.now();
    state
        .with_shop(domain, |s| {
            let op = s.bulk.iter_mut().find(|op| op.number == number)?;
            if !op.is_running() {
                return Some(Err(op.status.clone()));
            }
            op.status = "FAILED".into();
            op.error_code = Some(code.to_string());
            op.completed_at = Some(now);
            Some(Ok(op.clone()))
        })
        .flatten()
}

/// Fails an operation whose file could not be written, with the finish webhook.
async fn fail_running(state: &SimState, domain: &str, number: u64, code: &str) {
    if let Some(Ok(op)) = mark_failed(state, domain, number, code) {
        send_finish(state, domain, &op).await;
    }
}

/// The `bulk_operations/finish` payload.
pub fn finish_payload(op: &BulkOp) -> Json {
    json!({
        "admin_graphql_api_id": op.id,
        "completed_at": op.completed_at.map(iso),
        "created_at": iso(op.created_at),
        "error_code": op.error_code.as_ref().map(|c| c.to_ascii_lowercase()),
        "status": op.status.to_ascii_lowercase(),
        "type": "query",
    })
}

/// Sends `bulk_operations/finish` for an operation that ended.
pub async fn send_finish(state: &SimState, domain: &str, op: &BulkOp) -> Option<Json> {
    let config = &state.config;
    let delivery = WebhookDelivery::new(
        domain,
        FINISH_TOPIC,
        finish_payload(op).to_string(),
        &config.webhook_api_version,
        state.now(),
    );
    match send_webhook(
        &state.http,
        &config.webhook_url(),
        &config.api_secret,
        &delivery,
    )
    .await
    {
        Ok(outcome) => Some(json!(outcome)),
        Err(e) => {
            tracing::warn!("shopify-sim: {FINISH_TOPIC} for {domain} failed: {e}");
            None
        }
    }
}

/// `GET /shops/{shop}/bulk_operations/{N}/result.jsonl`: the completed operation's file, streamed
/// from disk.
pub async fn result_file(
    State(state): State<SimState>,
    Path((shop, number)): Path<(String, u64)>,
) -> Response {
    let file = state
        .with_shop(&shop, |s| {
            s.bulk
                .iter()
                .find(|op| op.number == number && op.status == "COMPLETED")
                .and_then(|op| op.result.clone())
        })
        .flatten();
    let Some(file) = file else {
        return json_response(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no completed bulk operation {number} on {shop}")}),
        );
    };
    let opened = match tokio::fs::File::open(file.path()).await {
        Ok(opened) => opened,
        Err(e) => {
            return json_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({"error": format!("cannot read {}: {e}", file.path().display())}),
            );
        }
    };
    // The stream holds the file, so it outlives a shop replaced while it is read.
    let stream = futures::stream::unfold(Some((opened, file)), |reading| async move {
        let (mut opened, file) = reading?;
        let mut buf = vec![0; SERVE_CHUNK];
        match opened.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok(Bytes::from(buf)), Some((opened, file))))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/jsonl")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| json_response(StatusCode::INTERNAL_SERVER_ERROR, json!({})))
}

/// `GET /_sim/shops/{shop}/bulk_operations`: `{"bulk_operations": [...]}`, oldest first.
pub async fn list(State(state): State<SimState>, Path(shop): Path<String>) -> Response {
    match state.with_shop(&shop, |s| s.bulk.iter().map(node).collect::<Vec<_>>()) {
        Some(ops) => json_response(StatusCode::OK, json!({"bulk_operations": ops})),
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no shop {shop}")}),
        ),
    }
}

/// `POST /_sim/shops/{shop}/bulk_operations/{N}/fail` `{"error_code": "INTERNAL_SERVER_ERROR"}`
/// (or `ACCESS_DENIED`, `TIMEOUT`; the body may be empty): fails a running operation and sends
/// `bulk_operations/finish` with status `failed`.
pub async fn fail(
    State(state): State<SimState>,
    Path((shop, number)): Path<(String, u64)>,
    body: Bytes,
) -> Response {
    let code = serde_json::from_slice::<Json>(&body)
        .ok()
        .and_then(|b| {
            b.get("error_code")
                .and_then(Json::as_str)
                .map(str::to_string)
        })
        .unwrap_or_else(|| "INTERNAL_SERVER_ERROR".into())
        .to_ascii_uppercase();
    if !["ACCESS_DENIED", "INTERNAL_SERVER_ERROR", "TIMEOUT"].contains(&code.as_str()) {
        return json_response(
            StatusCode::BAD_REQUEST,
            json!({"error": "error_code must be ACCESS_DENIED, INTERNAL_SERVER_ERROR or TIMEOUT"}),
        );
    }
    match mark_failed(&state, &shop, number, &code) {
        None => json_response(
            StatusCode::NOT_FOUND,
            json!({"error": format!("no bulk operation {number} on {shop}")}),
        ),
        Some(Err(status)) => json_response(
            StatusCode::CONFLICT,
            json!({"error": format!("bulk operation {number} is already {status}")}),
        ),
        Some(Ok(op)) => {
            let webhook = send_finish(&state, &shop, &op).await;
            json_response(
                StatusCode::OK,
                json!({"bulk_operation": node(&op), "webhook": webhook}),
            )
        }
    }
}
