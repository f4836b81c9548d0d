// The page's one store: the open project, layer visibility, the selected feature, the current
// tool and the language. Components read it and call its methods; only MapView touches the
// map. Everything from the core arrives typed (../generated, made from the Rust types).
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { open } from '@tauri-apps/plugin-dialog';
import { rememberedLang, rememberLang, tables, type Lang, type Strings } from './i18n';
import type { FeatureAttributes } from '../generated/FeatureAttributes';
import type { LayerEntry } from '../generated/LayerEntry';
import type { ProjectChanged } from '../generated/ProjectChanged';
import type { ProjectInfo } from '../generated/ProjectInfo';
import type { UndoOutcome } from '../generated/UndoOutcome';

/** What a click on the map does: `identify` shows the feature's attributes, `pan` nothing,
 *  `select` selects features (click, shift-click, drag a box), `query` runs the spatial query
 *  tool (query_tools.svelte.ts); the edit and measure tools are edit.svelte.ts's. */
export type Tool = 'identify' | 'pan' | 'select' | 'query' | 'add' | 'reshape' | 'delete' | 'measure-line' | 'measure-area';

/** Selected features: one layer's fids. */
export interface Selected {
  layer: string;
  fids: number[];
}

/** One feature under a click, for the overlap chooser: its layer, fid and name as text. */
export interface Candidate {
  layer: string;
  fid: number;
  name: string;
}

/** The overlap chooser: the features under one click and where the click was (map pixels). */
export interface Choice {
  candidates: Candidate[];
  x: number;
  y: number;
}

/** The event the desktop emits when features of the open project changed. */
export const PROJECT_CHANGED = 'project-changed';

/** The commands of src-tauri/src/commands.rs, typed. */
const api = {
  projectInfo: () => invoke<ProjectInfo>('project_info'),
  openProject: (path: string) => invoke<ProjectInfo>('open_project', { path }),
  feature: (layer: string, fid: number) => invoke<FeatureAttributes>('feature', { layer, fid }),
  undo: () => invoke<UndoOutcome>('undo'),
};

class Store {
  /** The open project as the core described it (replaced whole, never edited). */
  project = $state.raw<ProjectInfo | null>(null);
  /** Feature counts by layer id: the project's, then as `project-changed` reports them. */
  counts = $state<Record<string, number>>({});
  /** Layers switched off in the layer panel (absent: on). */
  hidden = $state<Record<string, boolean>>({});
  /** The feature whose attributes the feature panel shows. */
  selection = $state.raw<FeatureAttributes | null>(null);
  /** The selected features of one layer: the attribute table's selected rows and the map's
   *  highlights show this one set (replaced whole, never edited). */
  selected = $state.raw<Selected | null>(null);
  tool = $state<Tool>('identify');
  lang = $state<Lang>(rememberedLang());
  /** The status bar's message as a function of the strings, so it reads in the language
   *  chosen after it was set (set through `say`, or `message` for a fixed text). */
  private messageOf = $state.raw<(t: Strings) => string>(() => '');
  /** Where points overlap, the features under the last click, to choose from. */
  choice = $state.raw<Choice | null>(null);
  /** Bumped to ask the map to show the whole project (MapView fits its extent). */
  fullExtentRequests = $state(0);
  /** The cursor's position over the map, `[lon, lat]`. */
  cursor = $state.raw<[number, number] | null>(null);
  /** The map's centre, `[lon, lat]`, after each move (the print dialog's default ward). */
  centre = $state.raw<[number, number] | null>(null);
  /** Per layer, how many times its features changed since the project opened; MapView reloads
   *  a layer's tiles when its number moves. */
  dataVersion = $state<Record<string, number>>({});
  /** The layer whose attribute table is open (null: closed); a box drawn on the map selects
   *  this layer's features. */
  tableLayer = $state<string | null>(null);
  /** A box `[w, s, e, n]` the map should fit (zoom to selection); MapView clears it. */
  zoomRequest = $state.raw<[number, number, number, number] | null>(null);

  get t(): Strings {
    return tables[this.lang];
  }

  /** A one-line message for the status bar (errors, loading), in the current language. */
  get message(): string {
    return this.messageOf(this.t);
  }

  /** Sets a fixed message (text that has no other language: a path, an error from core). */
  set message(text: string) {
    this.messageOf = () => text;
  }

  /** Sets a message from the strings, so switching the language rewrites it at once. */
  say(f: (t: Strings) => string): void {
    this.messageOf = f;
  }

  /** The Chinese or English form of a catalog name, in the current language. */
  pick(zh: string, en: string): string {
    return this.lang === 'zh-CN' ? zh : en;
  }

  layer(id: string): LayerEntry | undefined {
    return this.project?.layers.find((l) => l.kind.id === id);
  }

  isVisible(id: string): boolean {
    return !this.hidden[id];
  }

  setVisible(id: string, on: boolean): void {
    this.hidden[id] = !on;
  }

  setLang(l: Lang): void {
    this.lang = l;
    rememberLang(l);
  }

