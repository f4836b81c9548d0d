// Builds the MapLibre style from the project's catalog: one vector source per layer, served
// by the core over tiles://, one style layer per catalog layer (its own style fragment), and
// label layers for named places. No glyphs URL: MapLibre ≥ 5.11 draws text with local fonts.
import type { StyleSpecification, LayerSpecification } from 'maplibre-gl';
import type { LayerInfo, ProjectInfo } from './types';

/** The font stack for labels: the CJK font the install script provides, then any sans-serif. */
export const LABEL_FONT = ['Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif'];

/** Layers whose features carry a name worth writing on the map, and how. `priority`: where
 *  labels collide, the higher one is placed first (MapLibre places the top layer's symbols
 *  first), so a river keeps its name beside the street that runs along it. */
const LABELS: Record<string, { placement: 'point' | 'line'; size: number; color: string; minzoom: number; priority: number }> = {
  subdistricts: { placement: 'point', size: 16, color: '#333333', minzoom: 11, priority: 6 },
  communities: { placement: 'point', size: 13, color: '#6b4e16', minzoom: 13, priority: 5 },
  water: { placement: 'point', size: 12, color: '#1f5f8b', minzoom: 13, priority: 4 },
  smart_streets: { placement: 'point', size: 13, color: '#01665e', minzoom: 13, priority: 3 },
  roads: { placement: 'line', size: 12, color: '#444444', minzoom: 13, priority: 2 },
  markets: { placement: 'point', size: 11, color: '#54278f', minzoom: 15, priority: 1 },
  schools: { placement: 'point', size: 11, color: '#a35200', minzoom: 15, priority: 1 },
};

export function tileUrl(layer: string): string {
  return `tiles://localhost/${layer}/{z}/{x}/{y}.pbf`;
}

function mainLayer(l: LayerInfo): LayerSpecification {
  const { type, paint, layout, ...rest } = l.kind.style;
  return {
    ...rest,
    id: l.kind.id,
    type,
    source: l.kind.id,
    'source-layer': l.kind.id,
    paint: paint ?? {},
    layout: { ...(layout ?? {}), visibility: 'visible' },
  } as LayerSpecification;
}

/** Polygon layers' tiles carry one label point per polygon in `<layer>_label` (core::tiles),
 *  so a community's name is written once, not once per tile its outline crosses. */
function labelSourceLayer(l: LayerInfo): string {
  return l.kind.geometry === 'polygon' || l.kind.geometry === 'multi_polygon' ? `${l.kind.id}_label` : l.kind.id;
}

function labelLayer(l: LayerInfo): LayerSpecification | null {
  const spec = LABELS[l.kind.id];
  if (!spec) return null;
  return {
    id: `${l.kind.id}-label`,
    type: 'symbol',
    source: l.kind.id,
    'source-layer': labelSourceLayer(l),
    minzoom: spec.minzoom,
    layout: {
      'text-field': ['get', 'name'],
      'text-font': LABEL_FONT,
      'text-size': spec.size,
      'symbol-placement': spec.placement,
      'text-max-width': 8,
      // Point labels may move around their anchor, so the river's name and the pedestrian
      // street's along it both find room.
      ...(spec.placement === 'point'
        ? { 'text-variable-anchor': ['center', 'top', 'bottom', 'left', 'right'], 'text-radial-offset': 0.6 }
        : {}),
      visibility: 'visible',
    },
    paint: { 'text-color': spec.color, 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
  } as LayerSpecification;
}

export function buildStyle(info: ProjectInfo): StyleSpecification {
  const sources: StyleSpecification['sources'] = {};
  for (const l of info.layers) {
    sources[l.kind.id] = { type: 'vector', tiles: [tileUrl(l.kind.id)], minzoom: 0, maxzoom: 18 };
  }
  // Draw order: the catalog's `order`, but all labels above all features, by priority.
  const ordered = [...info.layers].sort((a, b) => a.kind.order - b.kind.order);
  const byPriority = ordered
    .filter((l) => LABELS[l.kind.id])
    .sort((a, b) => LABELS[a.kind.id].priority - LABELS[b.kind.id].priority || a.kind.order - b.kind.order);
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': '#f5f3ef' } },
    ...ordered.map(mainLayer),
    ...byPriority.map(labelLayer).filter((x): x is LayerSpecification => x !== null),
  ];
  return { version: 8, sources, layers };
}

/** The style layer ids that belong to a catalog layer (its features and its labels). */
export function styleLayerIds(layer: string): string[] {
  return LABELS[layer] ? [layer, `${layer}-label`] : [layer];
}

/** A colour to show in the legend for a layer: the first literal colour in its paint. */
export function legendColor(l: LayerInfo): string {
  const paint = l.kind.style.paint ?? {};
  for (const key of ['circle-color', 'fill-color', 'line-color']) {
    const v = paint[key];
    const found = firstColor(v);
    if (found) return found;
  }
  return '#888888';
}

function firstColor(v: unknown): string | null {
  if (typeof v === 'string' && v.startsWith('#')) return v;
  if (Array.isArray(v)) {
    // In a `match` expression the fallback (last) is the typical colour; prefer the first output.
    for (const item of v.slice(1)) {
      const c = typeof item === 'string' && item.startsWith('#') ? item : null;
      if (c) return c;
    }
  }
  return null;
}
