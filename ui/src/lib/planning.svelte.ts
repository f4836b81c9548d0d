// The planning panel's state beside the one store (store.svelte.ts): the pilot zones, the zone
// drawn and being described, the report of the chosen zone, the suggested sites, the coverage
// gaps — and the typed calls of src-tauri/src/planning_commands.rs. MapView reads `overlay()`
// and draws it (lib/map/planning_overlay.ts); components change the state through the methods.
import { invoke } from '@tauri-apps/api/core';
import { save } from '@tauri-apps/plugin-dialog';
import type { FeatureCollection } from 'geojson';
import { store } from './store.svelte';
import { edit } from './edit.svelte';
import type { Geometry } from './draw_types';
import type { DemandChoice } from '../generated/DemandChoice';
import type { SuggestRequest } from '../generated/SuggestRequest';
import type { SuggestView } from '../generated/SuggestView';
import type { ZoneDraft } from '../generated/ZoneDraft';
import type { PilotZone } from '../generated/PilotZone';
import type { ZoneReportView } from '../generated/ZoneReportView';

const api = {
  zones: () => invoke<PilotZone[]>('zone_list'),
  add: (draft: ZoneDraft) => invoke<PilotZone>('zone_add', { draft }),
  rename: (name: string, newName: string) => invoke<void>('zone_rename', { name, newName }),
  remove: (name: string) => invoke<void>('zone_remove', { name }),
  report: (zone: string, choice: DemandChoice) => invoke<ZoneReportView>('zone_report_view', { zone, choice }),
  exportReport: (zone: string, choice: DemandChoice, path: string) => invoke<string>('zone_report_export', { zone, choice, path }),
  suggest: (request: SuggestRequest) => invoke<SuggestView>('plan_suggest', { request }),
  saveScenario: (request: SuggestRequest, name: string, unitCost: number | null) => invoke<number>('plan_save_scenario', { request, name, unitCost }),
  removeScenario: (name: string) => invoke<void>('plan_remove_scenario', { name }),
  gaps: (kind: string, zone: string | null, choice: DemandChoice) => invoke<FeatureCollection>('plan_gaps', { kind, zone, choice }),
  exportGaps: (kind: string, zone: string | null, choice: DemandChoice, path: string) => invoke<number>('plan_gaps_export', { kind, zone, choice, path }),
};

/** The demand choices the panel offers (LAYER:FIELD as the command line spells them). */
export const DEMANDS = ['communities:households', 'blocks:households', 'responsibility_units', 'schools:students'];

/** A zone being described after it was drawn. */
export interface ZoneForm {
  geometry: Geometry;
  name: string;
  theme: string;
  status: 'draft' | 'approved';
  author: string;
  note: string;
}

/** What the map draws for the planners (see lib/map/planning_overlay.ts). */
export interface PlanningOverlay {
  zone: [number, number, number, number] | null;
  uncovered: FeatureCollection;
  sites: FeatureCollection;
  gained: FeatureCollection;
  gaps: FeatureCollection;
}

type Bounds = [number, number, number, number];
const empty = (): FeatureCollection => ({ type: 'FeatureCollection', features: [] });

class Planning {
  open = $state(false);
  zones = $state.raw<PilotZone[]>([]);
  /** The chosen zone's name ('' for none). */
  zone = $state('');
  form = $state.raw<ZoneForm | null>(null);
  drawing = $state(false);
  demand = $state(DEMANDS[0]);
  /** '' (along the streets where there are roads), 'network' or 'straight'. */
  distance = $state('');
  report = $state.raw<ZoneReportView | null>(null);
  /** The facility kind whose uncovered demand the map highlights. */
  kind = $state('chargers');
  n = $state(3);
  candidates = $state('parking');
  keepExisting = $state(true);
  suggestion = $state.raw<SuggestView | null>(null);
  /** The request the shown suggestion answered (what "keep as scenario" saves). */
  private asked: SuggestRequest | null = null;
  gaps = $state.raw<FeatureCollection | null>(null);
  busy = $state(false);
  note = $state('');
  exportPath = $state('');
  gapsPath = $state('');
  /** Overrides the catalog's service radius of the suggestion's kind (null: the catalog's). */
  radius = $state<number | null>(null);
  /** Where the map should go (a zone chosen); `seq` makes the same zone asked twice fly twice. */
  fly = $state.raw<{ bounds: Bounds; seq: number } | null>(null);
  private flySeq = 0;
  /** Bumped by each report asked for: an answer to an older question is dropped. */
  private reportSeq = 0;

