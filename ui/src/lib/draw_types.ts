// What the map's drawing layer offers the rest of the page (lib/map/draw.ts implements it,
// MapView registers it with the edit store). Nothing here touches MapLibre: components ask for
// a geometry and get GeoJSON back.

/** A GeoJSON geometry in WGS84 longitude/latitude. */
export interface Geometry {
  type: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  coordinates: any;
}

/** What can be drawn: a point, a line, a polygon. */
export type DrawKind = 'point' | 'linestring' | 'polygon';

export interface Drawer {
  /** Draws one shape; resolves with its geometry when finished (a click for a point, a
   *  double-click or Enter for a line or polygon), or `null` when cancelled. `onChange` gets
   *  the shape while it is being drawn (including the point under the cursor), for live
   *  measurement. The finished shape stays on the map until `clear`. */
  draw(kind: DrawKind, onChange?: (g: Geometry | null) => void): Promise<Geometry | null>;
  /** Loads a stored shape to be moved (a point, dragged) or reshaped (a line's or polygon's
   *  corners dragged; a midpoint dragged adds a corner; a right-click on a corner removes it).
   *  `onEdited` gets the new geometry after each change. */
  edit(geometry: Geometry, onEdited: (g: Geometry) => void): void;
  /** Whether a shape is being drawn (not yet finished). */
  readonly drawing: boolean;
  /** Stops any drawing and removes every shape of the drawing layer. */
  clear(): void;
}

/** The drawing kind for a catalog geometry type. */
export function drawKindOf(geometry: string): DrawKind {
  if (geometry.endsWith('point')) return 'point';
  if (geometry.endsWith('line_string')) return 'linestring';
  return 'polygon';
}
