// The shapes the core sends over `invoke` (see src-tauri/src/commands.rs and core's catalog).

export interface EnumValue { value: string; zh: string; en: string }

export interface FieldDef {
  name: string;
  type: 'text' | 'integer' | 'real' | 'boolean' | 'date' | 'enum';
  label_zh: string;
  label_en: string;
  unit?: string | null;
  required: boolean;
  values: EnumValue[];
}

export interface LayerKind {
  id: string;
  name_zh: string;
  name_en: string;
  group: 'facility' | 'context' | 'basemap';
  geometry: string;
  order: number;
  style: Record<string, unknown> & { type: string; paint?: Record<string, unknown>; layout?: Record<string, unknown> };
  fields: FieldDef[];
  service_radius_m?: number | null;
}

export interface LayerInfo { kind: LayerKind; count: number }

export interface ProjectInfo {
  path: string;
  layers: LayerInfo[];
  extent: [number, number, number, number] | null;
}

export interface FeatureInfo {
  layer: string;
  fid: number;
  properties: Record<string, string | number | boolean | null>;
}
