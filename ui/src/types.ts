// The shapes the admin API sends, mirrored by hand from the Rust structs they serialize
// (mockbank-core `trace.rs`, mockbank-server `admin.rs`). A change there must be made here.

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
}

export interface Client {
  client_id: string;
  profile: string;
  metadata: Record<string, unknown>;
  has_secret: boolean;
  client_id_issued_at: number;
  updated_at: number;
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
  }[];
  /** Why a one-time sign-in link was refused, if it was. */
  login_error: string | null;
}
