// The mock directory: mint a TPP software (organisation, transport and signing
// certificates, keys, signed SSA), download its credentials, list and revoke what was
// minted.

import { useEffect, useState } from 'preact/hooks';
import { ConfirmAction, Empty, RichText, Spinner } from '../components/bits';
import { download, downloadText } from '../lib/export';
import { dateTime } from '../lib/format';
import { errorText } from '../lib/traces';
import { platform } from '../platform';
import type { Bundle, MintRequest, Organisation, Profile, Software, VariantInfo } from '../types';

// The roles of a profile without a `[directory]` section (`default_roles` in
// crates/mockbank-core/src/profile/schema.rs); a profile's own come with it.
const ROLES = ['AISP', 'PISP', 'CBPII'];
const DEFAULT_PROFILE = 'obuk-v3.2';

function StatusBadge({ status }: { status: string }) {
  return (
    <span class={`badge ${status === 'Active' ? 'b-pass' : 'b-fail'}`} data-status={status}>
      {status}
    </span>
  );
}

const bundleFile = (b: Bundle) => `mockbank-software-${b.software_id}.json`;

/** The PEMs and the SSA of a bundle, each as the file a TPP client would be configured with. */
function bundleFiles(b: Bundle): [string, string][] {
  return [
    ['ssa.jwt', b.software_statement],
    ['transport.pem', b.transport_cert_pem],
    ['transport.key', b.transport_key_pem],
    ['signing.pem', b.signing_cert_pem],
    ['signing.key', b.signing_key_pem],
    ['ca.pem', b.ca_cert_pem],
  ];
}

function MintForm({
  profiles,
  orgs,
  variants,
  onMinted,
}: {
  profiles: Profile[];
  orgs: Organisation[];
  variants: VariantInfo[];
  onMinted: (bundle: Bundle) => void;
}) {
  const [chosenProfile, setProfile] = useState<string | null>(null);
  const [orgId, setOrgId] = useState('');
  const [orgName, setOrgName] = useState('Example TPP Ltd');
  const [name, setName] = useState('Example TPP app');
  const [chosenRoles, setRoles] = useState<string[] | null>(null);
  const [redirects, setRedirects] = useState('https://tpp.example.com/callback');
  const [keyType, setKeyType] = useState<'RSA' | 'EC'>('RSA');
  const [variant, setVariant] = useState('');
  const [minting, setMinting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  // The profiles arrive after the first render: default to OBUK when it is served.
  const profile =
    chosenProfile ?? (profiles.some((p) => p.id === DEFAULT_PROFILE) ? DEFAULT_PROFILE : (profiles[0]?.id ?? ''));
  // The roles this profile's directory mints (OBUK and STET: AISP, PISP, CBPII; Open Finance
  // Brasil: DADOS, PAGTO, CONTA, CCORR); its first two unless the user chose.
  const profileRoles = profiles.find((p) => p.id === profile)?.directory?.roles ?? ROLES;
  const roles = (chosenRoles ?? profileRoles.slice(0, 2)).filter((r) => profileRoles.includes(r));
  const active = orgs.filter((o) => o.status === 'Active');
  const org = active.some((o) => o.org_id === orgId) ? orgId : '';
  const defect = variants.find((v) => v.id === variant);

  const toggleRole = (role: string, on: boolean) =>
    setRoles(on ? profileRoles.filter((r) => r === role || roles.includes(r)) : roles.filter((r) => r !== role));

  const submit = async (e: Event) => {
    e.preventDefault();
    const req: MintRequest = {
      software_name: name.trim(),
      profile: profile || undefined,
      roles,
      key_type: keyType,
      ...(org ? { org_id: org } : { org_name: orgName.trim() || undefined }),
    };
    const uris = redirects
      .split('\n')
      .map((u) => u.trim())
      .filter(Boolean);
    if (uris.length) req.redirect_uris = uris;
    if (variant) req.variant = variant;
    setMinting(true);
    setError(null);
    try {
      onMinted(await platform.mintSoftware(req));
    } catch (err) {
      setError(errorText(err));
    } finally {
      setMinting(false);
    }
  };

  return (
    <form class="card mint-form" onSubmit={submit} aria-label="Mint a software">
      <h2 class="card-title">Mint a software</h2>
      <div class="field">
        <label for="mint-profile">Profile</label>
        <select id="mint-profile" value={profile} onChange={(e) => {
            setProfile((e.target as HTMLSelectElement).value);
            setRoles(null);
          }}>
          {profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.id}
            </option>
          ))}
        </select>
      </div>
      <div class="field-row">
        <div class="field">
          <label for="mint-org">Organisation</label>
          <select id="mint-org" value={org} onChange={(e) => setOrgId((e.target as HTMLSelectElement).value)}>
            <option value="">New organisation</option>
            {active.map((o) => (
              <option key={o.org_id} value={o.org_id}>
                {o.org_name} ({o.org_id})
              </option>
            ))}
          </select>
        </div>
        {!org && (
          <div class="field">
            <label for="mint-org-name">Organisation name</label>
            <input id="mint-org-name" value={orgName} onInput={(e) => setOrgName((e.target as HTMLInputElement).value)} />
          </div>
        )}
      </div>
      <div class="field">
        <label for="mint-name">Software name</label>
        <input
          id="mint-name"
          required
          maxLength={40}
          value={name}
          onInput={(e) => setName((e.target as HTMLInputElement).value)}
        />
      </div>
      <fieldset class="field">
        <legend>Roles</legend>
        <div class="checks-inline">
          {profileRoles.map((r) => (
            <label key={r} class="check-label">
              <input type="checkbox" checked={roles.includes(r)} onChange={(e) => toggleRole(r, (e.target as HTMLInputElement).checked)} />
              {r}
            </label>
          ))}
        </div>
      </fieldset>
      <div class="field">
        <label for="mint-redirects">
          Redirect URIs <span class="muted">one per line</span>
        </label>
        <textarea
          id="mint-redirects"
          rows={2}
          value={redirects}
          onInput={(e) => setRedirects((e.target as HTMLTextAreaElement).value)}
        />
      </div>
      <div class="field-row">
        <div class="field">
          <span id="key-type-label">Signing key</span>
          <div class="seg" role="group" aria-labelledby="key-type-label">
            {(['RSA', 'EC'] as const).map((k) => (
              <button type="button" key={k} class={keyType === k ? 'on' : ''} aria-pressed={keyType === k} onClick={() => setKeyType(k)}>
                {k === 'RSA' ? 'RSA (PS256)' : 'EC (ES256)'}
              </button>
            ))}
          </div>
        </div>
        <div class="field">
          <label for="mint-variant">Broken variant</label>
          <select id="mint-variant" value={variant} onChange={(e) => setVariant((e.target as HTMLSelectElement).value)}>
            <option value="">None: valid credentials</option>
            {variants.map((v) => (
              <option key={v.id} value={v.id}>
                {v.id}
              </option>
            ))}
          </select>
        </div>
      </div>
      {defect && (
        <p class="hint small">
          Defect: <RichText text={defect.defect} />. A strict bank answers <span class="mono">{defect.expected}</span>.
        </p>
      )}
      {error && (
        <p class="alert small" role="alert">
          {error}
        </p>
      )}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" disabled={minting || !name.trim() || roles.length === 0}>
          {minting ? 'Minting…' : 'Mint software'}
        </button>
        {minting && (
          <span class="progress" role="status" data-testid="mint-progress">
            <Spinner />
            Generating keys…
          </span>
        )}
      </div>
    </form>
  );
}

