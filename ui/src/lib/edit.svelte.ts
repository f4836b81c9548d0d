// Editing and measuring, beside the main store: which layer edits go to, the attribute form,
// the live measurement, and what each edit tool does with the map's drawing layer (a Drawer
// that MapView registers; see draw_types.ts). Every edit goes to the core as one command and
// one action of the project's history; the changed layer comes back as `project-changed`.
import { invoke } from '@tauri-apps/api/core';
import { store, type Tool } from './store.svelte';
import { drawKindOf, type DrawKind, type Drawer, type Geometry } from './draw_types';
import type { AttributeValue } from '../generated/AttributeValue';
import type { EditOutcome } from '../generated/EditOutcome';
import type { FeatureShape } from '../generated/FeatureShape';
import type { Measurement } from '../generated/Measurement';
import type { MeasureKind } from '../generated/MeasureKind';
import type { RedoOutcome } from '../generated/RedoOutcome';

/** Values as the form sends them: text as typed, booleans, or null to clear. */
export type FormValues = Record<string, string | boolean | null>;

/** The commands of src-tauri/src/edit_commands.rs, typed. */
const api = {
  insertFeature: (layer: string, geometry: Geometry, values: FormValues) => invoke<EditOutcome>('insert_feature', { layer, geometry, values }),
  updateGeometry: (layer: string, fid: number, geometry: Geometry) => invoke<EditOutcome>('update_geometry', { layer, fid, geometry }),
  updateAttributes: (layer: string, fids: number[], values: FormValues) => invoke<EditOutcome>('update_attributes', { layer, fids, values }),
  deleteFeatures: (layer: string, fids: number[]) => invoke<EditOutcome>('delete_features', { layer, fids }),
  featureGeometry: (layer: string, fid: number) => invoke<FeatureShape>('feature_geometry', { layer, fid }),
  redo: () => invoke<RedoOutcome>('redo'),
  measure: (kind: MeasureKind, points: [number, number][]) => invoke<Measurement>('measure', { kind, points }),
};

/** The attribute form: a new feature's (after drawing it), one stored feature's, or the same
 *  changes for several selected features. */
export interface FormState {
  mode: 'new' | 'edit' | 'multi';
  layer: string;
  fids: number[];
  geometry: Geometry | null;
  /** The values the form starts from (a stored feature's; empty for a new one or several). */
  initial: Record<string, AttributeValue>;
}

/** The tools that draw on the map or act on clicked features. */
export const EDIT_TOOLS: Tool[] = ['add', 'reshape', 'delete', 'measure-line', 'measure-area'];

/** A measured shape and what it comes to. */
export interface Measured {
  kind: MeasureKind;
  points: number;
  result: Measurement;
}

class EditStore {
  /** The layer the add, reshape and delete tools work on. */
  layer = $state('');
  form = $state.raw<FormState | null>(null);
  measured = $state.raw<Measured | null>(null);
  /** The feature loaded into the reshape tool. */
  reshaping = $state.raw<{ layer: string; fid: number } | null>(null);
  /** True once MapView has registered its drawing layer. */
  ready = $state(false);
  private drawer: Drawer | null = null;
  /** Bumped whenever a tool (re)starts, so a drawing that resolves late is ignored. */
  private generation = 0;

  register(d: Drawer | null): void {
    this.drawer = d;
    this.ready = d !== null;
  }

  /** For the spatial query tools (and anyone else): draw a shape and get its geometry, or null
   *  when cancelled or when the map is not ready. */
  drawGeometry(kind: DrawKind, onChange?: (g: Geometry | null) => void): Promise<Geometry | null> {
    return this.drawer ? this.drawer.draw(kind, onChange) : Promise.resolve(null);
  }

  /** Stops any drawing and removes the drawn shapes (another tool's drawing ends). */
  clearDrawing(): void {
    this.drawer?.clear();
  }

  /** The drawing kind of the edit layer. */
  get kind(): DrawKind {
    const l = store.layer(this.layer);
    return drawKindOf(l?.kind.geometry ?? 'point');
  }

  /** The edit layer the first time a project is there: the first facility layer. */
  defaultLayer(): void {
    const layers = store.project?.layers ?? [];
    if (!layers.some((l) => l.kind.id === this.layer)) {
      this.layer = (layers.find((l) => l.kind.group === 'facility') ?? layers[0])?.kind.id ?? '';
    }
  }

