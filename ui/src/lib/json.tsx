// Pretty-printed JSON with syntax colours, built from tokens (no innerHTML).

import type { JSX } from 'preact';
import { pretty } from './format';

const TOKEN = /("(?:\\u[a-fA-F0-9]{4}|\\[^u]|[^\\"])*")(\s*:)?|\b(true|false|null)\b|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g;

export function highlight(value: unknown): (string | JSX.Element)[] {
  const text = pretty(value);
  if (typeof value === 'string') return [text];
  const out: (string | JSX.Element)[] = [];
  let last = 0;
  let key = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index ?? 0;
    if (at > last) out.push(text.slice(last, at));
    if (m[1] !== undefined) {
      out.push(
        <span key={key++} class={m[2] ? 'j-key' : 'j-str'}>
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
