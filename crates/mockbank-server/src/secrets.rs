//! Random identifiers and credentials, and the one-way hashes the store keeps instead.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::digest;
use ring::rand::{SecureRandom, SystemRandom};

/// `bytes` random bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes.max(1)];
    // The OS RNG failing is not recoverable and never caused by a request.
    SystemRandom::new()
        .fill(&mut buf)
        .unwrap_or_else(|_| panic!("the operating system's random source failed"));
    URL_SAFE_NO_PAD.encode(buf)
}

/// A unique id that sorts by time (milliseconds, hex) with a random tail, so ids inserted
/// into an index land next to each other instead of on random pages.
pub fn time_ordered_id(time_ms: i64) -> String {
    format!("{time_ms:011x}{}", random_token(6))
}

/// SHA-256 of a high-entropy secret (tokens, client secrets). A fast hash suffices because
/// these values are 256-bit random strings, not passwords.
pub fn hash(secret: &str) -> Vec<u8> {
    digest::digest(&digest::SHA256, secret.as_bytes())
        .as_ref()
        .to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(random_token(32).len(), 43);
        assert_eq!(hash("a"), hash("a"));
        assert_ne!(hash("a"), hash("b"));
    }
}
