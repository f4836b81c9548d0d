// The attribute table's commands (src-tauri/src/table_commands.rs), typed; the table and the
// map's box selection call them.
import { invoke } from '@tauri-apps/api/core';
import type { TableOpened } from '../generated/TableOpened';
import type { TableRow } from '../generated/TableRow';
import type { TableSort } from '../generated/TableSort';

export type Bbox = [number, number, number, number];

export const tableApi = {
  open: (layer: string, filter: string | null, sort: TableSort | null) => invoke<TableOpened>('table_open', { layer, filter, sort }),
  close: (view: number) => invoke<void>('table_close', { view }),
  rows: (view: number, offset: number, limit: number) => invoke<TableRow[]>('table_rows', { view, offset, limit }),
  fids: (view: number, from: number, to: number) => invoke<number[]>('table_fids', { view, from, to }),
  firstRow: (view: number, fids: number[]) => invoke<number | null>('table_first_row', { view, fids }),
  bbox: (layer: string, fids: number[]) => invoke<Bbox | null>('features_bbox', { layer, fids }),
  inBox: (layer: string, bbox: Bbox) => invoke<number[]>('features_in_box', { layer, bbox }),
};