  /** Loads the project the window was opened with and starts listening for changes. */
  async start(): Promise<void> {
    rememberLang(this.lang);
    window.wardgis.projectChanged = (p) => this.applyProjectChanged(p);
    window.wardgis.selectedFids = () => [...(this.selected?.fids ?? [])].sort((a, b) => a - b);
    this.say((t) => t.loading);
    try {
      this.load(await api.projectInfo());
      this.message = '';
    } catch (e) {
      this.say((t) => t.openFailed(String(e)));
    }
    try {
      await listen<ProjectChanged>(PROJECT_CHANGED, (e) => this.applyProjectChanged(e.payload));
    } catch (e) {
      this.message = String(e);
    }
  }

  private load(info: ProjectInfo): void {
    this.project = info;
    this.counts = Object.fromEntries(info.layers.map((l) => [l.kind.id, l.count]));
    this.hidden = {};
    this.selection = null;
    this.selected = null;
    this.choice = null;
    this.dataVersion = {};
    this.tableLayer = null;
    window.wardgis.info = info;
  }

  /** File › Open: the native dialog, then the core opens the file. */
  async openProject(): Promise<void> {
    const path = await open({ multiple: false, directory: false, filters: [{ name: this.t.projectFilter, extensions: ['gpkg'] }] });
    if (typeof path !== 'string') return;
    try {
      this.load(await api.openProject(path));
      this.message = '';
    } catch (e) {
      this.say((t) => t.openFailed(String(e)));
    }
  }

  /** Shows a feature's attributes (what a click on the map does with the identify tool). */
  async select(layer: string, fid: number): Promise<void> {
    try {
      this.selection = await api.feature(layer, fid);
    } catch (e) {
      this.say((t) => t.featureFailed(String(e)));
    }
  }

  /** Undoes the latest action; the core refuses (and says why) when that would destroy what
   *  another program changed since. The changed layer arrives as `project-changed`. */
  async undo(): Promise<void> {
    try {
      const r = await api.undo();
      this.say((t) => (r.undone ? t.undone(r.summary ?? '') : t.nothingToUndo));
    } catch (e) {
      this.say((t) => t.undoFailed(String(e)));
    }
  }

  clearSelection(): void {
    this.selection = null;
  }

  /** Opens the attribute table of a layer (or closes it with `null`). */
  openTable(layer: string | null): void {
    this.tableLayer = layer;
  }

  /** A click found several features: one shows at once (and is the selection, so the map
   *  highlights it), more open the chooser. */
  offer(candidates: Candidate[], x: number, y: number): void {
    this.choice = null;
    if (candidates.length === 1) this.show(candidates[0]);
    else if (candidates.length > 1) this.choice = { candidates, x, y };
  }

  /** The chooser's pick: shown in the feature panel and selected. */
  choose(c: Candidate): void {
    this.choice = null;
    this.show(c);
  }

  private show(c: Candidate): void {
    void this.select(c.layer, c.fid);
    this.setSelected(c.layer, [c.fid]);
  }

  /** What Esc stops before it leaves a tool, asked in the order registered: each answers
   *  whether it had something to stop (the edit store: its form, then a shape being drawn). */
  private stoppers: (() => boolean)[] = [];

  /** Registers something Esc stops (see `cancel`). */
  onEscape(stop: () => boolean): void {
    this.stoppers.push(stop);
  }

  /** Esc — the one handler, so one press does one thing: closes the chooser if open, else
   *  stops what a tool is doing (a form, a drawing), else goes back from another tool to
   *  identify, else closes the feature panel. Answers whether it did anything. */
  cancel(): boolean {
    if (this.choice) {
      this.choice = null;
    } else if (this.stoppers.some((stop) => stop())) {
      // stopped
    } else if (this.tool !== 'identify') {
      this.tool = 'identify';
    } else if (this.selection) {
      this.selection = null;
    } else {
      return false;
    }
    return true;
  }

  /** Replaces the selected set (an empty list clears it). */
  setSelected(layer: string, fids: number[]): void {
    this.selected = fids.length === 0 ? null : { layer, fids };
  }

  /** Another program (or wardgis) changed features: new counts, and the map reloads those
   *  layers' tiles. Layers the project does not have are ignored. */
  applyProjectChanged(p: ProjectChanged): void {
    for (const { id, count } of p.layers) {
      if (!this.layer(id)) continue;
      this.counts[id] = count;
      this.dataVersion[id] = (this.dataVersion[id] ?? 0) + 1;
    }
    const sel = this.selection;
    if (sel && p.layers.some((l) => l.id === sel.layer)) {
      // The selected feature may be gone (undone, or deleted by another program): then close.
      api.feature(sel.layer, sel.fid).then(
        (f) => (this.selection = f),
        () => (this.selection = null),
      );
    }
  }
}

export const store = new Store();

/** What the end-to-end tests read: the map, readiness, the cold-start time, the project, and
 *  the handler of `project-changed` (the same function the event calls). */
declare global {
  interface Window {
    wardgis: {
      map?: import('maplibre-gl').Map;
      ready: boolean;
      firstIdleMs?: number;
      info?: ProjectInfo;
      projectChanged?: (p: ProjectChanged) => void;
      /** The selected set's fids, ascending (for the tests). */
      selectedFids?: () => number[];
    };
  }
}
window.wardgis = { ready: false };
