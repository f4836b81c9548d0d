// The layer panel (visibility toggles and legend) and the feature panel (attributes).
// Everything from feature data is written as text nodes, never as HTML.
import { t, pick } from './i18n';
import { legendColor } from './map_style';
import type { FeatureInfo, LayerInfo, ProjectInfo } from './types';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls?: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

/** Draws the layer list grouped by kind; `onToggle` is called with the layer id and state. */
export function renderLayerPanel(
  info: ProjectInfo,
  visible: Map<string, boolean>,
  onToggle: (layer: string, on: boolean) => void,
): void {
  const list = document.getElementById('layer-list')!;
  list.replaceChildren();
  for (const group of ['facility', 'context', 'basemap'] as const) {
    const members = info.layers.filter((l) => l.kind.group === group).sort((a, b) => b.kind.order - a.kind.order);
    if (members.length === 0) continue;
    list.append(el('h3', 'layer-group', t().groups[group]));
    for (const l of members) list.append(layerRow(l, visible.get(l.kind.id) ?? true, onToggle));
  }
}

function layerRow(l: LayerInfo, on: boolean, onToggle: (layer: string, on: boolean) => void): HTMLElement {
  const row = el('label', 'layer-row');
  row.dataset.layer = l.kind.id;
  const box = el('input');
  box.type = 'checkbox';
  box.checked = on;
  box.dataset.layer = l.kind.id;
  box.addEventListener('change', () => onToggle(l.kind.id, box.checked));
  const swatch = el('span', `swatch swatch-${l.kind.style.type}`);
  swatch.style.setProperty('--swatch', legendColor(l));
  const name = el('span', 'layer-name', pick(l.kind.name_zh, l.kind.name_en));
  const count = el('span', 'layer-count', t().featureCount(l.count));
  row.append(box, swatch, name, count);
  return row;
}

/** Shows one feature's attributes, labelled from the catalog, in the current language. */
export function renderFeaturePanel(info: ProjectInfo, f: FeatureInfo): void {
  const panel = document.getElementById('feature-panel')!;
  const layer = info.layers.find((l) => l.kind.id === f.layer);
  const heading = document.getElementById('feature-heading')!;
  heading.textContent = String(f.properties.name ?? t().empty);
  document.getElementById('feature-layer')!.textContent = layer ? pick(layer.kind.name_zh, layer.kind.name_en) : f.layer;
  const body = panel.querySelector('tbody')!;
  body.replaceChildren();
  const row = (label: string, value: string, key: string) => {
    const tr = el('tr');
    tr.dataset.field = key;
    tr.append(el('th', undefined, label), el('td', undefined, value));
    body.append(tr);
  };
  row(t().name, String(f.properties.name ?? t().empty), 'name');
  for (const field of layer?.kind.fields ?? []) {
    row(pick(field.label_zh, field.label_en), formatValue(field, f.properties[field.name]), field.name);
  }
  row(t().source, String(f.properties.source ?? t().empty), 'source');
  row(t().fid, String(f.fid), 'fid');
  panel.hidden = false;
  panel.dataset.layer = f.layer;
  panel.dataset.fid = String(f.fid);
}

function formatValue(field: LayerInfo['kind']['fields'][number], v: unknown): string {
  if (v === null || v === undefined || v === '') return t().empty;
  if (field.type === 'boolean') return v ? t().yes : t().no;
  if (field.type === 'enum') {
    const e = field.values.find((x) => x.value === v);
    return e ? pick(e.zh, e.en) : String(v);
  }
  const unit = field.unit ? ` ${field.unit}` : '';
  return `${String(v)}${unit}`;
}