  /** The tool or the edit layer changed (or the map became ready): stop what was going on and
   *  start what the tool does. */
  toolChanged(tool: Tool): void {
    const gen = ++this.generation;
    if (this.form?.mode === 'new') this.form = null;
    this.reshaping = null;
    this.drawer?.clear();
    if (tool !== 'measure-line' && tool !== 'measure-area') this.measured = null;
    if (tool === 'add') this.armAdd(gen);
    if (tool === 'measure-line') this.armMeasure(gen, 'line');
    if (tool === 'measure-area') this.armMeasure(gen, 'area');
  }

  private armAdd(gen: number): void {
    const layer = this.layer;
    if (!this.drawer || !layer) return;
    void this.drawer.draw(this.kind).then((g) => {
      if (gen !== this.generation || store.tool !== 'add') return;
      if (!g) return this.armAdd(gen);
      this.form = { mode: 'new', layer, fids: [], geometry: g, initial: {} };
      store.say((t) => t.editFillForm);
    });
  }

  private armMeasure(gen: number, kind: MeasureKind): void {
    if (!this.drawer) return;
    let latest: [number, number][] | null = null;
    let busy = false;
    const run = async (): Promise<void> => {
      busy = true;
      while (latest) {
        const points = latest;
        latest = null;
        try {
          const result = await api.measure(kind, points);
          if (gen === this.generation) this.measured = { kind, points: points.length, result };
        } catch (e) {
          store.message = String(e);
        }
      }
      busy = false;
    };
    const measure = (g: Geometry | null): void => {
      const points = pointsOf(g);
      if (points.length < 2) return;
      latest = points;
      if (!busy) void run();
    };
    void this.drawer.draw(kind === 'line' ? 'linestring' : 'polygon', measure).then((g) => {
      if (gen !== this.generation) return;
      if (g) measure(g);
      this.armMeasure(gen, kind);
    });
  }

  /** Esc (through `store.cancel`): closes the form, else cancels the shape being drawn;
   *  answers whether there was either. */
  escape(): boolean {
    if (this.form) {
      this.closeForm();
    } else if (this.drawer?.drawing) {
      this.toolChanged(store.tool);
      store.say((t) => t.editCancelled);
    } else {
      return false;
    }
    return true;
  }

  /** A click on a feature of the edit layer with the reshape or delete tool. */
  async clicked(layer: string, fid: number): Promise<void> {
    if (store.tool === 'delete') return this.deleteFeatures(layer, [fid]);
    if (store.tool !== 'reshape' || !this.drawer) return;
    if (this.reshaping?.layer === layer && this.reshaping.fid === fid) return;
    try {
      const shape = await api.featureGeometry(layer, fid);
      const g = singlePart(shape.geometry);
      if (!g) {
        store.say((t) => t.editMultipart(fid));
        return;
      }
      this.drawer.clear();
      this.reshaping = { layer, fid };
      this.drawer.edit(g, (edited) => void this.saveGeometry(layer, fid, edited));
      store.say((t) => t.editReshapeHint);
    } catch (e) {
      store.say((t) => t.editFailed(String(e)));
    }
  }

  private async saveGeometry(layer: string, fid: number, g: Geometry): Promise<void> {
    try {
      await api.updateGeometry(layer, fid, g);
      store.say((t) => t.editMoved(fid));
    } catch (e) {
      store.say((t) => t.editFailed(String(e)));
    }
  }

  /** Deletes features (the Delete key's selection, or a clicked feature) as one action. */
  async deleteFeatures(layer: string, fids: number[]): Promise<void> {
    if (fids.length === 0) return;
    try {
      await api.deleteFeatures(layer, fids);
      store.say((t) => t.editDeleted(fids.length));
      if (store.selection?.layer === layer && fids.includes(store.selection.fid)) store.clearSelection();
      if (store.selected?.layer === layer) store.setSelected(layer, store.selected.fids.filter((f) => !fids.includes(f)));
    } catch (e) {
      store.say((t) => t.editFailed(String(e)));
    }
  }

  /** The Delete key: the selected set if there is one, else the feature the panel shows. */
  deleteSelection(): void {
    const sel = store.selected;
    if (sel && sel.fids.length > 0) void this.deleteFeatures(sel.layer, sel.fids);
    else if (store.selection) void this.deleteFeatures(store.selection.layer, [store.selection.fid]);
  }

