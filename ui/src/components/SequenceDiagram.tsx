// A sequence diagram of a walkthrough: three lanes (TPP, Directory, Bank) and the arrows
// of every step run so far, in order and numbered, the current step's emphasized. The
// layout is computed (`layoutSequence`): lanes at fixed x, one row per arrow, a heading row
// per step; the SVG scales to its container, and the lanes' names stay in view above the
// arrows when they scroll. An arrow with a trace opens it.

import { useLayoutEffect, useRef } from 'preact/hooks';
import { href } from '../lib/route';
import { statusClass } from '../lib/format';
import type { Arrow, Lane } from '../types';

export interface DiagramStep {
  index: number;
  title: string;
  arrows: Arrow[];
  /** Being run: a heading with no arrows yet. */
  running?: boolean;
  /** An earlier step ran again after it: its arrows are from before. */
  stale?: boolean;
}

const WIDTH = 600;
const LANES: { id: Lane; name: string; x: number }[] = [
  { id: 'tpp', name: 'TPP', x: 80 },
  { id: 'directory', name: 'Directory', x: 300 },
  { id: 'bank', name: 'Bank', x: 520 },
];
const LANE_X = Object.fromEntries(LANES.map((l) => [l.id, l.x])) as Record<Lane, number>;
/** The lanes' names: an SVG of their own above the scrolling arrows. */
const LANE_HEAD = 40;
/** Above the first step's heading. */
const TOP = 4;
const STEP_ROW = 30;
const ROW = 40;
const BOTTOM = 14;
/** An average label character at the label's font size (for truncating labels). */
const CHAR = 7.4;

export interface PlacedArrow {
  n: number;
  step: number;
  arrow: Arrow;
  x1: number;
  x2: number;
  y: number;
  label: string;
  labelX: number;
}

export interface PlacedStep {
  index: number;
  title: string;
  running: boolean;
  stale: boolean;
  /** The heading row's top, and where the step's last arrow row ends. */
  top: number;
  bottom: number;
}

export interface SequenceLayout {
  height: number;
  steps: PlacedStep[];
  arrows: PlacedArrow[];
}

