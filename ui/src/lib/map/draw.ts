// The map's drawing layer, over terra-draw (MIT, maintained; its MapLibre adapter draws with
// the map's own GeoJSON sources and layers). MapView makes one per style and registers it with
// the edit store; it implements `Drawer` (../draw_types.ts): draw a point, line or polygon and
// get its GeoJSON, or load a stored shape to move or reshape. Lines and polygons snap to the
// vertices of the visible layers (`snapToVertex`), and to their own corners.
import type * as maplibregl from 'maplibre-gl';
import {
  TerraDraw,
  TerraDrawLineStringMode,
  TerraDrawPointMode,
  TerraDrawPolygonMode,
  TerraDrawSelectMode,
  type SnapToCustom,
  type TerraDrawMouseEvent,
} from 'terra-draw';
import { TerraDrawMapLibreGLAdapter } from 'terra-draw-maplibre-gl-adapter';
import type { DrawKind, Drawer, Geometry } from '../draw_types';

type FeatureId = string | number;

/** Pixels within which the cursor snaps to a vertex. */
const SNAP_PX = 10;

const DRAWN = '#d9480f';

interface Pending {
  kind: DrawKind;
  resolve: (g: Geometry | null) => void;
  onChange?: (g: Geometry | null) => void;
}

export class MapDrawing implements Drawer {
  private td: TerraDraw;
  private pending: Pending | null = null;
  /** Shapes finished and still shown (until the next drawing starts or `clear`). */
  private finished: FeatureId[] = [];
  private edited: { id: FeatureId; onEdited: (g: Geometry) => void } | null = null;
  drawing = false;

  /** `snapLayers` names the style layers whose vertices the cursor snaps to (the visible ones). */
  constructor(map: maplibregl.Map, snapLayers: () => string[]) {
    const toCustom: SnapToCustom = (e: TerraDrawMouseEvent) => snapToVertex(map, e, snapLayers());
    const snapping = {
      toCoordinate: true,
      toCustom,
    };
    const keyEvents = { cancel: null, finish: 'Enter' };
    const shape = {
      feature: {
        draggable: true,
        coordinates: { draggable: true, midpoints: true, deletable: true, snappable: snapping },
      },
    };
    this.td = new TerraDraw({
      adapter: new TerraDrawMapLibreGLAdapter({ map }),
      modes: [
        new TerraDrawPointMode({ styles: { pointColor: DRAWN, pointWidth: 7, pointOutlineColor: '#ffffff', pointOutlineWidth: 2 } }),
        new TerraDrawLineStringMode({ snapping, keyEvents, styles: { lineStringColor: DRAWN, lineStringWidth: 3 } }),
        new TerraDrawPolygonMode({
          snapping,
          keyEvents,
          styles: { fillColor: DRAWN, fillOpacity: 0.2, outlineColor: DRAWN, outlineWidth: 2 },
        }),
        new TerraDrawSelectMode({
          keyEvents: null,
          allowManualDeselection: false,
          flags: { point: { feature: { draggable: true } }, linestring: shape, polygon: shape },
        }),
      ],
    });
    this.td.start();
    this.td.on('change', (ids) => this.changed(ids));
    this.td.on('finish', (id, ctx) => this.finishedShape(id, ctx.action));
  }

  draw(kind: DrawKind, onChange?: (g: Geometry | null) => void): Promise<Geometry | null> {
    this.settle(null);
    this.edited = null;
    this.td.setMode(kind);
    return new Promise((resolve) => (this.pending = { kind, resolve, onChange }));
  }

  edit(geometry: Geometry, onEdited: (g: Geometry) => void): void {
    this.clear();
    const mode = geometry.type === 'Point' ? 'point' : geometry.type === 'LineString' ? 'linestring' : 'polygon';
    const id = this.td.getFeatureId();
    const [check] = this.td.addFeatures([{ id, type: 'Feature', geometry, properties: { mode } } as never]);
    if (check && !check.valid) throw new Error(check.reason ?? 'the shape cannot be edited');
    this.td.setMode('select');
    this.td.selectFeature(id);
    this.edited = { id, onEdited };
  }

  clear(): void {
    this.settle(null);
    this.edited = null;
    this.finished = [];
    this.td.clear();
    this.td.setMode('static');
  }

  /** Stops the drawing layer (before the map's style is replaced). */
  destroy(): void {
    this.settle(null);
    this.td.stop();
  }

  private settle(g: Geometry | null): void {
    const p = this.pending;
    this.pending = null;
    this.drawing = false;
    p?.resolve(g);
  }

  /** The shape being drawn, as it is now (its last corner under the cursor). */
  private changed(ids: FeatureId[]): void {
    const p = this.pending;
    if (!p) return;
    for (const id of ids) {
      if (this.finished.includes(id)) continue;
      const f = this.td.getSnapshotFeature(id);
      if (!f || f.geometry.type !== geometryType(p.kind) || f.properties.mode !== p.kind) continue;
      if (!this.drawing && this.finished.length > 0) {
        // A new shape begun: the last finished one (a measurement) goes.
        this.td.removeFeatures(this.finished);
        this.finished = [];
      }
      this.drawing = true;
      p.onChange?.(f.geometry as Geometry);
    }
  }

  private finishedShape(id: FeatureId, action: string): void {
    const f = this.td.getSnapshotFeature(id);
    if (!f) return;
    if (action === 'draw' && this.pending) {
      this.finished.push(id);
      this.td.setMode('static');
      this.settle(f.geometry as Geometry);
    } else if (this.edited && this.edited.id === id) {
      this.edited.onEdited(f.geometry as Geometry);
    }
  }
}

function geometryType(kind: DrawKind): string {
  return kind === 'point' ? 'Point' : kind === 'linestring' ? 'LineString' : 'Polygon';
}

/** The vertex of a rendered feature of `layers` nearest the cursor, within SNAP_PX pixels. */
export function snapToVertex(map: maplibregl.Map, e: TerraDrawMouseEvent, layers: string[]): [number, number] | undefined {
  const live = layers.filter((id) => map.getLayer(id));
  if (live.length === 0) return undefined;
  const { containerX: x, containerY: y } = e;
  const box: [maplibregl.PointLike, maplibregl.PointLike] = [
    [x - SNAP_PX, y - SNAP_PX],
    [x + SNAP_PX, y + SNAP_PX],
  ];
  let best: [number, number] | undefined;
  let bestD = SNAP_PX * SNAP_PX;
  for (const f of map.queryRenderedFeatures(box, { layers: live })) {
    forEachPosition(f.geometry, (c) => {
      const p = map.project(c);
      const d = (p.x - x) ** 2 + (p.y - y) ** 2;
      if (d <= bestD) {
        bestD = d;
        best = c;
      }
    });
  }
  return best;
}

function forEachPosition(g: GeoJSON.Geometry, visit: (c: [number, number]) => void): void {
  const walk = (c: unknown): void => {
    if (Array.isArray(c) && typeof c[0] === 'number') visit([c[0], c[1] as number]);
    else if (Array.isArray(c)) c.forEach(walk);
  };
  if (g.type === 'GeometryCollection') g.geometries.forEach((x) => forEachPosition(x, visit));
  else walk(g.coordinates);
}
