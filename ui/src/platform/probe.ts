// The desktop latency probe (`MOCKBANK_DESKTOP_PROBE=1`, see scripts/desktop-latency.mjs):
// reports when each new trace row is first drawn, as wall-clock ms, so a script can compare
// it with when its request's response arrived. Only the desktop host installs it.

/** Calls `report` once per trace row (`.trow[data-seq]`), at the frame after it appeared. */
export function installProbe(report: (seq: number, frameMs: number) => void): void {
  const seen = new Set<string>();
  const observe = () =>
    new MutationObserver((mutations) => {
      for (const m of mutations) {
        for (const n of m.addedNodes) {
          if (!(n instanceof Element)) continue;
          const rows = n.matches('.trow[data-seq]') ? [n] : [...n.querySelectorAll('.trow[data-seq]')];
          for (const row of rows) {
            const seq = row.getAttribute('data-seq');
            // The virtual list re-creates rows as it scrolls: the first appearance counts.
            if (seq === null || seen.has(seq)) continue;
            seen.add(seq);
            requestAnimationFrame(() => report(Number(seq), performance.timeOrigin + performance.now()));
          }
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  if (document.body) observe();
  else addEventListener('DOMContentLoaded', observe, { once: true });
}
