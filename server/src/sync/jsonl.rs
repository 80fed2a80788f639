//! Reads a bulk operation's JSONL result as it downloads, never holding the file: lines come
//! off the HTTP body chunk by chunk, and each root record is handed over with the child lines
//! that follow it (`groupObjects: true` keeps them together, each naming its parent in
//! `"__parentId"`).

/// Why the file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("could not download the bulk result: {0}")]
    Download(String),
    #[error("bulk result line {line}: child of {parent} does not follow its parent")]
    Orphan { line: i64, parent: String },
    #[error("bulk result line {line} is not JSON text")]
    Encoding { line: i64 },
}

/// A source of body chunks (the HTTP response in production, slices in tests).
pub trait Chunks {
    fn next_chunk(
        &mut self,
    ) -> impl std::future::Future<Output = Result<Option<bytes::Bytes>, FileError>> + Send;
}

impl Chunks for reqwest::Response {
    async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, FileError> {
        self.chunk()
            .await
            .map_err(|e| FileError::Download(e.without_url().to_string()))
    }
}

/// Splits chunks into lines.
pub struct Lines<C> {
    source: C,
    buf: Vec<u8>,
    start: usize,
    done: bool,
    /// Lines returned so far (empty lines included: they count as the file's lines).
    pub read: i64,
}

impl<C: Chunks> Lines<C> {
    pub fn new(source: C) -> Self {
        Self {
            source,
            buf: Vec::new(),
            start: 0,
            done: false,
            read: 0,
        }
    }

    /// The next line without its newline, or `None` at the end.
    pub async fn next_line(&mut self) -> Result<Option<String>, FileError> {
        loop {
            if let Some(pos) = self.buf[self.start..].iter().position(|&b| b == b'\n') {
                let end = self.start + pos;
                let line = self.take(self.start, end)?;
                self.start = end + 1;
                return Ok(Some(line));
            }
            if self.done {
                if self.start < self.buf.len() {
                    let end = self.buf.len();
                    let line = self.take(self.start, end)?;
                    self.start = end;
                    return Ok(Some(line));
                }
                return Ok(None);
            }
            // Drop consumed bytes before reading more, so the buffer stays one chunk or so.
            self.buf.drain(..self.start);
            self.start = 0;
            match self.source.next_chunk().await? {
                Some(chunk) => self.buf.extend_from_slice(&chunk),
                None => self.done = true,
            }
        }
    }

    fn take(&mut self, from: usize, to: usize) -> Result<String, FileError> {
        self.read += 1;
        let bytes = self.buf[from..to]
            .strip_suffix(b"\r")
            .unwrap_or(&self.buf[from..to]);
        String::from_utf8(bytes.to_vec()).map_err(|_| FileError::Encoding { line: self.read })
    }
}

/// A root record's line and its children's lines.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub root: String,
    pub children: Vec<String>,
    /// Lines the group spans (blank lines after it included).
    pub lines: i64,
}

/// The parent gid of a child line (`None` for a root line). A `"__parentId":` with unescaped
/// quotes can only be a key: inside a JSON string its quotes would be escaped.
pub fn parent_of(line: &str) -> Option<&str> {
    let at = line.rfind("\"__parentId\":")?;
    let rest = line[at + 13..].trim_start().strip_prefix('"')?;
    rest.split('"').next()
}

/// Groups lines into root records with their children.
pub struct Groups<C> {
    lines: Lines<C>,
    pending: Option<String>,
}

impl<C: Chunks> Groups<C> {
    pub fn new(source: C) -> Self {
        Self {
            lines: Lines::new(source),
            pending: None,
        }
    }

    /// Skips `n` lines (those an earlier attempt committed); `n` always ends a group.
    pub async fn skip(&mut self, n: i64) -> Result<(), FileError> {
        while self.lines.read < n {
            if self.lines.next_line().await?.is_none() {
                break;
            }
        }
        Ok(())
    }

    /// The next group, or `None` at the end of the file.
    pub async fn next_group(&mut self) -> Result<Option<Group>, FileError> {
        let before = self.lines.read - i64::from(self.pending.is_some());
        let root = match self.pending.take() {
            Some(line) => line,
            None => loop {
                match self.lines.next_line().await? {
                    None => return Ok(None),
                    Some(line) if line.trim().is_empty() => continue,
                    Some(line) => break line,
                }
            },
        };
        if let Some(parent) = parent_of(&root) {
            return Err(FileError::Orphan {
                line: self.lines.read,
                parent: parent.to_string(),
            });
        }
        // Children follow their root; the reader of the group checks that each names it (the
        // root is parsed there anyway, so its id is not parsed twice).
        let mut children = Vec::new();
        loop {
            match self.lines.next_line().await? {
                None => break,
                Some(line) if line.trim().is_empty() => continue,
                Some(line) if parent_of(&line).is_some() => children.push(line),
                Some(line) => {
                    self.pending = Some(line);
                    break;
                }
            }
        }
        let after = self.lines.read - i64::from(self.pending.is_some());
        Ok(Some(Group {
            root,
            children,
            lines: after - before,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Slices(Vec<&'static str>);

    impl Chunks for Slices {
        async fn next_chunk(&mut self) -> Result<Option<bytes::Bytes>, FileError> {
            Ok((!self.0.is_empty()).then(|| bytes::Bytes::from(self.0.remove(0))))
        }
    }

    const FILE: &str = concat!(
        "{\"id\":\"gid://shopify/Order/1\",\"note\":\"say \\\"__parentId\\\": x\"}\n",
        "{\"id\":\"gid://shopify/LineItem/10\",\"__parentId\":\"gid://shopify/Order/1\"}\n",
        "{\"id\":\"gid://shopify/LineItem/11\",\"__parentId\":\"gid://shopify/Order/1\"}\n",
        "{\"id\":\"gid://shopify/Order/2\"}\n",
        "{\"id\":\"gid://shopify/Order/3\"}\n",
        "{\"id\":\"gid://shopify/LineItem/30\",\"__parentId\":\"gid://shopify/Order/3\"}",
    );

    async fn all(source: Slices, skip: i64) -> Vec<Group> {
        let mut groups = Groups::new(source);
        groups.skip(skip).await.unwrap();
        let mut out = Vec::new();
        while let Some(g) = groups.next_group().await.unwrap() {
            out.push(g);
        }
        out
    }

    #[tokio::test]
    async fn records_come_with_their_children_however_the_body_is_cut() {
        for cut in [1, 7, 40, 64, FILE.len()] {
            let pieces: Vec<&'static str> = FILE
                .as_bytes()
                .chunks(cut)
                .map(|c| std::str::from_utf8(c).unwrap())
                .collect();
            let groups = all(Slices(pieces), 0).await;
            let shape: Vec<(usize, i64)> =
                groups.iter().map(|g| (g.children.len(), g.lines)).collect();
            assert_eq!(shape, vec![(2, 3), (0, 1), (1, 2)], "cut {cut}");
            assert!(groups[0].root.contains("Order/1"));
        }
    }

    #[tokio::test]
    async fn a_resumed_read_skips_the_committed_groups() {
        let groups = all(Slices(vec![FILE]), 4).await;
        assert_eq!(groups.len(), 1);
        assert!(groups[0].root.contains("Order/3"));
    }

    #[tokio::test]
    async fn a_file_starting_with_a_child_is_refused() {
        let file = "{\"id\":\"x\",\"__parentId\":\"gid://shopify/Order/9\"}\n";
        let mut groups = Groups::new(Slices(vec![file]));
        assert!(matches!(
            groups.next_group().await,
            Err(FileError::Orphan { .. })
        ));
    }
}
