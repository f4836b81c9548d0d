// Map-side helpers for the selection, which MapView calls with its map: the feature-state
// `selected` that map_style.ts draws as an outline, and the box drawn with Shift+drag (or a
// plain drag with the select tool).
import type { Map as MapLibreMap } from 'maplibre-gl';
import type { Selected } from './store.svelte';

/** A box on the map's canvas, in pixels. */
export interface Box {
  from: [number, number];
  to: [number, number];
}

/** Moves the `selected` feature-state from the previously highlighted set to `next` (tile
 *  features carry their fid as id, so the state follows them into tiles loaded later). */
export function applySelectedState(
  map: MapLibreMap,
  previous: { layer: string; fids: number[] } | null,
  next: Selected | null,
): { layer: string; fids: number[] } | null {
  if (previous && map.getSource(previous.layer)) {
    map.removeFeatureState({ source: previous.layer, sourceLayer: previous.layer });
  }
  if (!next || !map.getSource(next.layer)) return null;
  for (const id of next.fids) {
    map.setFeatureState({ source: next.layer, sourceLayer: next.layer, id }, { selected: true });
  }
  return { layer: next.layer, fids: next.fids };
}

/** Lets the user draw a selection box: Shift+drag with any tool, or a drag with the select
 *  tool (`selecting()`), which then stops the map from panning. Calls `done` with the box and
 *  whether Ctrl was held (add to the selection). */
export function boxSelection(map: MapLibreMap, container: HTMLElement, selecting: () => boolean, done: (box: Box, add: boolean) => void): void {
  const canvas = map.getCanvasContainer();
  let start: [number, number] | null = null;
  let outline: HTMLDivElement | null = null;

  const point = (e: MouseEvent): [number, number] => {
    const r = canvas.getBoundingClientRect();
    return [e.clientX - r.left - canvas.clientLeft, e.clientY - r.top - canvas.clientTop];
  };

  const finish = (e: MouseEvent | null) => {
    document.removeEventListener('mousemove', onMove);
    document.removeEventListener('mouseup', onUp);
    outline?.remove();
    outline = null;
    map.dragPan.enable();
    const from = start;
    start = null;
    if (!e || !from) return;
    const to = point(e);
    // A click, not a drag: the map's click handler selects.
    if (Math.abs(to[0] - from[0]) < 4 && Math.abs(to[1] - from[1]) < 4) return;
    done({ from, to }, e.ctrlKey || e.metaKey);
  };
  const onMove = (e: MouseEvent) => {
    if (!start) return;
    const p = point(e);
    if (!outline) {
      outline = document.createElement('div');
      outline.className = 'selection-box';
      container.appendChild(outline);
    }
    const [x0, y0] = [Math.min(start[0], p[0]), Math.min(start[1], p[1])];
    outline.style.transform = `translate(${x0}px, ${y0}px)`;
    outline.style.width = `${Math.abs(p[0] - start[0])}px`;
    outline.style.height = `${Math.abs(p[1] - start[1])}px`;
  };
  const onUp = (e: MouseEvent) => finish(e);

  canvas.addEventListener(
    'mousedown',
    (e: MouseEvent) => {
      if (e.button !== 0 || !(e.shiftKey || selecting())) return;
      e.preventDefault();
      e.stopPropagation();
      map.dragPan.disable();
      start = point(e);
      document.addEventListener('mousemove', onMove);
      document.addEventListener('mouseup', onUp);
    },
    true,
  );
}
