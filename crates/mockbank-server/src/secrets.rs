//! Random identifiers and credentials, the one-way hashes the store keeps instead, and the
//! seal for the one secret that must be recoverable (`client_secret_jwt`).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom, SystemRandom};
use ring::{digest, hkdf};

/// `bytes` random bytes, base64url without padding.
pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes.max(1)];
    // The OS RNG failing is not recoverable and never caused by a request.
    SystemRandom::new()
        .fill(&mut buf)
        .unwrap_or_else(|_| panic!("the operating system's random source failed"));
    URL_SAFE_NO_PAD.encode(buf)
}

/// A random client id (`bytes` random bytes, base64url) that starts with a letter or digit:
/// one starting with `-` would read as an option to a command line (`--client-id -oEd…`).
pub fn client_id(bytes: usize) -> String {
    loop {
        let id = random_token(bytes);
        if id.starts_with(|c: char| c.is_ascii_alphanumeric()) {
            return id;
        }
    }
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

/// Seals client secrets that must be recovered to check an HMAC: a `client_secret_jwt`
/// assertion (RFC 7523 §3, OIDC Core §9) is MACed with the secret itself, so a hash cannot
/// verify it. AES-256-GCM under a key derived (HKDF-SHA256) from the CA key; the client id is
/// the associated data, so a sealed secret opens only for its own client.
pub struct Seal(LessSafeKey);

impl Seal {
    pub fn from_key_material(ikm: &[u8]) -> Seal {
        struct Len;
        impl hkdf::KeyType for Len {
            fn len(&self) -> usize {
                32
            }
        }
        let mut key = [0u8; 32];
        hkdf::Salt::new(hkdf::HKDF_SHA256, b"mockbank")
            .extract(ikm)
            .expand(&[b"client-secret-seal v1"], Len)
            .and_then(|okm| okm.fill(&mut key))
            .unwrap_or_else(|_| panic!("HKDF-SHA256 of 32 bytes cannot fail"));
        let key = UnboundKey::new(&AES_256_GCM, &key)
            .unwrap_or_else(|_| panic!("a 32-byte key is an AES-256 key"));
        Seal(LessSafeKey::new(key))
    }

    /// nonce ‖ ciphertext ‖ tag.
    pub fn seal(&self, client_id: &str, secret: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .unwrap_or_else(|_| panic!("the operating system's random source failed"));
        let mut out = secret.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(client_id.as_bytes()),
                &mut out,
            )
            .unwrap_or_else(|_| panic!("sealing a short secret cannot fail"));
        let mut sealed = nonce.to_vec();
        sealed.extend(out);
        sealed
    }

    /// The secret, or `None` when `sealed` was not sealed by this key for this client.
    pub fn open(&self, client_id: &str, sealed: &[u8]) -> Option<String> {
        let (nonce, ciphertext) = sealed.split_at_checked(NONCE_LEN)?;
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut buf = ciphertext.to_vec();
        let plain = self
            .0
            .open_in_place(nonce, Aad::from(client_id.as_bytes()), &mut buf)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

impl std::fmt::Debug for Seal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Seal(..)")
    }
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
        for _ in 0..2000 {
            let id = client_id(16);
            assert!(id.starts_with(|c: char| c.is_ascii_alphanumeric()), "{id}");
            assert_eq!(id.len(), 22);
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_client_and_key() {
        let seal = Seal::from_key_material(b"ca key");
        let sealed = seal.seal("c1", "s3cret");
        assert_eq!(seal.open("c1", &sealed).as_deref(), Some("s3cret"));
        assert_eq!(seal.open("c2", &sealed), None);
        assert_eq!(Seal::from_key_material(b"other").open("c1", &sealed), None);
        assert_ne!(
            seal.seal("c1", "s3cret"),
            sealed,
            "a fresh nonce every time"
        );
        assert_eq!(seal.open("c1", &sealed[..5]), None);
    }
}
