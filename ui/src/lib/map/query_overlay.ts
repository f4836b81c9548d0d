// What the query tool and the search box draw on the map, in sources of their own (never the
// catalog's): the area searched (a circle, a band along a road), a ring on each result, and
// the marker of a pasted coordinate. MapView calls these with its map; nothing else here
// touches MapLibre's state.
import type { GeoJSONSource, Map as MapLibreMap } from 'maplibre-gl';
import type { FeatureCollection } from 'geojson';
import type { QueryAnswer } from '../../generated/QueryAnswer';

export const QUERY_AREA = 'query-area';
export const QUERY_HITS = 'query-hits';
export const SEARCH_MARKER = 'search-marker';

type FC = FeatureCollection;
const empty = (): FC => ({ type: 'FeatureCollection', features: [] });

/** Adds the sources and their style layers on top of everything, once per style. */
export function ensureQueryLayers(map: MapLibreMap): void {
  if (map.getSource(QUERY_AREA)) return;
  for (const id of [QUERY_AREA, QUERY_HITS, SEARCH_MARKER]) map.addSource(id, { type: 'geojson', data: empty() });
  map.addLayer({ id: `${QUERY_AREA}-fill`, type: 'fill', source: QUERY_AREA, paint: { 'fill-color': '#e4572e', 'fill-opacity': 0.08 } });
  map.addLayer({
    id: `${QUERY_AREA}-line`,
    type: 'line',
    source: QUERY_AREA,
    paint: { 'line-color': '#e4572e', 'line-width': 2, 'line-dasharray': [3, 2] },
  });
  map.addLayer({
    id: QUERY_HITS,
    type: 'circle',
    source: QUERY_HITS,
    paint: { 'circle-radius': 8, 'circle-color': 'rgba(0,0,0,0)', 'circle-stroke-color': '#e4572e', 'circle-stroke-width': 2.5 },
  });
  map.addLayer({
    id: SEARCH_MARKER,
    type: 'circle',
    source: SEARCH_MARKER,
    paint: { 'circle-radius': 7, 'circle-color': '#d7263d', 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 3 },
  });
}

/** Draws a query's answer (or clears it with `null`). */
export function showQueryAnswer(map: MapLibreMap, answer: QueryAnswer | null): void {
  ensureQueryLayers(map);
  const area: FC = empty();
  const hits: FC = empty();
  if (answer) {
    if (answer.outline.length > 0) {
      area.features.push({ type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: answer.outline } });
    }
    for (const h of answer.hits) {
      if (!h.at) continue;
      hits.features.push({ type: 'Feature', properties: { layer: h.layer, fid: h.fid }, geometry: { type: 'Point', coordinates: h.at } });
    }
  }
  (map.getSource(QUERY_AREA) as GeoJSONSource).setData(area);
  (map.getSource(QUERY_HITS) as GeoJSONSource).setData(hits);
}

/** Marks a pasted coordinate (or removes the mark with `null`). */
export function showSearchMarker(map: MapLibreMap, at: [number, number] | null): void {
  ensureQueryLayers(map);
  const data: FC = empty();
  if (at) data.features.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: at } });
  (map.getSource(SEARCH_MARKER) as GeoJSONSource).setData(data);
}
