// The admin and directory API calls, written once over a host's `request` primitive (a
// same-origin fetch in a browser tab, the `admin_request` command in the desktop app).

import type {
  Bundle,
  ClientReport,
  ClientReportExport,
  CompareCase,
  CompareExport,
  CompareFormat,
  CompareMatrix,
  CompareRequest,
  HandoutFormat,
  MintRequest,
  Organisation,
  Profile,
  ProfileDiff,
  Scenario,
  ScenarioRun,
  ScenarioRunStart,
  ScenarioSummary,
  Software,
  StepResult,
  VariantInfo,
} from '../types';
import { ApiError, SignedOutError } from './types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/**
 * One admin API call: the parsed JSON answer (undefined when empty; the text itself when the
 * answer is not JSON, as a handout is); throws on ≥ 400.
 */
export type Request = <T>(method: HttpMethod, path: string, body?: unknown) => Promise<T>;

export interface AdminApi {
  /** Overrides the profile file: the check runs (or not) from the next request on. */
  setCheck(profile: string, check: string, enabled: boolean): Promise<Profile>;
  /** Back to the profile file's value for one check. */
  revertCheck(profile: string, check: string): Promise<Profile>;
  revertAllChecks(profile: string): Promise<Profile>;
  /** Deletes the client and revokes its tokens. */
  deleteClient(clientId: string): Promise<void>;
  /** What a client got wrong: its requests, and its failed checks grouped into mistakes. */
  clientReport(clientId: string): Promise<ClientReport>;
  /** The same report, rendered by the server as Markdown. */
  clientReportMarkdown(clientId: string): Promise<ClientReportExport>;
  listOrgs(): Promise<Organisation[]>;
  listSoftware(): Promise<Software[]>;
  /** Mints a software (and a new organisation unless `org_id` names one): keys take a while. */
  mintSoftware(req: MintRequest): Promise<Bundle>;
  /** The credentials bundle of a minted software, private keys included. */
  softwareBundle(softwareId: string): Promise<Bundle>;
  revokeSoftware(softwareId: string): Promise<void>;
  revokeOrg(orgId: string): Promise<void>;
  listVariants(): Promise<VariantInfo[]>;
  /** The reference TPP client's cases, `none` (the correct registration) first. */
  compareCases(): Promise<CompareCase[]>;
  /** Runs each case against each profile (real registrations: seconds, not milliseconds). */
  compare(req: CompareRequest): Promise<CompareMatrix>;
  /** The same comparison, run again and rendered by the server. */
  compareExport(req: CompareRequest, format: CompareFormat): Promise<CompareExport>;
  /** What differs between two profiles. */
  profileDiff(a: string, b: string): Promise<ProfileDiff>;
  /** The walkthroughs offered. */
  listScenarios(): Promise<ScenarioSummary[]>;
  /** One walkthrough, each step's narration rendered and its "break it" deviations. */
  scenario(name: string): Promise<Scenario>;
  /** A new run of a walkthrough (on `profile`, else its first): nothing is executed yet. */
  startScenarioRun(name: string, profile?: string): Promise<ScenarioRunStart>;
  /**
   * Runs (or re-runs) one step, with `deviation` instead of the step's own when given. Later
   * steps need the earlier ones run first (a read needs a registration).
   */
  runScenarioStep(runId: string, index: number, deviation?: string): Promise<StepResult>;
  /** Every step's latest result. */
  scenarioRun(runId: string): Promise<ScenarioRun>;
  /** The run as a handout file (HTML or Markdown text). */
  scenarioHandout(runId: string, format: HandoutFormat): Promise<string>;
}

const seg = encodeURIComponent;

export function adminApi(request: Request): AdminApi {
  const check = (profile: string, id: string) => `/admin/profiles/${seg(profile)}/checks/${seg(id)}`;
  return {
    setCheck: (profile, id, enabled) => request<Profile>('PUT', check(profile, id), { enabled }),
    revertCheck: (profile, id) => request<Profile>('DELETE', check(profile, id)),
    revertAllChecks: (profile) => request<Profile>('DELETE', `/admin/profiles/${seg(profile)}/overrides`),
    deleteClient: (clientId) => request<void>('DELETE', `/admin/clients/${seg(clientId)}`),
    clientReport: (clientId) => request<ClientReport>('GET', `/admin/report?${new URLSearchParams({ client_id: clientId })}`),
    clientReportMarkdown: (clientId) =>
      request<ClientReportExport>('GET', `/admin/report?${new URLSearchParams({ client_id: clientId, format: 'markdown' })}`),
    listOrgs: () => request<Organisation[]>('GET', '/directory/orgs'),
    listSoftware: () => request<Software[]>('GET', '/directory/software'),
    mintSoftware: (req) => request<Bundle>('POST', '/directory/software', req),
    softwareBundle: (id) => request<Bundle>('GET', `/directory/software/${seg(id)}/bundle`),
    revokeSoftware: (id) => request<void>('POST', `/directory/software/${seg(id)}/revoke`),
    revokeOrg: (id) => request<void>('POST', `/directory/orgs/${seg(id)}/revoke`),
    listVariants: () => request<VariantInfo[]>('GET', '/directory/variants'),
    compareCases: () => request<CompareCase[]>('GET', '/admin/compare/cases'),
    compare: (req) => request<CompareMatrix>('POST', '/admin/compare', req),
    compareExport: (req, format) => request<CompareExport>('POST', `/admin/compare?format=${format}`, req),
    profileDiff: (a, b) => request<ProfileDiff>('GET', `/admin/profiles/diff?${new URLSearchParams({ a, b })}`),
    listScenarios: () => request<ScenarioSummary[]>('GET', '/admin/scenarios'),
    scenario: (name) => request<Scenario>('GET', `/admin/scenarios/${seg(name)}`),
    startScenarioRun: (name, profile) =>
      request<ScenarioRunStart>('POST', `/admin/scenarios/${seg(name)}/runs`, profile ? { profile } : {}),
    runScenarioStep: (runId, index, deviation) =>
      request<StepResult>('POST', `/admin/scenario-runs/${seg(runId)}/steps/${index}`, deviation ? { deviation } : {}),
    scenarioRun: (runId) => request<ScenarioRun>('GET', `/admin/scenario-runs/${seg(runId)}`),
    scenarioHandout: async (runId, format) => handoutText(await request<unknown>('GET', `/admin/scenario-runs/${seg(runId)}/handout?format=${format}`)),
  };
}

/**
 * The handout's text: the browser host answers it as is; the desktop's `admin_request`
 * carries only JSON, so it comes as a JSON string or a `{text}` object there, or not at all
 * (null) from a server that does not pass text through.
 */
function handoutText(answer: unknown): string {
  if (typeof answer === 'string') return answer;
  if (answer && typeof answer === 'object' && typeof (answer as { text?: unknown }).text === 'string') {
    return (answer as { text: string }).text;
  }
  throw new ApiError(502, 'the server answered no handout text (this host cannot carry a non-JSON answer)');
}

/** The error for a refusal: signed out on 401, else the server's `error_description`. */
export function refusal(status: number, body: unknown, fallback: string): Error {
  if (status === 401) return new SignedOutError();
  const description = body && typeof body === 'object' ? (body as { error_description?: unknown }).error_description : undefined;
  return new ApiError(status, typeof description === 'string' ? description : fallback);
}
