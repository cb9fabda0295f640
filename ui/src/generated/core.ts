// Generated from the Rust types of mockbank-core (crates/mockbank-core/src/ts_types.rs, ts-rs).
// Do not edit: change the Rust type, then run
//   MOCKBANK_UPDATE_TS=1 cargo test -p mockbank-core ts_types
// `cargo test` fails while this file is stale.

export type JsonValue = number | string | boolean | Array<JsonValue> | { [key in string]: JsonValue } | null;

export type Outcome = "pass" | "fail" | "skip";

export type Severity = "error" | "warn";

export type CheckResult = { id: string, title: string, spec: string, outcome: Outcome, detail: string, 
/**
 * Left out when empty.
 */
values?: { [key in string]: JsonValue }, severity: Severity, 
/**
 * Microseconds the check took.
 */
duration_us: number, };

export type CheckSummary = { pass: number, fail: number, skip: number, };

export type DecodedJwt = { 
/**
 * Where it was found, e.g. `body`, `body.software_statement`, `header.authorization`.
 */
location: string, header: JsonValue, claims: JsonValue, };

export type Psd2Summary = { organization_identifier: string | null, 
/**
 * `web` (QWAC), `eseal` (QSealC).
 */
qc_types: Array<string>, 
/**
 * `PSP_AI`, `PSP_PI`, `PSP_IC`, `PSP_AS`.
 */
roles: Array<string>, nca_id: string | null, nca_name: string | null, };

export type CertSummary = { subject: string, issuer: string, serial: string, not_before: string, not_after: string, 
/**
 * `null` when the chain verified against the mockbank CA, else why it did not.
 */
chain_error: string | null, sha256_thumbprint: string, 
/**
 * eIDAS / PSD2 content (ETSI TS 119 495), when the certificate carries any.
 */
psd2?: Psd2Summary, };

export type HttpRecord = { headers: Array<[string, string]>, 
/**
 * JSON when the body parsed as JSON, a string otherwise, `null` when empty.
 */
body: JsonValue, 
/**
 * JWTs found in the body, decoded (never verified); left out when there are none.
 */
jwts?: Array<DecodedJwt>, };

export type Trace = { 
/**
 * Store sequence number: monotonic, also the SSE event id.
 */
seq: number, id: string, 
/**
 * RFC 3339 time the request arrived.
 */
time: string, time_ms: number, 
/**
 * Profile id, or `directory` / `admin`.
 */
profile: string, method: string, path: string, status: number, client_id: string | null, client_cert: CertSummary | null, request: HttpRecord, response: HttpRecord, checks: Array<CheckResult>, summary: CheckSummary, 
/**
 * The check whose failure chose the error response, if any.
 */
failed_check: string | null, duration_us: number, };

export type CertificateStyle = "obuk" | "eidas";

export type DirectorySettings = { 
/**
 * `obuk`: a transport and a signing certificate, subject `C, O, OU=org_id, CN=software_id`
 * (OBIE); `eidas`: a QWAC and a QSealC with the PSD2 QC statement (roles, competent
 * authority) and the organisation's `organizationIdentifier` `PSD<CC>-<NCA>-<n>` (ETSI TS
 * 119 495).
 */
certificates: CertificateStyle, 
/**
 * The country of the certificates' subject (`C`) and of the authorisations.
 */
country: string, 
/**
 * The competent authority that licenses the TPPs (`FCA`, `FR-ACPR`): in the SSA's
 * `organisation_competent_authority_claims` and in eIDAS certificates.
 */
authority_id: string, authority_name: string, 
/**
 * The roles a TPP may be minted with, and the default when a mint names none.
 */
roles: Array<string>, 
/**
 * The SSA's `iss`; default the directory's own name (`OpenBanking Ltd`).
 */
ssa_issuer: string | null, 
/**
 * Seconds until the SSA expires (its `exp`); 0: no `exp`.
 */
ssa_lifetime: number, 
/**
 * Further claims put in every SSA minted for this profile; `{placeholder}`s in their
 * strings are filled in ([`SSA_PLACEHOLDERS`]).
 */
ssa_claims: { [key in string]: JsonValue }, 
/**
 * The transport (or QWAC) certificate's subject, replacing the style's.
 */
transport_subject?: Array<string>, 
/**
 * The signing (or QSealC) certificate's subject, replacing the style's.
 */
signing_subject?: Array<string>, };
