// Pretty-printed JSON with syntax colours, built from tokens (no innerHTML).

import type { JSX } from 'preact';
import { pretty } from './format';

const TOKEN = /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

/** `mark`: member names whose keys get the `pointed` class too (a walkthrough points at them). */
export function highlight(value: unknown, mark?: ReadonlySet<string>): (string | JSX.Element)[] {
  const text = pretty(value);
  if (typeof value === 'string') return [text];
  const out: (string | JSX.Element)[] = [];
  let last = 0;
  let key = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    if (m[1] !== undefined) {
      const pointed = m[2] && mark && mark.size > 0 && mark.has(keyName(m[1]));
      out.push(
        <span key={key++} class={m[2] ? (pointed ? 'j-key pointed' : 'j-key') : 'j-str'}>
          {m[1]}
        </span>,
      );
      if (m[2]) out.push(m[2]);
    } else if (m[3] !== undefined) {
      out.push(<span key={key++} class={m[3] === 'null' ? 'j-null' : 'j-bool'}>{m[3]}</span>);
    } else {
      out.push(<span key={key++} class="j-num">{m[4]}</span>);
    }
    last = at + m[0].length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function keyName(quoted: string): string {
  try {
    return JSON.parse(quoted) as string;
  } catch {
    return quoted.slice(1, -1);
  }
}
