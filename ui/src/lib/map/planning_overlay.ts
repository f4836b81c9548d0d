// What the planning panel draws on the map, in sources of its own (never the catalog's): the
// demand no facility of the chosen kind reaches (its outline filled red, a red dot at its
// point), the coverage gaps, the suggested sites (orange rings numbered by rank) and the demand
// they newly cover (green dots). MapView calls `showPlanning` with its map.
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { PlanningOverlay } from '../planning.svelte';
import { LABEL_FONT } from '../map_style';

export const PLAN_UNCOVERED = 'plan-uncovered';
export const PLAN_GAPS = 'plan-gaps';
export const PLAN_SITES = 'plan-sites';
export const PLAN_GAINED = 'plan-gained';

const SOURCES = [PLAN_GAPS, PLAN_UNCOVERED, PLAN_GAINED, PLAN_SITES];

function ensureLayers(map: MapLibreMap): void {
  if (map.getSource(PLAN_SITES)) return;
  const empty = { type: 'FeatureCollection' as const, features: [] };
  for (const id of SOURCES) map.addSource(id, { type: 'geojson', data: empty });
  map.addLayer({ id: `${PLAN_GAPS}-fill`, type: 'fill', source: PLAN_GAPS, paint: { 'fill-color': '#e31a1c', 'fill-opacity': 0.3 } });
  map.addLayer({ id: `${PLAN_GAPS}-line`, type: 'line', source: PLAN_GAPS, paint: { 'line-color': '#b10026', 'line-width': 1 } });
  map.addLayer({
    id: `${PLAN_UNCOVERED}-fill`,
    type: 'fill',
    source: PLAN_UNCOVERED,
    filter: ['!=', ['geometry-type'], 'Point'],
    paint: { 'fill-color': '#e31a1c', 'fill-opacity': 0.18 },
  });
  map.addLayer({
    id: `${PLAN_UNCOVERED}-line`,
    type: 'line',
    source: PLAN_UNCOVERED,
    filter: ['!=', ['geometry-type'], 'Point'],
    paint: { 'line-color': '#e31a1c', 'line-width': 2.5 },
  });
  map.addLayer({
    id: PLAN_UNCOVERED,
    type: 'circle',
    source: PLAN_UNCOVERED,
    filter: ['==', ['geometry-type'], 'Point'],
    paint: { 'circle-radius': 5, 'circle-color': '#e31a1c', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 },
  });
  map.addLayer({
    id: PLAN_GAINED,
    type: 'circle',
    source: PLAN_GAINED,
    paint: { 'circle-radius': 4, 'circle-color': '#1a9850', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1 },
  });
  map.addLayer({
    id: PLAN_SITES,
    type: 'circle',
    source: PLAN_SITES,
    paint: { 'circle-radius': 11, 'circle-color': '#ffffff', 'circle-opacity': 0.9, 'circle-stroke-color': '#d95f02', 'circle-stroke-width': 3 },
  });
  map.addLayer({
    id: `${PLAN_SITES}-rank`,
    type: 'symbol',
    source: PLAN_SITES,
    layout: { 'text-field': ['get', 'rank'], 'text-font': LABEL_FONT, 'text-size': 12, 'text-allow-overlap': true },
    paint: { 'text-color': '#a6430a' },
  });
}

/** Draws the planning overlay (an empty one clears it). */
export function showPlanning(map: MapLibreMap, overlay: PlanningOverlay): void {
  ensureLayers(map);
  (map.getSource(PLAN_GAPS) as GeoJSONSource).setData(overlay.gaps);
  (map.getSource(PLAN_UNCOVERED) as GeoJSONSource).setData(overlay.uncovered);
  (map.getSource(PLAN_GAINED) as GeoJSONSource).setData(overlay.gained);
  (map.getSource(PLAN_SITES) as GeoJSONSource).setData(overlay.sites);
}