  choice(): DemandChoice {
    return { demand: this.demand, distance: this.distance || null };
  }

  async show(): Promise<void> {
    this.open = true;
    await this.refresh();
    // Facilities may have changed while the panel was closed.
    await this.runReport();
  }

  hide(): void {
    this.open = false;
    this.cancelDrawing();
  }

  async refresh(): Promise<void> {
    try {
      this.zones = await api.zones();
      if (this.zone && !this.zones.some((z) => z.name === this.zone)) {
        this.zone = '';
        this.report = null;
      }
    } catch (e) {
      this.note = String(e);
    }
  }

  /** Draws a new zone on the map, then opens its form. */
  async drawZone(): Promise<void> {
    if (this.drawing) return;
    // Clicks go to the drawing layer: no tool of its own should also act on them.
    if (store.tool !== 'pan') {
      store.tool = 'pan';
      await new Promise((r) => setTimeout(r, 50));
    }
    this.drawing = true;
    this.form = null;
    store.say((t) => t.planDrawHint);
    const g = await edit.drawGeometry('polygon');
    this.drawing = false;
    if (!g || g.type !== 'Polygon') {
      store.say((t) => t.planDrawCancelled);
      return;
    }
    this.form = { geometry: g, name: '', theme: store.t.planThemeDefault, status: 'draft', author: '', note: '' };
    store.say((t) => t.planDescribe);
  }

  cancelDrawing(): void {
    if (this.drawing || this.form) edit.clearDrawing();
    this.drawing = false;
    this.form = null;
  }

  async saveZone(): Promise<void> {
    const f = this.form;
    if (!f) return;
    try {
      const z = await api.add({ name: f.name, theme: f.theme, status: f.status, author: f.author || null, note: f.note || null, geometry: f.geometry });
      edit.clearDrawing();
      this.form = null;
      await this.refresh();
      store.say((t) => t.planZoneAdded(z.name));
      await this.choose(z.name);
    } catch (e) {
      this.note = String(e);
    }
  }

  async choose(name: string): Promise<void> {
    this.zone = name;
    this.suggestion = null;
    this.gaps = null;
    const z = this.zones.find((x) => x.name === name);
    if (z?.bounds) this.fly = { bounds: z.bounds as Bounds, seq: ++this.flySeq };
    await this.runReport();
  }

  async rename(name: string, newName: string): Promise<void> {
    try {
      await api.rename(name, newName);
      await this.refresh();
      if (this.zone === name) await this.choose(newName);
    } catch (e) {
      this.note = String(e);
    }
  }

  async remove(name: string): Promise<void> {
    try {
      await api.remove(name);
      store.say((t) => t.planZoneRemoved(name));
      await this.refresh();
    } catch (e) {
      this.note = String(e);
    }
  }

  async runReport(): Promise<void> {
    if (!this.zone) return;
    const seq = ++this.reportSeq;
    this.busy = true;
    try {
      const report = await api.report(this.zone, this.choice());
      if (seq !== this.reportSeq) return;
      this.report = report;
      this.note = '';
      if (!this.report.coverage.some((c) => c.layer === this.kind)) this.kind = this.report.coverage[0]?.layer ?? '';
      if (this.gaps) await this.loadGaps();
    } catch (e) {
      if (seq !== this.reportSeq) return;
      this.report = null;
      this.note = String(e);
    } finally {
      if (seq === this.reportSeq) this.busy = false;
    }
  }

  /** The facility kind the map marks and suggestions are for; the gaps follow it. */
  async chooseKind(kind: string): Promise<void> {
    this.kind = kind;
    if (this.gaps) await this.loadGaps();
  }

  request(): SuggestRequest {
    return {
      kind: this.kind,
      n: this.n,
      zone: this.zone || null,
      candidates: this.candidates,
      demand: this.choice(),
      radius_m: this.radius && this.radius > 0 ? this.radius : null,
      keep_existing: this.keepExisting,
      cover: null,
    };
  }

