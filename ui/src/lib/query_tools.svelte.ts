// The query tool and the search box: their state beside the one store (store.svelte.ts), the
// typed calls of src-tauri/src/query_commands.rs, and what the map should show (the area
// searched, the results' marks, a pasted coordinate's marker, where to fly). MapView reads
// this state and draws it; components change it through the methods here.
import { invoke } from '@tauri-apps/api/core';
import { store } from './store.svelte';
import { importing } from './importing.svelte';
import type { PasteCrs } from '../generated/PasteCrs';
import type { QueryAnswer } from '../generated/QueryAnswer';
import type { QueryHit } from '../generated/QueryHit';
import type { QueryRequest } from '../generated/QueryRequest';
import type { SearchAnswer } from '../generated/SearchAnswer';
import type { NameHit } from '../generated/NameHit';

/** The query tool's kinds. */
export type QueryKind = 'radius' | 'nearest' | 'along' | 'polygon';

/** The target: one layer's id, or all visible facility layers. */
export const ALL_VISIBLE_FACILITIES = '*';

/** A feature on a line layer picked as the road to measure along. */
export interface PickedLine {
  layer: string;
  fid: number;
  name: string | null;
}

type Bounds = [number, number, number, number];

const api = {
  query: (request: QueryRequest, layers: string[]) => invoke<QueryAnswer>('spatial_query', { request, layers }),
  featureBounds: (layer: string, fid: number) => invoke<Bounds | null>('feature_bounds', { layer, fid }),
  search: (text: string, crs: PasteCrs) => invoke<SearchAnswer>('search', { text, crs }),
};

/** Where the map should go next; `seq` makes the same place asked twice fly twice. */
export interface FlyRequest {
  bounds: Bounds;
  seq: number;
}

class QueryTools {
  kind = $state<QueryKind>('radius');
  meters = $state(200);
  k = $state(5);
  target = $state<string>(ALL_VISIBLE_FACILITIES);
  /** The last click (radius, nearest) as `[lon, lat]`. */
  clicked = $state.raw<[number, number] | null>(null);
  /** The corners of the polygon drawn for `polygon` (first = last). */
  corners = $state.raw<[number, number][] | null>(null);
  /** The road (any line feature) picked for `along`. */
  line = $state.raw<PickedLine | null>(null);
  answer = $state.raw<QueryAnswer | null>(null);
  /** What the result list says above the rows, or why the query failed. */
  note = $state('');
  busy = $state(false);

  /** The search box. */
  searchText = $state('');
  searchCrs = $state<PasteCrs>('wgs84');
  searchAnswer = $state.raw<SearchAnswer | null>(null);
  searchError = $state('');
  /** A pasted coordinate's WGS84 place, marked on the map. */
  marker = $state.raw<[number, number] | null>(null);

  fly = $state.raw<FlyRequest | null>(null);
  private flySeq = 0;
  private searchSeq = 0;

  /** The layers a query runs on: the chosen one, or every visible facility layer. */
  targetLayers(): string[] {
    const info = store.project;
    if (!info) return [];
    if (this.target !== ALL_VISIBLE_FACILITIES) return [this.target];
    return info.layers.filter((l) => l.kind.group === 'facility' && store.isVisible(l.kind.id)).map((l) => l.kind.id);
  }

  /** A click on the map with the query tool: the centre of a radius or nearest query. */
  async clickAt(lon: number, lat: number): Promise<void> {
    this.clicked = [lon, lat];
    await this.run();
  }

  /** A line feature clicked with the `along` query. */
  async pickLine(line: PickedLine): Promise<void> {
    this.line = line;
    await this.run();
  }

  /** A polygon drawn on the map with the `polygon` query: its ring. */
  async polygonDrawn(ring: [number, number][]): Promise<void> {
    this.corners = ring;
    await this.run();
  }

