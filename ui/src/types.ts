// The shapes the admin API sends. Traces and directory settings are generated from the Rust
// types (`generated/core.ts`, checked by `cargo test`); the others are mirrored by hand from
// what they serialize (mockbank-core `profile/diff.rs` and `scenario.rs`, mockbank-server
// `admin.rs` and `walkthroughs.rs`, mockbank-pki `directory.rs`, mockbank-tpp `compare.rs`
// and `walkthrough.rs`): a change there must be made here.

// Generated from the Rust types (crates/mockbank-core/src/ts_types.rs): traces and what they hold.
import type { DirectorySettings, Outcome, Trace } from './generated/core';
export type {
  CertSummary,
  CertificateStyle,
  CheckResult,
  CheckSummary,
  DecodedJwt,
  DirectorySettings,
  HttpRecord,
  JsonValue,
  Outcome,
  Psd2Summary,
  Severity,
  Trace,
} from './generated/core';

/** What the list keeps of a trace (the rest is fetched when it is opened). */
export type TraceRow = Omit<Trace, 'request' | 'response' | 'checks'>;

/** A check parameter as the catalogue declares it: its strict default and what it means. */
export interface ParamSpec {
  name: string;
  doc: string;
  default: unknown;
  /** The accepted values of a parameter that takes one of a list of strings; null otherwise. */
  options: string[] | null;
}

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
  /** What each parameter means, as the check catalogue declares it. Absent from older servers. */
  param_specs?: ParamSpec[];
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
  /** The profile this one's file is an overlay on (`extends = "ID"`), if any. */
  extends?: string | null;
  issuer: string;
  /** What the mock directory mints for this profile's TPPs (its `[directory]` section). */
  directory?: DirectorySettings;
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
  /** Where this server keeps its admin token (an absolute path, under its data dir). */
  admin_token_file: string;
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

/** One field of a check that the two profiles configure differently. */
export interface CheckChange {
  /** `enabled`, `severity`, `error`, `status` or `params.NAME`. */
  field: string;
  a: unknown;
  b: unknown;
  /** A parameter's documentation (what its special values mean); absent for other fields. */
  doc?: string | null;
}

export interface CheckDiffRow {
  id: string;
  title: string | null;
  /** The one profile that lists the check (`changes` is then empty); null: both list it. */
  only_in: 'a' | 'b' | null;
  changes: CheckChange[];
}

/** `GET /admin/profiles/diff?a=A&b=B`: only the rows that differ; `discovery` leaves out
 * the values `settings` already shows. */
export interface ProfileDiff {
  a: string;
  b: string;
  settings: DiffRow[];
  discovery: DiffRow[];
  checks: CheckDiffRow[];
}

// ---------- walkthroughs (mockbank-tpp `crates/mockbank-tpp/src/walkthrough.rs`, served by
// mockbank-server `walkthroughs.rs`; the scenario files are mockbank-core `scenario.rs`) ----------

/** What a step makes the reference TPP do (`Action`). */
export type ScenarioAction =
  | 'narrate'
  | 'onboard'
  | 'register'
  | 'token'
  | 'read'
  | 'update'
  | 'delete'
  | 'initial_access_token';

/** `GET /admin/scenarios`: one walkthrough offered. */
export interface ScenarioSummary {
  name: string;
  title: string;
  audience: string;
  /** The profiles it runs on; the first is the default. */
  profiles: string[];
  /** How many steps. */
  steps: number;
  /** Markdown. */
  summary: string;
  /** The file it came from (absent from older servers). */
  source?: string;
}

/** What a trainer points the room at on a step (`PointAt`). */
export interface PointAt {
  /** Check ids whose outcome matters here. */
  checks: string[];
  /** JWT claims or JSON members to look at. */
  claims: string[];
  /** HTTP headers to look at. */
  headers: string[];
}

/** The outcome a step expects (`Expect`): each null field is not judged. */
export interface StepExpect {
  status: number | null;
  /** The check that should decide the response. */
  check: string | null;
  /** The answer's `error` code. */
  error: string | null;
}

/** A deviation a trainer may apply to a step ("break it"). */
export interface BreakOption {
  name: string;
  /** Text with `backtick` spans. */
  description: string;
}

/** One step of a scenario, as `GET /admin/scenarios/{name}` shows it. */
export interface ScenarioStep {
  /** 0-based. */
  index: number;
  title: string;
  action: ScenarioAction;
  /** Null: the run's profile. */
  profile: string | null;
  /** The deviation the step is written with (a failure clinic's steps), if any. */
  deviation: string | null;
  /** Markdown. */
  narration: string;
  /** The narration rendered by the server: safe to inject. */
  narration_html: string;
  point_at: PointAt;
  expect: StepExpect | null;
  /** Empty for all but registration steps. */
  break_options: BreakOption[];
}

/** `GET /admin/scenarios/{name}`. */
export interface Scenario {
  name: string;
  title: string;
  audience: string;
  profiles: string[];
  summary: string;
  /** The summary rendered by the server (absent from older servers). */
  summary_html?: string;
  source?: string;
  steps: ScenarioStep[];
}

/** `POST /admin/scenarios/{name}/runs`: a run, nothing executed yet. */
export interface ScenarioRunStart {
  run_id: string;
  name: string;
  profile: string;
  steps: number;
}

/** A lane of the sequence diagram. */
export type Lane = 'tpp' | 'directory' | 'bank';

/** One arrow of a step's sequence diagram (`Arrow`). */
export interface Arrow {
  from: Lane;
  to: Lane;
  label: string;
  /** The trace of the exchange, when the bank recorded one. */
  trace_id: string | null;
  /** On responses. */
  status: number | null;
  /** `internal`: what the bank consults on its own side. */
  kind: 'request' | 'response' | 'internal';
}

/** `POST /admin/scenario-runs/{id}/steps/{index}`: what one step did, judged (`StepResult`). */
export interface StepResult {
  index: number;
  title: string;
  action: ScenarioAction;
  profile: string;
  /** The deviation it ran with (a "break it" re-run's, or the step's own). */
  deviation: string | null;
  /** Met its expectation (without one: a correct request succeeded, a deviation was refused). */
  ok: boolean;
  /** Null when nothing was answered. */
  status: number | null;
  /** Null on a "break it" re-run: it is judged by what happened. */
  expected: StepExpect | null;
  /** The check that decided the response (the trace's `failed_check`). */
  deciding_check: string | null;
  /** The answer's `error` code. */
  error: string | null;
  /** Why `ok` is false, or what went wrong before anything was sent. */
  problem: string | null;
  client_id: string | null;
  trace_ids: string[];
  /** The traces themselves, as `GET /admin/traces/{id}` answers them (absent when none). */
  traces?: Trace[];
  arrows: Arrow[];
  /** The answer's body, credentials shortened. */
  response: unknown;
}

/** `GET /admin/scenario-runs/{id}`: each step's latest result (null: not run yet). */
export interface ScenarioRun {
  run_id: string;
  name: string;
  profile: string;
  ok: boolean;
  results: (StepResult | null)[];
}

export type HandoutFormat = 'html' | 'markdown';

// ---------- leftovers: what comparisons, walkthroughs and the first-run "run it" buttons
// registered and minted (mockbank-server `GET`/`DELETE /admin/leftovers`) ----------

/** `GET /admin/leftovers`. */
export interface Leftovers {
  clients: number;
  software: number;
}

/** `DELETE /admin/leftovers`. */
export interface LeftoversCleared {
  clients_deleted: number;
  software_deleted: number;
}