  /** The feature panel's "edit": the form over one stored feature. */
  editFeature(layer: string, fid: number, values: Record<string, AttributeValue>): void {
    this.form = { mode: 'edit', layer, fids: [fid], geometry: null, initial: values };
  }

  /** The same changes for every selected feature. */
  editSelected(): void {
    const sel = store.selected;
    if (!sel || sel.fids.length === 0) return;
    this.form = { mode: 'multi', layer: sel.layer, fids: sel.fids, geometry: null, initial: {} };
  }

  /** Saves the form: a new feature, or only the changed fields of the stored ones. Resolves
   *  with the core's refusal (to show in the form), or null when saved. */
  async saveForm(values: FormValues): Promise<string | null> {
    const f = this.form;
    if (!f) return null;
    try {
      if (f.mode === 'new' && f.geometry) {
        const r = await api.insertFeature(f.layer, f.geometry, values);
        store.say((t) => t.editAdded(r.summary));
        this.closeForm();
        if (r.fids[0] !== undefined) void store.select(f.layer, r.fids[0]);
      } else if (Object.keys(values).length === 0) {
        this.closeForm();
      } else {
        const r = await api.updateAttributes(f.layer, f.fids, values);
        store.say((t) => t.editSaved(Number(r.written)));
        this.closeForm();
        if (store.selection && store.selection.layer === f.layer && f.fids.includes(store.selection.fid)) void store.select(f.layer, store.selection.fid);
      }
      return null;
    } catch (e) {
      return String(e);
    }
  }

  /** Closes the form; with the add tool, the drawn shape goes and the next drawing starts. */
  closeForm(): void {
    const wasNew = this.form?.mode === 'new';
    this.form = null;
    if (wasNew) this.toolChanged(store.tool);
  }

  /** Applies again what the latest undo took back; the status line says what. */
  async redo(): Promise<void> {
    try {
      const r = await api.redo();
      store.say((t) => (r.redone ? t.redone(r.summary ?? '') : t.nothingToRedo));
    } catch (e) {
      store.say((t) => t.redoFailed(String(e)));
    }
  }
}

/** The vertices of a drawn line or polygon (a polygon's outer ring, without the closing point). */
function pointsOf(g: Geometry | null): [number, number][] {
  if (!g) return [];
  if (g.type === 'LineString') return g.coordinates as [number, number][];
  if (g.type === 'Polygon') {
    const ring = (g.coordinates[0] ?? []) as [number, number][];
    return ring.length > 1 ? ring.slice(0, -1) : ring;
  }
  return [];
}

/** A stored geometry as one part the drawing layer can reshape; null for several parts or holes. */
function singlePart(g: Geometry): Geometry | null {
  const one = (type: string, parts: unknown[]): Geometry | null => (parts.length === 1 ? { type, coordinates: parts[0] } : null);
  let out: Geometry | null = g;
  if (g.type === 'MultiPoint') out = one('Point', g.coordinates);
  if (g.type === 'MultiLineString') out = one('LineString', g.coordinates);
  if (g.type === 'MultiPolygon') out = one('Polygon', g.coordinates);
  if (out?.type === 'Polygon' && out.coordinates.length !== 1) return null;
  return out;
}

export const edit = new EditStore();
store.onEscape(() => edit.escape());

/** Metres as the measure tool shows them: m below a kilometre, else km. */
export function formatLength(m: number, lang: string): string {
  const nf = (n: number, d: number) => n.toLocaleString(lang, { minimumFractionDigits: d, maximumFractionDigits: d });
  return m < 1000 ? `${nf(m, 1)} m` : `${nf(m / 1000, 3)} km`;
}

/** Square metres as m² below a square kilometre, else km²; and in 亩. */
export function formatArea(m2: number, mu: number, lang: string): string {
  const nf = (n: number, d: number) => n.toLocaleString(lang, { minimumFractionDigits: d, maximumFractionDigits: d });
  const metric = m2 < 1_000_000 ? `${nf(m2, 1)} m²` : `${nf(m2 / 1_000_000, 4)} km²`;
  return `${metric} · ${nf(mu, 2)} 亩`;
}
