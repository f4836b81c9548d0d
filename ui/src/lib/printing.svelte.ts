// The print dialog's state, beside the page's one store: the wards to choose from, the
// dialog's choices (ward, paper, orientation, layers, issuing office), the preview of the
// ward's first page and the export of its PDF. The core lays out, renders and rasterises
// (src-tauri/src/print_commands.rs); this module only asks and keeps the answers.
import { invoke } from '@tauri-apps/api/core';
import { save } from '@tauri-apps/plugin-dialog';
import { store } from './store.svelte';
import type { PrintExported } from '../generated/PrintExported';
import type { PrintPaper } from '../generated/PrintPaper';
import type { PrintPreview } from '../generated/PrintPreview';
import type { PrintRequest } from '../generated/PrintRequest';
import type { PrintWards } from '../generated/PrintWards';
import type { WardEntry } from '../generated/WardEntry';

const api = {
  wards: (at: [number, number] | null) => invoke<PrintWards>('print_wards', { at }),
  preview: (request: PrintRequest) => invoke<PrintPreview>('print_preview', { request }),
  exportPdf: (request: PrintRequest, path: string) => invoke<PrintExported>('print_export', { request, path }),
};

/** The layer whose polygons are the wards (the core's `WARD_LAYER`). */
const WARD_LAYER = 'communities';

/** How long the dialog waits after a change before it asks for a new preview. */
const PREVIEW_DELAY_MS = 300;

class Printing {
  open = $state(false);
  wards = $state.raw<WardEntry[]>([]);
  /** The chosen ward's name. */
  ward = $state('');
  paper = $state<PrintPaper>('A4');
  landscape = $state(false);
  /** The catalog ids of the layers to print. */
  layers = $state<string[]>([]);
  office = $state('');
  /** The last preview that matched the choices when it was asked for. */
  preview = $state.raw<PrintPreview | null>(null);
  previewError = $state('');
  /** A preview is being made (the image shown may be of earlier choices). */
  busy = $state(false);
  path = $state('');
  exporting = $state(false);
  exportMessage = $state('');
  /** Whether the export message is an error (shown as such). */
  exportFailed = $state(false);

  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Previews run one at a time; a change while one runs asks for another after it. */
  private running = false;
  private again = false;

  /** Opens the dialog on the selected community, else the one under the map's centre, else
   *  the first; the layers are those the layer panel shows. */
  async show(): Promise<void> {
    this.open = true;
    this.exportMessage = '';
    this.previewError = '';
    this.layers = (store.project?.layers ?? []).filter((l) => store.isVisible(l.kind.id)).map((l) => l.kind.id);
    try {
      const answer = await api.wards(store.centre);
      this.wards = answer.wards;
      const sel = store.selected?.layer === WARD_LAYER ? store.selected.fids[0] : store.selection?.layer === WARD_LAYER ? store.selection.fid : null;
      const chosen = this.wards.find((w) => w.fid === sel) ?? this.wards.find((w) => w.fid === answer.at_point) ?? this.wards[0];
      this.ward = chosen?.name ?? '';
      this.refresh();
    } catch (e) {
      this.wards = [];
      this.ward = '';
      this.preview = null;
      this.previewError = String(e);
    }
  }

  close(): void {
    this.open = false;
    clearTimeout(this.timer);
  }

  /** What Esc does while the dialog is open: closes it. */
  escape(): boolean {
    if (!this.open) return false;
    this.close();
    return true;
  }

  request(): PrintRequest {
    return { ward: this.ward, paper: this.paper, landscape: this.landscape, layers: [...this.layers], office: this.office };
  }

  setLayer(id: string, on: boolean): void {
    const order = (store.project?.layers ?? []).map((l) => l.kind.id);
    const chosen = new Set(this.layers);
    if (on) chosen.add(id);
    else chosen.delete(id);
    this.layers = order.filter((l) => chosen.has(l));
    this.refresh();
  }

  /** Previews again shortly after the last change (typing the office calls this per key). */
  refresh(): void {
    clearTimeout(this.timer);
    this.busy = true;
    this.timer = setTimeout(() => void this.runPreview(), PREVIEW_DELAY_MS);
  }

  private async runPreview(): Promise<void> {
    if (!this.open || !this.ward) {
      this.busy = false;
      return;
    }
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.busy = true;
    try {
      this.preview = await api.preview(this.request());
      this.previewError = '';
    } catch (e) {
      this.preview = null;
      this.previewError = String(e);
    } finally {
      this.running = false;
    }
    if (this.again) {
      this.again = false;
      await this.runPreview();
    } else {
      this.busy = false;
    }
  }

  async browse(): Promise<void> {
    const path = await save({ defaultPath: this.path || `${this.ward}.pdf`, filters: [{ name: 'PDF', extensions: ['pdf'] }] });
    if (typeof path === 'string') this.path = path;
  }

  /** Writes the ward's PDF to the chosen file and says where. */
  async runExport(): Promise<void> {
    const path = this.path.trim();
    this.exporting = true;
    this.exportMessage = '';
    try {
      const done = await api.exportPdf(this.request(), path);
      this.exportFailed = false;
      this.exportMessage = store.t.printExported(done.pages, done.path);
    } catch (e) {
      this.exportFailed = true;
      this.exportMessage = store.t.printExportFailed(String(e));
    } finally {
      this.exporting = false;
    }
  }
}

export const printing = new Printing();
store.onEscape(() => printing.escape());