  async runSuggest(): Promise<void> {
    this.busy = true;
    const request = this.request();
    try {
      this.suggestion = await api.suggest(request);
      this.asked = request;
      this.note = '';
    } catch (e) {
      this.suggestion = null;
      this.note = String(e);
    } finally {
      this.busy = false;
    }
  }

  async keepScenario(name: string, unitCost: number | null): Promise<void> {
    if (!this.asked) return;
    try {
      const sites = await api.saveScenario(this.asked, name, unitCost);
      store.say((t) => t.planScenarioKept(name, sites));
      this.suggestion = null;
      await this.runReport();
    } catch (e) {
      this.note = String(e);
    }
  }

  async removeScenario(name: string): Promise<void> {
    try {
      await api.removeScenario(name);
      await this.runReport();
    } catch (e) {
      this.note = String(e);
    }
  }

  async toggleGaps(): Promise<void> {
    if (this.gaps) {
      this.gaps = null;
      return;
    }
    await this.loadGaps();
  }

  private async loadGaps(): Promise<void> {
    try {
      this.gaps = await api.gaps(this.kind, this.zone || null, this.choice());
    } catch (e) {
      this.gaps = null;
      this.note = String(e);
    }
  }

  async browseGaps(): Promise<void> {
    const path = await save({
      defaultPath: this.gapsPath || `${this.kind}-gaps.gpkg`,
      filters: [
        { name: 'GeoPackage', extensions: ['gpkg'] },
        { name: 'GeoJSON', extensions: ['geojson'] },
        { name: 'Shapefile', extensions: ['shp'] },
        { name: 'KML', extensions: ['kml'] },
      ],
    });
    if (path) this.gapsPath = path;
  }

  async exportGaps(): Promise<void> {
    if (!this.gapsPath) return;
    try {
      const n = await api.exportGaps(this.kind, this.zone || null, this.choice(), this.gapsPath);
      store.say((t) => t.planGapsExported(n, this.gapsPath));
    } catch (e) {
      this.note = String(e);
    }
  }

  async browseExport(): Promise<void> {
    const path = await save({
      defaultPath: this.exportPath || `${this.zone}.pdf`,
      filters: [
        { name: 'PDF', extensions: ['pdf'] },
        { name: 'Excel', extensions: ['xlsx'] },
      ],
    });
    if (path) this.exportPath = path;
  }

  async exportReport(): Promise<void> {
    if (!this.zone || !this.exportPath) return;
    this.busy = true;
    try {
      const path = await api.exportReport(this.zone, this.choice(), this.exportPath);
      store.say((t) => t.planExported(path));
    } catch (e) {
      this.note = String(e);
    } finally {
      this.busy = false;
    }
  }

  /** What the map draws: the chosen zone, its uncovered demand for the chosen kind, the
   *  suggested sites and the demand they newly cover, and the gaps. */
  overlay(): PlanningOverlay {
    const uncovered = empty();
    if (!this.open) return { zone: null, uncovered, sites: empty(), gained: empty(), gaps: empty() };
    const coverage = this.report?.coverage.find((c) => c.layer === this.kind);
    for (const u of coverage?.uncovered ?? []) {
      const props = { name: u.name ?? '', fid: u.fid };
      uncovered.features.push({ type: 'Feature', properties: props, geometry: { type: 'Point', coordinates: u.at } });
      if (u.outline) uncovered.features.push({ type: 'Feature', properties: props, geometry: u.outline as GeoJSON.Geometry });
    }
    const sites = empty();
    const gained = empty();
    for (const s of this.suggestion?.sites ?? []) {
      sites.features.push({ type: 'Feature', properties: { rank: String(s.rank) }, geometry: { type: 'Point', coordinates: s.at } });
    }
    for (const at of this.suggestion?.newly_covered_at ?? []) {
      gained.features.push({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: at } });
    }
    const z = this.zones.find((x) => x.name === this.zone);
    return { zone: (z?.bounds as Bounds | null) ?? null, uncovered, sites, gained, gaps: this.gaps ?? empty() };
  }
}

export const planning = new Planning();
