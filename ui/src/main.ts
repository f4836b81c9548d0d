// The wardgis window: a MapLibre map of the open project, a layer panel with legend, a
// feature panel, a scale bar and the cursor's coordinates. Data comes from the core through
// `invoke` and the tiles:// scheme; nothing is fetched from the network.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import 'maplibre-gl/dist/maplibre-gl.css';
import './styles.css';
import { invoke } from '@tauri-apps/api/core';
import { open } from '@tauri-apps/plugin-dialog';
import { buildStyle, styleLayerIds, LABEL_FONT } from './map_style';
import { renderFeaturePanel, renderLayerPanel } from './panels';
import { lang, setLang, t } from './i18n';
import type { FeatureInfo, ProjectInfo } from './types';

// MapLibre derives its worker's URL only for http(s) pages; Tauri serves tauri://localhost.
maplibregl.setWorkerUrl(new URL(workerUrl, import.meta.url).href);

const started = performance.now();
let info: ProjectInfo;
let map: maplibregl.Map;
const visible = new Map<string, boolean>();

/** What the end-to-end tests read: the map, readiness and the cold-start time. */
declare global {
  interface Window {
    wardgis: { map?: maplibregl.Map; ready: boolean; firstIdleMs?: number; info?: ProjectInfo };
  }
}
window.wardgis = { ready: false };

function setMessage(text: string): void {
  document.getElementById('message')!.textContent = text;
}

function applyLanguage(): void {
  document.title = t().appTitle;
  document.getElementById('app-title')!.textContent = t().appTitle;
  document.getElementById('open-project')!.textContent = t().openProject;
  document.getElementById('lang-toggle')!.textContent = t().switchLanguage;
  document.getElementById('layers-heading')!.textContent = t().layers;
  document.getElementById('synthetic-note')!.textContent = t().syntheticNote;
  if (info) {
    renderLayerPanel(info, visible, toggleLayer);
    const panel = document.getElementById('feature-panel')!;
    if (!panel.hidden && panel.dataset.layer) void showFeature(panel.dataset.layer, Number(panel.dataset.fid));
  }
}

function toggleLayer(layer: string, on: boolean): void {
  visible.set(layer, on);
  for (const id of styleLayerIds(layer)) {
    if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  }
}

async function showFeature(layer: string, fid: number): Promise<void> {
  try {
    const f = await invoke<FeatureInfo>('feature', { layer, fid });
    renderFeaturePanel(info, f);
  } catch (e) {
    setMessage(String(e));
  }
}

function clickableLayers(): string[] {
  return info.layers.filter((l) => l.kind.group !== 'basemap' && l.kind.id !== 'county').map((l) => l.kind.id);
}

function loadProject(next: ProjectInfo): void {
  info = next;
  window.wardgis.info = info;
  visible.clear();
  document.getElementById('project-path')!.textContent = info.path;
  document.getElementById('feature-panel')!.hidden = true;
  renderLayerPanel(info, visible, toggleLayer);
  const style = buildStyle(info);
  if (!map) {
    map = new maplibregl.Map({
      container: 'map',
      style,
      bounds: info.extent ?? [119.78, 31.33, 119.86, 31.39],
      fitBoundsOptions: { padding: 20 },
      localIdeographFontFamily: LABEL_FONT.join(', '),
      attributionControl: false,
    });
    map.addControl(new maplibregl.NavigationControl({ showCompass: true }), 'top-right');
    map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 150 }), 'bottom-left');
    wireMap();
  } else {
    map.setStyle(style);
    if (info.extent) map.fitBounds(info.extent, { padding: 20, duration: 0 });
  }
  window.wardgis.map = map;
}

function wireMap(): void {
  map.once('idle', () => {
    window.wardgis.ready = true;
    window.wardgis.firstIdleMs = performance.now() - started;
    document.body.dataset.mapReady = '1';
  });
  map.on('mousemove', (e) => {
    document.getElementById('cursor-coords')!.textContent = t().cursor(e.lngLat.lng.toFixed(6), e.lngLat.lat.toFixed(6));
  });
  map.on('click', (e) => {
    const layers = clickableLayers().filter((id) => map.getLayer(id));
    const hits = map.queryRenderedFeatures(e.point, { layers });
    const hit = hits.find((h) => h.id !== undefined);
    if (hit) void showFeature(hit.layer.id, Number(hit.id));
  });
  for (const id of ['chargers', 'billboards', 'bike_stations', 'drying_areas', 'waste_points']) {
    map.on('mouseenter', id, () => (map.getCanvas().style.cursor = 'pointer'));
    map.on('mouseleave', id, () => (map.getCanvas().style.cursor = ''));
  }
}

async function openProject(): Promise<void> {
  const path = await open({ multiple: false, directory: false, filters: [{ name: t().projectFilter, extensions: ['gpkg'] }] });
  if (typeof path !== 'string') return;
  try {
    loadProject(await invoke<ProjectInfo>('open_project', { path }));
  } catch (e) {
    setMessage(t().openFailed(String(e)));
  }
}

async function boot(): Promise<void> {
  setLang(lang());
  applyLanguage();
  setMessage(t().loading);
  document.getElementById('lang-toggle')!.addEventListener('click', () => {
    setLang(lang() === 'zh-CN' ? 'en' : 'zh-CN');
    applyLanguage();
  });
  document.getElementById('open-project')!.addEventListener('click', () => void openProject());
  document.getElementById('feature-close')!.addEventListener('click', () => {
    document.getElementById('feature-panel')!.hidden = true;
  });
  try {
    loadProject(await invoke<ProjectInfo>('project_info'));
    setMessage('');
  } catch (e) {
    setMessage(t().openFailed(String(e)));
  }
}

void boot();