  /** The request for the current kind and parameters, or null while a click is missing. */
  request(): QueryRequest | null {
    switch (this.kind) {
      case 'radius':
        return this.clicked ? { kind: 'radius', lon: this.clicked[0], lat: this.clicked[1], meters: this.meters } : null;
      case 'nearest':
        return this.clicked ? { kind: 'nearest', lon: this.clicked[0], lat: this.clicked[1], k: this.k } : null;
      case 'along':
        return this.line ? { kind: 'along', layer: this.line.layer, fid: this.line.fid, meters: this.meters } : null;
      case 'polygon':
        return this.corners ? { kind: 'polygon', corners: this.corners } : null;
    }
  }

  /** Runs the query again (after a click, or a parameter changed). */
  async run(): Promise<void> {
    const request = this.request();
    if (!request) return;
    this.busy = true;
    try {
      const answer = await api.query(request, this.targetLayers());
      this.answer = answer;
      this.note = '';
      const layers = new Set(answer.hits.map((h) => h.layer));
      // One layer's results become the shared selection (the table shows it, the map
      // highlights it); several layers' are marked by this tool alone.
      if (layers.size === 1) {
        const layer = answer.hits[0].layer;
        store.setSelected(layer, answer.hits.map((h) => h.fid));
      } else if (store.selected) {
        store.setSelected(store.selected.layer, []);
      }
    } catch (e) {
      this.answer = null;
      this.note = store.t.queryFailed(String(e));
    } finally {
      this.busy = false;
    }
  }

  /** Clears the results, the area drawn and the picked road. */
  clear(): void {
    this.answer = null;
    this.clicked = null;
    this.corners = null;
    this.line = null;
    this.note = '';
  }

  flyTo(bounds: Bounds): void {
    this.fly = { bounds, seq: ++this.flySeq };
  }

  /** A result clicked: fly to it and show its attributes. */
  async showHit(hit: QueryHit): Promise<void> {
    if (hit.bounds) this.flyTo(hit.bounds);
    await store.select(hit.layer, hit.fid);
  }

  /** One layer's results to a file: they become the selection, and the Export dialog opens
   *  on them (format, coordinate system and encoding chosen there, as for any export). */
  exportLayer(layer: string): void {
    const fids = (this.answer?.hits ?? []).filter((h) => h.layer === layer).map((h) => h.fid);
    if (fids.length === 0) return;
    store.setSelected(layer, fids);
    importing.showExport();
  }

  /** The search box's text changed: search as the user types (the latest answer wins). */
  async search(): Promise<void> {
    const seq = ++this.searchSeq;
    const text = this.searchText;
    if (text.trim() === '') {
      this.searchAnswer = null;
      this.searchError = '';
      return;
    }
    try {
      const answer = await api.search(text, this.searchCrs);
      if (seq !== this.searchSeq) return;
      this.searchAnswer = answer;
      this.searchError = '';
    } catch (e) {
      if (seq !== this.searchSeq) return;
      this.searchAnswer = null;
      this.searchError = String(e);
    }
  }

  /** Enter in the search box: the coordinate, else the best name match. */
  async searchGo(): Promise<void> {
    await this.search();
    const a = this.searchAnswer;
    if (a?.coordinate) this.goToCoordinate(a.coordinate.lon, a.coordinate.lat);
    else if (a && a.names.length > 0) await this.goToName(a.names[0]);
  }

  /** Flies to a pasted coordinate (already WGS84) and marks it. */
  goToCoordinate(lon: number, lat: number): void {
    this.marker = [lon, lat];
    // About 100 m around the place: street level.
    const d = 0.0008;
    this.flyTo([lon - d, lat - d, lon + d, lat + d]);
  }

  /** Flies to a feature found by name and shows its attributes. */
  async goToName(hit: NameHit): Promise<void> {
    try {
      const bounds = await api.featureBounds(hit.layer, hit.fid);
      if (bounds) this.flyTo(bounds);
      await store.select(hit.layer, hit.fid);
    } catch (e) {
      this.searchError = String(e);
    }
  }
}

export const tools = new QueryTools();

/** A distance as text: metres below a kilometre, else kilometres. */
export function distanceText(m: number): string {
  return m < 1000 ? `${m.toFixed(m < 10 ? 1 : 0)} m` : `${(m / 1000).toFixed(2)} km`;
}
