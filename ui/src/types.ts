// The shapes the admin API sends, mirrored by hand from the Rust structs they serialize
// (mockbank-core `trace.rs` and `profile/diff.rs`, mockbank-server `admin.rs`, mockbank-pki
// `directory.rs`, mockbank-tpp `compare.rs`). A change there must be made here.

export type Outcome = 'pass' | 'fail' | 'skip';

/** One check's entry in a trace (`CheckResult`). */
export interface CheckResult {
  id: string;
  title: string;
  spec: string;
  outcome: Outcome;
  detail: string;
  values?: Record<string, unknown>;
  severity: 'error' | 'warn';
  duration_us: number;
}

/** A JWT found in a request or response, decoded (not verified) by the server. */
export interface DecodedJwt {
  /** e.g. `body`, `body.software_statement`, `header.authorization` */
  location: string;
  header: unknown;
  claims: unknown;
}

/** The client certificate presented on the connection. */
export interface CertSummary {
  subject: string;
  issuer: string;
  serial: string;
  not_before: string;
  not_after: string;
  /** `null` when the chain verified against mockbank's CA. */
  chain_error: string | null;
  sha256_thumbprint: string;
  /** eIDAS / PSD2 content (ETSI TS 119 495), when the certificate carries any. */
  psd2?: Psd2Summary;
}

export interface Psd2Summary {
  organization_identifier: string | null;
  /** `web` (QWAC), `eseal` (QSealC). */
  qc_types: string[];
  /** `PSP_AI`, `PSP_PI`, `PSP_IC`, `PSP_AS`. */
  roles: string[];
  nca_id: string | null;
  nca_name: string | null;
}

export interface HttpRecord {
  headers: [string, string][];
  /** JSON when the body parsed as JSON, a string otherwise, `null` when empty. */
  body: unknown;
  jwts?: DecodedJwt[];
}

export interface CheckSummary {
  pass: number;
  fail: number;
  skip: number;
}

export interface Trace {
  seq: number;
  id: string;
  time: string;
  time_ms: number;
  profile: string;
  method: string;
  path: string;
  status: number;
  client_id: string | null;
  client_cert: CertSummary | null;
  request: HttpRecord;
  response: HttpRecord;
  checks: CheckResult[];
  summary: CheckSummary;
  failed_check: string | null;
  duration_us: number;
}

/** What the list keeps of a trace (the rest is fetched when it is opened). */
export type TraceRow = Omit<Trace, 'request' | 'response' | 'checks'>;

export interface ProfileCheck {
  id: string;
  title: string;
  spec: string;
  phase: string;
  severity: 'error' | 'warn';
  enabled: boolean;
  error: string;
  status: number;
  params: Record<string, unknown>;
  /** The profile file's value; `enabled` differs when a user override is in place. */
  default_enabled: boolean;
  overridden: boolean;
  /**
   * False for a check that cannot apply to the profile's request format (a JWS or SSA check
   * on the JSON `generic` profile): it never runs, and `enabled` is false. Absent from older
   * servers: read it with `applicable()` (Profiles view), which takes absent as true.
   */
  applicable?: boolean;
}

export interface Profile {
  id: string;
  title: string;
  description: string;
  spec: string;
  source: string;
  issuer: string;
  discovery: Record<string, unknown>;
  checks: ProfileCheck[];
  /** How many checks are overridden. */
  overrides: number;
}

export interface Client {
  client_id: string;
  profile: string;
  metadata: Record<string, unknown>;
  has_secret: boolean;
  client_id_issued_at: number;
  updated_at: number;
}

/** A check that failed on one of a client's requests, in its report. */
export interface ReportFailedCheck {
  id: string;
  spec: string;
  detail: string;
}

/** One request of a client, in its report. */
export interface ReportRequest {
  trace_id: string;
  time: string;
  profile: string;
  method: string;
  path: string;
  status: number;
  client_id: string | null;
  failed_checks: ReportFailedCheck[];
}

/** One mistake behind a client's failed checks: how often, the rule, and one example. */
export interface ReportGrade {
  check: string;
  count: number;
  title: string;
  rule: string;
  spec: string;
  /** Null when the spec reference has no known document. */
  spec_url: string | null;
  example: {
    trace_id: string;
    request: string;
    detail: string;
  };
}

/** `GET /admin/report?client_id=ID`: the grade is most frequent first. */
export interface ClientReport {
  summary: {
    requests: number;
    failed_requests: number;
    failed_checks: number;
  };
  requests: ReportRequest[];
  grade: ReportGrade[];
}

/** `GET /admin/report?client_id=ID&format=markdown`. */
export interface ClientReportExport {
  format: 'markdown';
  text: string;
}

export type DirectoryStatus = 'Active' | 'Revoked';

