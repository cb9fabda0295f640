// Small shared pieces: badges, copy buttons, labelled values.

import { Fragment, type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { reason, statusClass } from '../lib/format';
import { highlight } from '../lib/json';
import { specRefs } from '../lib/spec';
import type { CheckSummary, Outcome } from '../types';

export function OutcomeBadge({ outcome, severity }: { outcome: Outcome; severity?: 'error' | 'warn' }) {
  const warn = outcome === 'fail' && severity === 'warn';
  const label = warn ? 'warn' : outcome;
  const glyph = outcome === 'pass' ? '✓' : outcome === 'fail' ? '✕' : '–';
  return (
    <span class={`badge b-${warn ? 'warn' : outcome}`} title={warn ? 'failed, reported only (severity warn)' : outcome}>
      <span class="glyph" aria-hidden="true">
        {glyph}
      </span>
      {label}
    </span>
  );
}

export function Status({ status, long }: { status: number; long?: boolean }) {
  return (
    <span class={`status ${statusClass(status)}`} title={reason(status)}>
      {status}
      {long && reason(status) ? ` ${reason(status)}` : ''}
    </span>
  );
}

export function Method({ method }: { method: string }) {
  return <span class={`method m-${method.toLowerCase()}`}>{method}</span>;
}

export function Counts({ summary }: { summary: CheckSummary }) {
  return (
    <span class="counts" title={`${summary.pass} passed, ${summary.fail} failed, ${summary.skip} skipped`}>
      <span class={`cnt c-pass${summary.pass ? '' : ' zero'}`}>✓ {summary.pass}</span>
      <span class={`cnt c-fail${summary.fail ? '' : ' zero'}`}>✕ {summary.fail}</span>
      <span class={`cnt c-skip${summary.skip ? '' : ' zero'}`}>– {summary.skip}</span>
    </span>
  );
}

async function writeClipboard(text: string): Promise<void> {
  if (navigator.clipboard?.writeText) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement('textarea');
  area.value = text;
  document.body.append(area);
  area.select();
  document.execCommand('copy');
  area.remove();
}

export function CopyButton({ text, label = 'Copy', class: cls = '' }: { text: string | (() => string); label?: string; class?: string }) {
  const [state, setState] = useState<'idle' | 'done' | 'failed'>('idle');
  const copy = async (e: Event) => {
    e.stopPropagation();
    try {
      await writeClipboard(typeof text === 'function' ? text() : text);
      setState('done');
    } catch {
      setState('failed');
    }
    setTimeout(() => setState('idle'), 1500);
  };
  return (
    <button type="button" class={`btn btn-sm ${cls}`} onClick={copy} data-copied={state === 'done' ? '' : undefined}>
      {state === 'done' ? 'Copied' : state === 'failed' ? 'Copy failed' : label}
    </button>
  );
}

export function SpecLinks({ spec }: { spec: string }) {
  return (
    <span class="spec">
      {specRefs(spec).map((r, i) => (
        <span key={i}>
          {i > 0 && ', '}
          {r.url ? (
            <a href={r.url} target="_blank" rel="noreferrer noopener">
              {r.text}
            </a>
          ) : (
            r.text
          )}
        </span>
      ))}
    </span>
  );
}

/** `mark`: member names to highlight (see `highlight`). */
export function Json({ value, class: cls = '', mark }: { value: unknown; class?: string; mark?: ReadonlySet<string> }) {
  return <pre class={`code json ${cls}`}>{highlight(value, mark)}</pre>;
}

/** An identifier that may wrap after its dots and underscores, never inside a word. */
export function Ident({ text, class: cls = '' }: { text: string; class?: string }) {
  const parts = text.split(/(?<=[._/])/);
  return (
    <span class={cls}>
      {parts.map((part, i) => (
        <Fragment key={i}>
          {i > 0 && <wbr />}
          {part}
        </Fragment>
      ))}
    </span>
  );
}

/** Text with `backtick` spans shown as code. */
export function RichText({ text }: { text: string }) {
  return (
    <>
      {text.split(/(`[^`]+`)/).map((part, i) =>
        part.startsWith('`') && part.endsWith('`') && part.length > 2 ? <code key={i}>{part.slice(1, -1)}</code> : part,
      )}
    </>
  );
}

/**
 * A destructive action behind an inline "Delete? Yes / Cancel" (no modal dialog): `name`
 * labels the first button for assistive tech, e.g. "Delete <client id>".
 */
export function ConfirmAction({
  label,
  name,
  action,
  onError,
}: {
  label: string;
  name: string;
  action: () => Promise<void>;
  onError: (e: unknown) => void;
}) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const yes = async () => {
    setBusy(true);
    try {
      await action();
    } catch (e) {
      onError(e);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };
  if (!confirming) {
    return (
      <button type="button" class="btn btn-ghost btn-sm btn-danger" aria-label={name} onClick={() => setConfirming(true)}>
        {label}
      </button>
    );
  }
  return (
    <span class="confirm" role="group" aria-label={`${name}?`}>
      <span class="confirm-q">{label}?</span>
      <button type="button" class="btn btn-sm btn-danger-solid" disabled={busy} onClick={yes}>
        Yes
      </button>
      <button type="button" class="btn btn-sm" disabled={busy} onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </span>
  );
}

export function Spinner() {
  return <span class="spinner" aria-hidden="true" />;
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <h3>{title}</h3>
      {children}
    </div>
  );
}

export function Logo({ size = 22 }: { size?: number }) {
  return (
    <svg class="logo" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true">
      <rect width="32" height="32" rx="7" fill="#111827" />
      <path d="M7 23V9h3.2l5.8 8.4L21.8 9H25v14h-3.2v-8.6L16 22.6l-5.8-8.2V23z" fill="#34d399" />
    </svg>
  );
}