function MintResult({ bundle }: { bundle: Bundle }) {
  return (
    <section class="card mint-result" data-testid="mint-result" aria-label="Minted">
      <h2 class="card-title">
        Minted <span class="tag">{bundle.profile}</span>
        {bundle.variant && <span class="tag tag-variant">{bundle.variant.id}</span>}
      </h2>
      <table class="kv">
        <tbody>
          <tr>
            <th>software_id</th>
            <td class="mono" data-testid="minted-software-id">
              {bundle.software_id}
            </td>
          </tr>
          <tr>
            <th>org_id</th>
            <td class="mono">
              {bundle.org_id} <span class="muted">({bundle.org_name})</span>
            </td>
          </tr>
          <tr>
            <th>Transport DN</th>
            <td class="mono">{bundle.transport_subject_dn}</td>
          </tr>
          <tr>
            <th>Signing key</th>
            <td class="mono">
              {bundle.signing_alg} <span class="muted">kid</span> {bundle.signing_kid}
            </td>
          </tr>
        </tbody>
      </table>
      {bundle.variant && (
        <p class="hint small">
          Broken on purpose: <RichText text={bundle.variant.defect} />. Expect{' '}
          <span class="mono">{bundle.variant.expected}</span>.
        </p>
      )}
      <div class="form-actions">
        <button type="button" class="btn" onClick={() => download(bundleFile(bundle), bundle)}>
          Download bundle (JSON)
        </button>
      </div>
      <div class="file-buttons">
        {bundleFiles(bundle).map(([file, text]) => (
          <button
            type="button"
            key={file}
            class="btn btn-sm"
            onClick={() => downloadText(file, text, file.endsWith('.jwt') ? 'application/jwt' : 'application/x-pem-file')}
          >
            {file}
          </button>
        ))}
      </div>
      <p class="muted small">The bundle holds the private keys: it can be downloaded again from the list below.</p>
    </section>
  );
}