/** A TPP organisation of the mock directory. */
export interface Organisation {
  org_id: string;
  org_name: string;
  status: DirectoryStatus;
  /** STET: `PSDFR-ACPR-<n>`. */
  organization_identifier?: string;
  nca_id?: string;
  nca_name?: string;
  /** Unix seconds. */
  created_at: number;
}

/** A minted software, as `GET /directory/software` lists it. */
export interface Software {
  software_id: string;
  org_id: string;
  software_name: string;
  roles: string[];
  redirect_uris: string[];
  software_mode: string;
  profile: string;
  status: DirectoryStatus;
  created_at: number;
  signing_kid: string;
  transport_subject_dn: string;
  /** The broken variant's id, if it is one. */
  variant: string | null;
  software_statement: string;
}

/** `POST /directory/software` (mockbank-pki `MintRequest`). */
export interface MintRequest {
  org_name?: string;
  org_id?: string;
  software_name: string;
  roles?: string[];
  redirect_uris?: string[];
  profile?: string;
  key_type?: 'RSA' | 'EC';
  variant?: string;
  software_mode?: string;
  ssa_issuer?: string;
}

/** A deliberately broken credential the directory can mint. */
export interface VariantInfo {
  id: string;
  defect: string;
  /** What a strict bank answers. */
  expected: string;
}

/** A software's credentials: what minting answers (private keys included). */
export interface Bundle {
  org_id: string;
  org_name: string;
  software_id: string;
  software_name: string;
  software_roles: string[];
  profile: string;
  software_statement: string;
  transport_cert_pem: string;
  transport_key_pem: string;
  transport_subject_dn: string;
  signing_key_pem: string;
  signing_kid: string;
  signing_alg: string;
  signing_cert_pem: string;
  software_jwks_endpoint: string;
  org_jwks_endpoint: string;
  redirect_uris: string[];
  ca_cert_pem: string;
  organization_identifier?: string;
  variant?: VariantInfo;
}

/** The command that gets a first 201 from a profile, as it pastes on the server's machine. */
export interface FirstRunHint {
  /** curl for an open JSON profile, else `mockbank tpp register --profile <id> …`. */
  command: string;
  note: string;
}

/** Public facts the server writes into the page (see `routes/ui.rs`). */
export interface Bootstrap {
  base_url: string;
  ca_url: string;
  version: string;
  profiles: {
    id: string;
    title: string;
    description: string;
    issuer: string;
    registration_endpoint: string;
    /** Absent from older servers: the first-run view then builds a curl command. */
    first_run?: FirstRunHint;
  }[];
  /** Why a one-time sign-in link was refused, if it was. */
  login_error: string | null;
}

/** A named deviation of the built-in reference TPP client (`GET /admin/compare/cases`). */
export interface CompareCase {
  /** `none` is the correct registration. */
  name: string;
  description: string;
  /** The profiles it means anything in. */
  applies_to: string[];
}

/** `POST /admin/compare`: both default to all. */
export interface CompareRequest {
  profiles?: string[];
  cases?: string[];
}

/** One case against one profile (mockbank-tpp `compare.rs`). */
export interface CompareCell {
  /** False: the case does not apply to the profile, and every other field is null. */
  applicable: boolean;
  /** Null when the request could not be sent; `error` then says why. */
  status: number | null;
  /** The answer's `error` code. */
  error: string | null;
  /** The check that decided the response (the trace's `failed_check`). */
  deciding_check: string | null;
  trace_id: string | null;
}

export interface CompareRow {
  case: string;
  /** By profile id. */
  results: Record<string, CompareCell>;
}

/** `absent`: the profile's correct registration did not run the check. */
export type CompareOutcome = Outcome | 'absent';

export interface CompareCheck {
  id: string;
  /** By profile id. */
  outcomes: Record<string, CompareOutcome>;
}

/** The comparison matrix; `checks` are the outcomes of the `none` case per profile. */
export interface CompareMatrix {
  profiles: string[];
  cases: CompareRow[];
  checks: CompareCheck[];
}

export type CompareFormat = 'markdown' | 'csv';

/** `POST /admin/compare?format=…`: the matrix rendered by the server. */
export interface CompareExport {
  format: CompareFormat;
  text: string;
}

/** A setting or discovery value that differs (`null`: the profile does not set it). */
export interface DiffRow {
  key: string;
  a: unknown;
  b: unknown;
}

/** A check as a profile configures it, in a diff. */
export interface CheckConfig {
  enabled: boolean;
  severity: 'error' | 'warn';
  error: string;
  status: number;
  params: Record<string, unknown>;
}

export interface CheckDiffRow {
  id: string;
  /** Null: the profile does not list the check. */
  a: CheckConfig | null;
  b: CheckConfig | null;
}

/** `GET /admin/profiles/diff?a=A&b=B`: only the rows that differ. */
export interface ProfileDiff {
  a: string;
  b: string;
  settings: DiffRow[];
  discovery: DiffRow[];
  checks: CheckDiffRow[];
}
