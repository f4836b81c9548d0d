// The import and export dialogs' state, beside the page's one store: the file and choices of
// the import dialog, its preview, the running import's progress and its outcome; the export
// dialog's choices. The core reads, checks and writes (src-tauri/src/import_commands.rs);
// this module only asks and keeps the answers.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import { open, save } from '@tauri-apps/plugin-dialog';
import { store } from './store.svelte';
import type { ColumnChoice } from '../generated/ColumnChoice';
import type { ExportRequest } from '../generated/ExportRequest';
import type { ImportOutcome } from '../generated/ImportOutcome';
import type { ImportPreview } from '../generated/ImportPreview';
import type { ImportProgress } from '../generated/ImportProgress';
import type { ImportRequest } from '../generated/ImportRequest';

const api = {
  preview: (request: ImportRequest) => invoke<ImportPreview>('import_preview', { request }),
  start: (request: ImportRequest) => invoke<ImportOutcome>('import_start', { request }),
  cancel: () => invoke<void>('import_cancel'),
  saveReport: (path: string) => invoke<void>('save_error_report', { path }),
  exportLayer: (request: ExportRequest) => invoke<number>('export_layer', { request }),
};

/** The extensions import reads and export writes (the format is the extension). */
export const IMPORT_EXTENSIONS = ['csv', 'txt', 'xlsx', 'geojson', 'json', 'kml', 'kmz', 'shp', 'zip', 'gpkg'];
export const EXPORT_FORMATS: { ext: string; name: string }[] = [
  { ext: 'geojson', name: 'GeoJSON' },
  { ext: 'csv', name: 'CSV' },
  { ext: 'xlsx', name: 'Excel (XLSX)' },
  { ext: 'kml', name: 'KML' },
  { ext: 'kmz', name: 'KMZ' },
  { ext: 'shp', name: 'Shapefile (.shp)' },
  { ext: 'zip', name: 'Shapefile (.zip)' },
  { ext: 'gpkg', name: 'GeoPackage' },
];

/** A coordinate system the dialogs offer: its `--crs` name and its label. */
export interface SystemOption {
  crs: string;
  zh: string;
  en: string;
}

/** WGS84, the Chinese web-map systems, CGCS2000 and its 3° Gauss–Krüger zones (with and
 *  without the zone prefix), Web Mercator. */
export const SYSTEMS: SystemOption[] = (() => {
  const list: SystemOption[] = [
    { crs: 'wgs84', zh: 'WGS84 经纬度（GPS）', en: 'WGS84 lon/lat (GPS)' },
    { crs: 'gcj02', zh: 'GCJ-02 经纬度（高德、腾讯）', en: 'GCJ-02 lon/lat (Amap, Tencent)' },
    { crs: 'bd09', zh: 'BD-09 经纬度（百度）', en: 'BD-09 lon/lat (Baidu)' },
    { crs: 'cgcs2000', zh: 'CGCS2000 经纬度', en: 'CGCS2000 lon/lat' },
  ];
  for (let cm = 75; cm <= 135; cm += 3) {
    const code = 4534 + (cm - 75) / 3;
    list.push({ crs: `EPSG:${code}`, zh: `CGCS2000 3°高斯-克吕格 中央经线 ${cm}°E（EPSG:${code}）`, en: `CGCS2000 3° Gauss–Krüger CM ${cm}°E (EPSG:${code})` });
  }
  for (let zone = 25; zone <= 45; zone++) {
    const code = 4513 + zone - 25;
    list.push({ crs: `EPSG:${code}`, zh: `CGCS2000 3°高斯-克吕格 带号 ${zone}（EPSG:${code}）`, en: `CGCS2000 3° Gauss–Krüger zone ${zone} (EPSG:${code})` });
  }
  list.push({ crs: 'EPSG:3857', zh: 'Web 墨卡托（EPSG:3857）', en: 'Web Mercator (EPSG:3857)' });
  return list;
})();

/** A column's choice as a `<select>` value: `field:ports`, `name`, `lon` …; '' for none. */
export function choiceValue(c: ColumnChoice | null): string {
  if (c === null) return '';
  return typeof c === 'string' ? c : `field:${c.field}`;
}

export function choiceOf(value: string): ColumnChoice {
  return value.startsWith('field:') ? { field: value.slice(6) } : (value as ColumnChoice);
}

/** The layer a file is obviously for, from its name (`chargers.csv`, `充电桩2024.xlsx`). */
function layerFromName(path: string): string | null {
  const stem = (path.split(/[\\/]/).pop() ?? '').replace(/\.[^.]*$/, '').toLowerCase();
  for (const l of store.project?.layers ?? []) {
    const k = l.kind;
    if ([k.id, k.name_zh, k.name_en.toLowerCase()].some((n) => n && stem.includes(n.toLowerCase()))) return k.id;
  }
  return null;
}

class Importing {
  /** The import dialog is open. */
  open = $state(false);
  path = $state('');
  layer = $state('');
  /** The sheet of a workbook or table of a GeoPackage; '' for the first/only one. */
  sheet = $state('');
  /** '' detects; else `utf-8` or `gbk`. */
  encoding = $state('');
  /** The system the user chose; null takes the detected one (else WGS84). */
  crs = $state<string | null>(null);
  /** What the file declares or obviously is, from the last preview made without a choice. */
  detected = $state.raw<{ crs: string; declared: boolean } | null>(null);
  /** What the user mapped source columns to (absent: matched by name). */
  mapping = $state<Record<string, string>>({});
  preview = $state.raw<ImportPreview | null>(null);
  previewError = $state('');
  previewing = $state(false);
  running = $state(false);
  progress = $state.raw<ImportProgress | null>(null);
  outcome = $state.raw<ImportOutcome | null>(null);
  /** Export dialog. */
  exportOpen = $state(false);
  exportLayer = $state('');
  exportPath = $state('');
  exportCrs = $state('wgs84');
  exportEncoding = $state('utf-8');
  exportSelected = $state(false);
  exportMessage = $state('');
  exportBusy = $state(false);

