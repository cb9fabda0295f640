// A windowed list: only the rows in view (plus a margin) are in the DOM, so a list of
// 100,000 traces scrolls as smoothly as one of ten. Rows have one fixed height.
//
// When rows are added above while the user is scrolled down, the scroll position moves by
// the same amount so the rows in view stay put; at the top, new rows simply appear.

import type { ComponentChild } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

interface Props<T> {
  items: readonly T[];
  /** Changes whenever `items` changed (the array may be mutated in place). */
  version: number;
  rowHeight: number;
  keyOf: (item: T) => string | number;
  renderRow: (item: T, index: number) => ComponentChild;
  /** Called when the last rows come into view. */
  onNearEnd?: () => void;
  /** Called with how many rows were added above the view while scrolled down. */
  onAddedAbove?: (count: number) => void;
  /** Called when the list is scrolled back to the top. */
  onTop?: () => void;
  overscan?: number;
  class?: string;
  /** Bump to scroll back to the top. */
  scrollToTop?: number;
  /** Remembers the scroll position under this name while the list is unmounted. */
  memoryKey?: string;
}

const remembered = new Map<string, { top: number; first: string | number | undefined }>();

export function VirtualList<T>(props: Props<T>) {
  const { items, rowHeight, keyOf, overscan = 12 } = props;
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(800);
  const firstKey = useRef<string | number | undefined>(undefined);
  const frame = useRef(0);

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const saved = props.memoryKey ? remembered.get(props.memoryKey) : undefined;
    if (saved && saved.top > 0) {
      el.scrollTop = saved.top;
      setScrollTop(el.scrollTop);
      // Rows added meanwhile are accounted for by the effect below.
      firstKey.current = saved.first;
    }
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => {
      ro.disconnect();
      if (props.memoryKey) remembered.set(props.memoryKey, { top: el.scrollTop, first: firstKey.current });
    };
  }, []);

  // Rows added above: keep the rows in view where they are.
  useLayoutEffect(() => {
    const el = ref.current;
    const previous = firstKey.current;
    firstKey.current = items.length > 0 ? keyOf(items[0]) : undefined;
    if (!el || previous === undefined || el.scrollTop === 0) return;
    const limit = Math.min(items.length, 10_000);
    for (let i = 1; i < limit; i++) {
      if (keyOf(items[i]) === previous) {
        el.scrollTop += i * rowHeight;
        setScrollTop(el.scrollTop);
        props.onAddedAbove?.(i);
        return;
      }
    }
  }, [props.version]);

  useEffect(() => {
    if (props.scrollToTop && ref.current) {
      ref.current.scrollTop = 0;
      setScrollTop(0);
    }
  }, [props.scrollToTop]);

  const start = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const end = Math.min(items.length, Math.ceil((scrollTop + height) / rowHeight) + overscan);

  useEffect(() => {
    if (props.onNearEnd && end >= items.length - overscan) props.onNearEnd();
  }, [end, items.length, props.version]);

  const onScroll = () => {
    if (frame.current) return;
    frame.current = requestAnimationFrame(() => {
      frame.current = 0;
      if (!ref.current) return;
      setScrollTop(ref.current.scrollTop);
      if (ref.current.scrollTop === 0) props.onTop?.();
    });
  };

  const rows: ComponentChild[] = [];
  for (let i = start; i < end; i++) {
    const item = items[i];
    rows.push(
      <div key={keyOf(item)} class="vrow" style={{ transform: `translateY(${i * rowHeight}px)`, height: `${rowHeight}px` }}>
        {props.renderRow(item, i)}
      </div>,
    );
  }

  return (
    <div ref={ref} class={`vlist ${props.class ?? ''}`} onScroll={onScroll}>
      <div class="vlist-body" style={{ height: `${items.length * rowHeight}px` }}>
        {rows}
      </div>
    </div>
  );
}
