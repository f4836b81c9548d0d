// Every string the page shows, in English.
import type { Strings } from './zh-CN';

export const en: Strings = {
  appTitle: 'wardgis city-management GIS',
  openProject: 'File › Open…',
  switchLanguage: '中文',
  layers: 'Layers',
  tools: 'Tools',
  toolIdentify: 'Identify',
  toolIdentifyHint: 'Click a feature on the map to see its attributes',
  toolPan: 'Pan',
  toolPanHint: 'Drag the map; clicks select nothing',
  featureCount: (n: number) => `${n}`,
  syntheticNote: 'Streets and facilities of the demo district are generated (source = synthetic-demo); the county outline is real.',
  cursor: (lon: string, lat: string) => `Lon ${lon}  Lat ${lat}`,
  attributes: 'Attributes',
  close: 'Close',
  fid: 'Feature id',
  name: 'Name',
  source: 'Source',
  yes: 'yes',
  no: 'no',
  empty: '—',
  loading: 'Loading…',
  openFailed: (msg: string) => `Could not open: ${msg}`,
  featureFailed: (msg: string) => `Could not read the feature: ${msg}`,
  projectFilter: 'GeoPackage project',
};