  private previewSeq = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Listens for progress and for files dropped on the window (which open the dialog). */
  async start(): Promise<void> {
    await listen<ImportProgress>('import-progress', (e) => (this.progress = e.payload));
    await getCurrentWebview().onDragDropEvent((e) => {
      if (e.payload.type !== 'drop') return;
      const path = e.payload.paths.find((p) => IMPORT_EXTENSIONS.includes(p.split('.').pop()?.toLowerCase() ?? ''));
      if (path) this.show(path);
    });
  }

  /** Opens the import dialog, on `path` when given (a dropped file). */
  show(path = ''): void {
    if (!this.layer) this.layer = store.project?.layers.find((l) => l.kind.group === 'facility')?.kind.id ?? '';
    this.open = true;
    this.outcome = null;
    if (path) this.setPath(path);
  }

  close(): void {
    if (this.running) return;
    this.open = false;
  }

  /** A new file: its own sheet, encoding, system and mapping; the layer guessed from its name. */
  setPath(path: string): void {
    this.path = path;
    this.sheet = '';
    this.encoding = '';
    this.crs = null;
    this.detected = null;
    this.mapping = {};
    this.outcome = null;
    this.layer = layerFromName(path) ?? this.layer;
    this.refresh();
  }

  async browse(): Promise<void> {
    const path = await open({ multiple: false, directory: false, filters: [{ name: store.t.importFilter, extensions: IMPORT_EXTENSIONS }] });
    if (typeof path === 'string') this.setPath(path);
  }

  request(skipBad = false): ImportRequest {
    return {
      layer: this.layer,
      path: this.path.trim(),
      crs: this.crs ?? this.detected?.crs ?? null,
      encoding: this.encoding || null,
      sheet: this.sheet || null,
      columns: Object.entries(this.mapping).map(([column, v]) => ({ column, fills: choiceOf(v) })),
      skip_bad: skipBad,
    };
  }

  /** Previews again shortly after the last change (typing a path calls this per key). */
  refresh(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.runPreview(), 250);
  }

  private async runPreview(): Promise<void> {
    const req = this.request();
    if (!req.path || !req.layer) {
      this.preview = null;
      this.previewError = '';
      return;
    }
    // Without the user's choice the core detects the system; remember what it found.
    const auto = this.crs === null;
    if (auto) req.crs = null;
    const seq = ++this.previewSeq;
    this.previewing = true;
    try {
      const p = await api.preview(req);
      if (seq !== this.previewSeq) return;
      this.preview = p;
      this.previewError = '';
      if (auto) this.detected = p.crs;
    } catch (e) {
      if (seq !== this.previewSeq) return;
      this.preview = null;
      this.previewError = String(e);
    } finally {
      if (seq === this.previewSeq) this.previewing = false;
    }
  }

  setMapping(column: string, value: string): void {
    this.mapping[column] = value;
    this.outcome = null;
    this.refresh();
  }

  /** Runs the import; `skipBad` imports the good rows and lists the bad ones. */
  async run(skipBad = false): Promise<void> {
    this.running = true;
    this.progress = null;
    this.outcome = null;
    try {
      this.outcome = await api.start(this.request(skipBad));
      if (this.outcome.status === 'imported') {
        const n = this.outcome.imported;
        store.say((t) => t.importDone(n));
      }
    } catch (e) {
      this.outcome = { status: 'failed', imported: 0, bad: [], bad_total: 0, warnings: [], message: String(e) };
    } finally {
      this.running = false;
    }
  }

  cancel(): void {
    void api.cancel();
  }

  async saveReport(): Promise<void> {
    const path = await save({ defaultPath: 'import-errors.csv', filters: [{ name: 'CSV', extensions: ['csv'] }] });
    if (typeof path !== 'string') return;
    try {
      await api.saveReport(path);
      store.say((t) => t.reportSaved(path));
    } catch (e) {
      store.message = String(e);
    }
  }

  showExport(): void {
    this.exportLayer = store.selected?.layer ?? (this.exportLayer || (store.project?.layers.find((l) => l.kind.group === 'facility')?.kind.id ?? ''));
    this.exportSelected = store.selected?.layer === this.exportLayer;
    this.exportMessage = '';
    this.exportOpen = true;
  }

  async browseExport(): Promise<void> {
    const path = await save({
      defaultPath: this.exportPath || `${this.exportLayer}.geojson`,
      filters: EXPORT_FORMATS.map((f) => ({ name: f.name, extensions: [f.ext] })),
    });
    if (typeof path === 'string') this.exportPath = path;
  }

  /** Writes the chosen layer (or its selected features) to the file; the format is its extension. */
  async runExport(): Promise<void> {
    const sel = store.selected;
    const fids = this.exportSelected && sel && sel.layer === this.exportLayer ? sel.fids : null;
    this.exportBusy = true;
    try {
      const n = await api.exportLayer({ layer: this.exportLayer, path: this.exportPath.trim(), crs: this.exportCrs, encoding: this.exportEncoding, fids });
      this.exportMessage = store.t.exportDone(n, this.exportPath.trim());
    } catch (e) {
      this.exportMessage = store.t.exportFailed(String(e));
    } finally {
      this.exportBusy = false;
    }
  }
}

export const importing = new Importing();
