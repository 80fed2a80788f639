//! Reads the expiry (`exp`) out of a session token so the dev session can be cached. It does not
//! verify anything: the server does that; we only avoid sending a token we know is stale.

/// The token's `exp` claim in Unix seconds, if the token is a well-formed JWT that has one.
pub fn expiry(token: &str) -> Option<f64> {
    let payload = token.split('.').nth(1)?;
    let json = decode_base64url(payload)?;
    serde_json::from_slice::<serde_json::Value>(&json)
        .ok()?
        .get("exp")?
        .as_f64()
}

/// Unpadded base64url (RFC 4648 §5), as JWTs use. Hand-written because it is a dozen lines and a
/// base64 crate would grow the bundle.
fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let mut buffer = 0u32;
    let mut bits = 0;
    for byte in text.bytes().take_while(|&b| b != b'=') {
        let value = match byte {
            b'A'..=b'Z' => byte - b'A',
            b'a'..=b'z' => byte - b'a' + 26,
            b'0'..=b'9' => byte - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        buffer = (buffer << 6) | u32::from(value);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::{decode_base64url, expiry};

    #[test]
    fn decodes_unpadded_base64url() {
        assert_eq!(decode_base64url("aGk").as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64url("_-8").as_deref(), Some(&[0xff, 0xef][..]));
        assert_eq!(decode_base64url("a b"), None);
    }

    #[test]
    fn reads_exp_from_a_token() {
        // Payload {"exp":1700000000,"dest":"https://a.myshopify.com"}; header and signature are
        // not looked at.
        let token = "eyJhbGciOiJIUzI1NiJ9.\
                     eyJleHAiOjE3MDAwMDAwMDAsImRlc3QiOiJodHRwczovL2EubXlzaG9waWZ5LmNvbSJ9.sig";
        assert_eq!(expiry(token), Some(1_700_000_000.0));
        assert_eq!(expiry("not-a-jwt"), None);
    }
}
