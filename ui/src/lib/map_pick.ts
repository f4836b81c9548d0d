// What MapView asks of the map for clicks and fitting, kept out of the component: the
// clickable features under a click (every one, for the overlap chooser), and the padding that
// keeps a fitted extent clear of the floating feature panel.
import type { Map as MapLibreMap, PointLike } from 'maplibre-gl';
import type { ProjectInfo } from '../generated/ProjectInfo';
import type { Candidate } from './store.svelte';
import { clickableLayerIds } from './map_style';

/** The feature panel's width plus its margins (FeaturePanel.svelte floats it at the right). */
export const FEATURE_PANEL_SPACE = 280 + 52 + 20;

/** Pixels around a click that still count as on a point (a symbol is a few pixels across). */
const CLICK_TOLERANCE = 4;

/** Padding for `fitBounds`: the right side leaves room for the feature panel. */
export function fitPadding(): { top: number; bottom: number; left: number; right: number } {
  return { top: 20, bottom: 20, left: 20, right: FEATURE_PANEL_SPACE };
}

/** The clickable features (the catalog says which layers are) under a pixel, each once, named
 *  by its `name` tag: every point there, topmost first; where there is none, the topmost line
 *  or area (a click inside a school should not ask whether the community around it was meant). */
export function candidatesAt(m: MapLibreMap, info: ProjectInfo, point: { x: number; y: number }): Candidate[] {
  const layers = clickableLayerIds(info).filter((id) => m.getLayer(id));
  if (layers.length === 0) return [];
  const box: [PointLike, PointLike] = [
    [point.x - CLICK_TOLERANCE, point.y - CLICK_TOLERANCE],
    [point.x + CLICK_TOLERANCE, point.y + CLICK_TOLERANCE],
  ];
  const hits = m.queryRenderedFeatures(box, { layers });
  // Points first: a click on a dot means the dot, not the community around it.
  const pointFirst = [...hits].sort((a, b) => Number(b.geometry.type === 'Point') - Number(a.geometry.type === 'Point'));
  const anyPoint = pointFirst.length > 0 && pointFirst[0].geometry.type === 'Point';
  const seen = new Set<string>();
  const out: Candidate[] = [];
  for (const h of pointFirst) {
    if (h.id === undefined) continue;
    if (anyPoint && h.geometry.type !== 'Point') continue;
    if (!anyPoint && out.length === 1) break;
    const key = `${h.layer.id}/${h.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const name = h.properties?.name;
    out.push({ layer: h.layer.id, fid: Number(h.id), name: name === undefined || name === null ? '' : String(name) });
  }
  return out;
}
