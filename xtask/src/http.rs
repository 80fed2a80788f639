//! A tiny HTTP/1.1 client over `TcpStream`, enough to poll health and install the dev shop
//! without adding dependencies to xtask.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

/// A response: status and body.
pub struct Response {
    /// HTTP status code.
    pub status: u16,
    /// Body as text.
    pub body: String,
}

/// Sends one request to `127.0.0.1:port`.
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> std::io::Result<Response> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(120)))?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    req.push_str(body);
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let rest = raw.get(split + 4..).unwrap_or(&[]);
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    // De-chunk the bytes before decoding, so a chunk edge inside a UTF-8 character is harmless.
    let body = String::from_utf8_lossy(&if chunked {
        dechunk(rest)
    } else {
        rest.to_vec()
    })
    .to_string();
    Ok(Response { status, body })
}

fn dechunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = s.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&s[..eol]).trim().to_string();
        let n = usize::from_str_radix(size.split(';').next().unwrap_or(""), 16).unwrap_or(0);
        let rest = &s[eol + 2..];
        if n == 0 || rest.len() < n {
            break;
        }
        out.extend_from_slice(&rest[..n]);
        s = rest[n..].strip_prefix(b"\r\n").unwrap_or(&rest[n..]);
    }
    out
}

/// Waits until `GET path` answers 200, or fails after `timeout`.
pub fn wait_ok(port: u16, path: &str, timeout: Duration) -> anyhow::Result<Response> {
    let start = Instant::now();
    loop {
        if let Ok(r) = request(port, "GET", path, &[], "")
            && r.status == 200
        {
            return Ok(r);
        }
        anyhow::ensure!(
            start.elapsed() < timeout,
            "nothing answered 200 on 127.0.0.1:{port}{path} within {timeout:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Pulls a string field out of a flat JSON object (enough for `{"token":"…"}`).
pub fn json_str(body: &str, field: &str) -> Option<String> {
    let key = format!("\"{field}\":\"");
    let start = body.find(&key)? + key.len();
    let end = body[start..].find('"')? + start;
    Some(body[start..end].to_string())
}