function fit(text: string, room: number): string {
  const max = Math.max(4, Math.floor(room / CHAR));
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Where everything goes: pure, so it is the same on every render. */
export function layoutSequence(steps: DiagramStep[]): SequenceLayout {
  let y = TOP;
  let n = 0;
  const placedSteps: PlacedStep[] = [];
  const arrows: PlacedArrow[] = [];
  for (const s of steps) {
    const top = y;
    y += STEP_ROW;
    for (const arrow of s.arrows) {
      const x1 = LANE_X[arrow.from] ?? LANES[0].x;
      const x2 = LANE_X[arrow.to] ?? LANES[2].x;
      const rowY = y + ROW - 12;
      // A label is centred over its arrow and may run past it, not past the diagram nor
      // over the number at the arrow's start.
      const self = x1 === x2;
      let labelX: number;
      let room: number;
      if (self) {
        labelX = x1 + 54;
        room = WIDTH - labelX - 8;
      } else {
        const lo = x2 > x1 ? x1 + 22 : 8;
        const hi = x2 > x1 ? WIDTH - 8 : x1 - 22;
        room = hi - lo;
        const width = Math.min(arrow.label.length * CHAR, room);
        labelX = Math.min(Math.max((x1 + x2) / 2, lo + width / 2), hi - width / 2);
      }
      arrows.push({ n: ++n, step: s.index, arrow, x1, x2, y: rowY, label: fit(arrow.label, room), labelX });
      y += ROW;
    }
    if (s.running) y += ROW / 2;
    placedSteps.push({ index: s.index, title: s.title, running: !!s.running, stale: !!s.stale, top, bottom: y });
    y += 4;
  }
  // Room for the hint of an empty diagram.
  return { height: Math.max(y + BOTTOM, arrows.length === 0 ? 64 : 0), steps: placedSteps, arrows };
}

function ArrowShape({ a, current }: { a: PlacedArrow; current: boolean }) {
  const { arrow, x1, x2, y } = a;
  const dir = x2 >= x1 ? 1 : -1;
  const self = x1 === x2;
  const kind = arrow.kind;
  const cls = `seq-arrow k-${kind}${current ? ' is-current' : ' is-past'}${arrow.trace_id ? ' has-trace' : ''}`;
  const statusCls = arrow.status !== null ? ` ${statusClass(arrow.status)}` : '';
  const line = self ? (
    <path class="seq-line" d={`M ${x1} ${y - 8} h 36 v 16 h -28`} fill="none" />
  ) : (
    <line class="seq-line" x1={x1 + dir * 20} y1={y} x2={x2 - dir * 8} y2={y} />
  );
  const headX = self ? x1 : x2;
  const headY = self ? y + 8 : y;
  const headDir = self ? -1 : dir;
  const head = (
    <polygon class="seq-head" points={`${headX},${headY} ${headX - headDir * 10},${headY - 5} ${headX - headDir * 10},${headY + 5}`} />
  );
  const hitX = Math.min(x1, x2, a.labelX - 90);
  const hitW = Math.max(Math.abs(x2 - x1), 180) + (self ? 60 : 0);
  const body = (
    <>
      <title>
        {a.n}. {arrow.label}
        {arrow.trace_id ? ' (open the trace)' : ''}
      </title>
      <rect class="seq-hit" x={hitX} y={y - 24} width={hitW} height={32} />
      {line}
      {head}
      <circle class="seq-num-bg" cx={x1 + dir * 10} cy={y} r={9} />
      <text class="seq-num" x={x1 + dir * 10} y={y + 3.5} text-anchor="middle">
        {a.n}
      </text>
      <text class={`seq-label${kind === 'response' ? statusCls : ''}`} x={a.labelX} y={y - 8} text-anchor={self ? 'start' : 'middle'}>
        {a.label}
      </text>
    </>
  );
  const common = { class: cls, 'data-kind': kind, 'data-step': a.step, 'data-n': a.n };
  return arrow.trace_id ? (
    <a {...common} href={href.trace(arrow.trace_id)} data-trace-id={arrow.trace_id} data-testid="seq-arrow">
      {body}
    </a>
  ) : (
    <g {...common} data-testid="seq-arrow">
      {body}
    </g>
  );
}

export function SequenceDiagram({ steps, current }: { steps: DiagramStep[]; current: number }) {
  const layout = layoutSequence(steps);
  const box = useRef<HTMLDivElement>(null);
  const at = layout.steps.find((s) => s.index === current);
  // Keep the current step in view when the diagram is taller than its box (below the
  // lanes' names, which stick to its top).
  useLayoutEffect(() => {
    const el = box.current;
    if (!el || !at) return;
    const scale = el.clientWidth / WIDTH;
    const head = LANE_HEAD * scale;
    const top = (LANE_HEAD + at.top) * scale;
    const bottom = (LANE_HEAD + at.bottom) * scale;
    if (top - head < el.scrollTop || bottom > el.scrollTop + el.clientHeight) {
      // The whole step when it fits (its end at the bottom of the box), else its beginning.
      el.scrollTop = Math.max(0, Math.min(top - head - 8, bottom - el.clientHeight + 24));
    }
  }, [current, layout.height, at?.top, at?.bottom]);

  const label = `Sequence diagram: ${layout.arrows.length} arrows between the TPP, the directory and the bank`;
  return (
    <div class="seq" data-testid="sequence-diagram" data-arrows={layout.arrows.length} role="group" aria-label={label} ref={box}>
      <svg class="seq-svg seq-lanes" viewBox={`0 0 ${WIDTH} ${LANE_HEAD}`} width="100%" aria-hidden="true">
        {LANES.map((l) => (
          <g key={l.id} class={`seq-lane lane-${l.id}`}>
            <line class="seq-lifeline" x1={l.x} y1={34} x2={l.x} y2={LANE_HEAD} />
            <rect class="seq-lane-box" x={l.x - 62} y={4} width={124} height={30} rx={7} />
            <text class="seq-lane-name" x={l.x} y={24} text-anchor="middle">
              {l.name}
            </text>
          </g>
        ))}
      </svg>
      <svg class="seq-svg" viewBox={`0 0 ${WIDTH} ${layout.height}`} width="100%">
        {LANES.map((l) => (
          <line key={l.id} class={`seq-lifeline lane-${l.id}`} x1={l.x} y1={0} x2={l.x} y2={layout.height} />
        ))}
        {layout.steps.map((s) => (
          <g
            key={`s${s.index}`}
            class={`seq-step${s.index === current ? ' is-current' : ''}${s.stale ? ' is-stale' : ''}`}
            data-step={s.index}
          >
            <rect class="seq-band" x={2} y={s.top} width={WIDTH - 4} height={s.bottom - s.top} rx={8} />
            <text class="seq-step-title" x={12} y={s.top + 19}>
              {fit(`${s.index + 1}. ${s.title}${s.running ? ' — running…' : s.stale ? ' — stale' : ''}`, WIDTH - 24)}
            </text>
          </g>
        ))}
        {layout.arrows.map((a) => (
          <ArrowShape key={a.n} a={a} current={a.step === current} />
        ))}
        {layout.arrows.length === 0 && (
          <text class="seq-empty" x={WIDTH / 2} y={36} text-anchor="middle">
            The arrows appear here as the steps run.
          </text>
        )}
      </svg>
    </div>
  );
}