function SoftwareTable({
  software,
  orgs,
  onChanged,
  onError,
}: {
  software: Software[];
  orgs: Organisation[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  const orgName = (id: string) => orgs.find((o) => o.org_id === id)?.org_name;
  const fetchBundle = async (id: string) => {
    try {
      const b = await platform.softwareBundle(id);
      download(bundleFile(b), b);
    } catch (e) {
      onError(e);
    }
  };
  return (
    <table class="grid directory-software">
      <thead>
        <tr>
          <th>Software</th>
          <th>Organisation</th>
          <th>Profile</th>
          <th>Roles</th>
          <th>Status</th>
          <th>Created</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {software.map((s) => (
          <tr key={s.software_id} data-software-id={s.software_id}>
            <td>
              <div class="cell-name">
                {s.software_name}
                {s.variant && <span class="tag tag-variant">{s.variant}</span>}
              </div>
              <div class="mono small muted">{s.software_id}</div>
            </td>
            <td>
              <div>{orgName(s.org_id) ?? <span class="muted">—</span>}</div>
              <div class="mono small muted">{s.org_id}</div>
            </td>
            <td>
              <span class="tag">{s.profile}</span>
            </td>
            <td class="small">{s.roles.join(', ')}</td>
            <td>
              <StatusBadge status={s.status} />
            </td>
            <td class="mono small">{dateTime(s.created_at * 1000)}</td>
            <td class="row-actions">
              <button type="button" class="btn btn-sm" aria-label={`Bundle of ${s.software_id}`} onClick={() => fetchBundle(s.software_id)}>
                Bundle
              </button>
              {s.status === 'Active' && (
                <ConfirmAction
                  label="Revoke"
                  name={`Revoke ${s.software_id}`}
                  action={async () => {
                    await platform.revokeSoftware(s.software_id);
                    onChanged();
                  }}
                  onError={onError}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function OrgTable({
  orgs,
  software,
  onChanged,
  onError,
}: {
  orgs: Organisation[];
  software: Software[];
  onChanged: () => void;
  onError: (e: unknown) => void;
}) {
  return (
    <table class="grid directory-orgs">
      <thead>
        <tr>
          <th>Organisation</th>
          <th>Identifier</th>
          <th>Software</th>
          <th>Status</th>
          <th>Created</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {orgs.map((o) => (
          <tr key={o.org_id} data-org-id={o.org_id}>
            <td>
              <div class="cell-name">{o.org_name}</div>
              <div class="mono small muted">{o.org_id}</div>
            </td>
            <td class="mono small">{o.organization_identifier ?? <span class="muted">—</span>}</td>
            <td class="mono small">{software.filter((s) => s.org_id === o.org_id).length}</td>
            <td>
              <StatusBadge status={o.status} />
            </td>
            <td class="mono small">{dateTime(o.created_at * 1000)}</td>
            <td class="row-actions">
              {o.status === 'Active' && (
                <ConfirmAction
                  label="Revoke"
                  name={`Revoke ${o.org_id}`}
                  action={async () => {
                    await platform.revokeOrg(o.org_id);
                    onChanged();
                  }}
                  onError={onError}
                />
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const newestFirst = <T extends { created_at: number }>(xs: T[]) => [...xs].sort((a, b) => b.created_at - a.created_at);

export function DirectoryView({ profiles }: { profiles: Profile[] }) {
  const [orgs, setOrgs] = useState<Organisation[] | null>(null);
  const [software, setSoftware] = useState<Software[]>([]);
  const [variants, setVariants] = useState<VariantInfo[]>([]);
  const [minted, setMinted] = useState<Bundle | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const refresh = () => setTick((n) => n + 1);
  const fail = (e: unknown) => setError(errorText(e));

  useEffect(() => {
    platform.listVariants().then(setVariants, fail);
  }, []);

  useEffect(() => {
    let current = true;
    Promise.all([platform.listOrgs(), platform.listSoftware()]).then(
      ([o, s]) => {
        if (!current) return;
        setOrgs(newestFirst(o));
        setSoftware(newestFirst(s));
        setError(null);
      },
      (e) => current && fail(e),
    );
    return () => {
      current = false;
    };
  }, [tick]);

  return (
    <div class="directory-view">
      {error && <div class="banner error">{error}</div>}
      <div class="scroll-area">
        <div class="directory">
          <div class="dir-top">
            <MintForm
              profiles={profiles}
              orgs={orgs ?? []}
              variants={variants}
              onMinted={(b) => {
                setMinted(b);
                refresh();
              }}
            />
            {minted ? (
              <MintResult bundle={minted} />
            ) : (
              <section class="card mint-about">
                <h2 class="card-title">What minting gives you</h2>
                <p>
                  An organisation and a software, as a national directory would register them: a transport certificate and
                  key for mTLS, a signing key and certificate, a JWKS served by this directory, and a software statement
                  (SSA) that the profiles' registration endpoints trust.
                </p>
                <p class="muted">
                  Pick a broken variant to get credentials with one defect on purpose, to check that a bank refuses them.
                </p>
              </section>
            )}
          </div>

          {orgs === null ? (
            <div class="loading-text">Loading the directory…</div>
          ) : software.length === 0 && orgs.length === 0 ? (
            <Empty title="Nothing minted yet">
              <p class="muted">Mint a software above: it and its organisation are listed here.</p>
            </Empty>
          ) : (
            <>
              <h2 class="section-title">
                Software <span class="muted small">{software.length}</span>
              </h2>
              <SoftwareTable software={software} orgs={orgs} onChanged={refresh} onError={fail} />
              <h2 class="section-title">
                Organisations <span class="muted small">{orgs.length}</span>
              </h2>
              <OrgTable orgs={orgs} software={software} onChanged={refresh} onError={fail} />
            </>
          )}
        </div>
      </div>
    </div>
  );
}
