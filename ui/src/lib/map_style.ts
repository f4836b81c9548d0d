// Builds the MapLibre style from the project's catalog: one vector source per layer, served
// by the core over tiles://, one style layer per catalog layer (its own style fragment), and
// a label layer for each layer the catalog labels. Every layer-specific decision comes from
// the catalog (`LayerEntry.display`); nothing here names a layer. No glyphs URL: MapLibre
// draws text with local fonts.
import type { ExpressionSpecification, LayerSpecification, StyleSpecification } from 'maplibre-gl';
import type { LayerEntry } from '../generated/LayerEntry';
import type { ProjectInfo } from '../generated/ProjectInfo';

/** The font stack for labels: the CJK font the install script provides, then any sans-serif. */
export const LABEL_FONT = ['Noto Sans CJK SC', 'WenQuanYi Micro Hei', 'sans-serif'];

export function tileUrl(layer: string): string {
  return `tiles://localhost/${layer}/{z}/{x}/{y}.pbf`;
}

export function labelLayerId(layer: string): string {
  return `${layer}-label`;
}

function visibility(on: boolean): 'visible' | 'none' {
  return on ? 'visible' : 'none';
}

function mainLayer(l: LayerEntry, on: boolean): LayerSpecification {
  const { type, paint, layout, ...rest } = l.kind.style;
  return {
    ...rest,
    id: l.kind.id,
    type,
    source: l.kind.id,
    'source-layer': l.kind.id,
    paint: paint ?? {},
    layout: { ...(layout ?? {}), visibility: visibility(on) },
  } as LayerSpecification;
}

const polygonal = (l: LayerEntry) => l.kind.geometry === 'polygon' || l.kind.geometry === 'multi_polygon';

/** Polygon layers' tiles carry one label point per polygon in `<layer>_label` (core::tiles),
 *  so a community's name is written once, not once per tile its outline crosses. */
function labelSourceLayer(l: LayerEntry): string {
  return polygonal(l) ? `${l.kind.id}_label` : l.kind.id;
}

/** Pixels between repeats of a name along a line: more than a tile (512 px, 724 px when
 *  overzoomed by half a level), so a street gets at most one name per tile it crosses —
 *  once or twice on screen at street level, not every 250 px as MapLibre's default. */
const LINE_LABEL_SPACING = 800;

function labelLayer(l: LayerEntry, on: boolean): LayerSpecification | null {
  const spec = l.display.label;
  if (!spec) return null;
  // A polygon's name sits on its label point and may move around it, so the river's name and
  // the pedestrian street's along it both find room; a point's name goes beside the symbol.
  const anchors =
    spec.placement === 'line'
      ? { 'symbol-spacing': LINE_LABEL_SPACING }
      : polygonal(l)
        ? { 'text-variable-anchor': ['center', 'top', 'bottom', 'left', 'right'], 'text-radial-offset': 0.6 }
        : { 'text-variable-anchor': ['left', 'right', 'top', 'bottom'], 'text-radial-offset': 0.8, 'text-justify': 'auto' };
  return {
    id: labelLayerId(l.kind.id),
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
      ...anchors,
      visibility: visibility(on),
    },
    paint: { 'text-color': spec.color, 'text-halo-color': '#ffffff', 'text-halo-width': 1.5 },
  } as LayerSpecification;
}

/** The id of the style layer that outlines a catalog layer's selected features. */
export function selectedLayerId(layer: string): string {
  return `${layer}-selected`;
}

/** The colour selected features are outlined in: unlike any catalog colour. */
export const SELECTED_COLOR = '#ff1f8e';

/** Whether the feature has the feature-state `selected` (set by MapView from store.selected). */
const isSelected: ExpressionSpecification = ['boolean', ['feature-state', 'selected'], false];

/** A layer drawn over a catalog layer that outlines its selected features (a ring around a
 *  point, a halo along a line, an outline round a polygon) and draws nothing for the rest. */
function selectedLayer(l: LayerEntry, on: boolean): LayerSpecification {
  const base = { id: selectedLayerId(l.kind.id), source: l.kind.id, 'source-layer': l.kind.id, layout: { visibility: visibility(on) } };
  if (l.kind.style.type === 'circle' || l.kind.style.type === 'symbol') {
    return {
      ...base,
      type: 'circle',
      paint: {
        'circle-radius': ['case', isSelected, 8, 0],
        'circle-color': 'rgba(0,0,0,0)',
        'circle-stroke-color': SELECTED_COLOR,
        'circle-stroke-width': ['case', isSelected, 3, 0],
      },
    } as LayerSpecification;
  }
  return {
    ...base,
    type: 'line',
    paint: { 'line-color': SELECTED_COLOR, 'line-width': ['case', isSelected, 3.5, 0], 'line-opacity': 0.9 },
  } as LayerSpecification;
}

/** The style for a project; `isVisible` says which layers the layer panel has on. */
export function buildStyle(info: ProjectInfo, isVisible: (id: string) => boolean): StyleSpecification {
  const sources: StyleSpecification['sources'] = {};
  for (const l of info.layers) {
    sources[l.kind.id] = { type: 'vector', tiles: [tileUrl(l.kind.id)], minzoom: 0, maxzoom: 18 };
  }
  // Draw order: the catalog's `order`; all labels above all features, by label priority (MapLibre
  // places the top layer's symbols first, so the higher priority wins a collision).
  const ordered = [...info.layers].sort((a, b) => a.kind.order - b.kind.order);
  const labelled = ordered
    .filter((l) => l.display.label)
    .sort((a, b) => a.display.label!.priority - b.display.label!.priority || a.kind.order - b.kind.order);
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': '#f5f3ef' } },
    ...ordered.map((l) => mainLayer(l, isVisible(l.kind.id))),
    ...ordered.map((l) => selectedLayer(l, isVisible(l.kind.id))),
    ...labelled.map((l) => labelLayer(l, isVisible(l.kind.id))).filter((x): x is LayerSpecification => x !== null),
  ];
  return { version: 8, sources, layers };
}

/** The style layer ids that belong to a catalog layer (its features and its labels). */
export function styleLayerIds(l: LayerEntry): string[] {
  const own = [l.kind.id, selectedLayerId(l.kind.id)];
  return l.display.label ? [...own, labelLayerId(l.kind.id)] : own;
}

/** The style layers a click may select a feature from, in the catalog's words. */
export function clickableLayerIds(info: ProjectInfo): string[] {
  return info.layers.filter((l) => l.display.clickable).map((l) => l.kind.id);
}
