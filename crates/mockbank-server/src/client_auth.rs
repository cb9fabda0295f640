//! Verifying presented client credentials against a registered client (RFC 6749 §2.3).
//! The core finds the credentials; this checks them against stored hashes. Profiles that
//! need `tls_client_auth` or `private_key_jwt` add their verification here.

use mockbank_core::client_auth::PresentedAuth;
use mockbank_store::ClientRow;

use crate::secrets;

pub fn verify(presented: &PresentedAuth, client: &ClientRow, now: i64) -> Result<(), String> {
    match presented.method {
        "client_secret_basic" | "client_secret_post" => {
            let Some(stored) = &client.secret_hash else {
                return Err("the client has no secret".into());
            };
            let Some(secret) = &presented.secret else {
                return Err("no client secret was sent".into());
            };
            if secrets::hash(secret) != *stored {
                return Err("the client secret is wrong".into());
            }
            if client.secret_expires_at != 0 && client.secret_expires_at <= now {
                return Err("the client secret has expired".into());
            }
            Ok(())
        }
        other => Err(format!(
            "`{other}` credentials cannot be verified by this profile"
        )),
    }
}
