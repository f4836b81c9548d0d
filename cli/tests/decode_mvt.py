#!/usr/bin/env python3
"""Decode a Mapbox Vector Tile with an independent decoder (the `mapbox-vector-tile` package)
and print it as JSON, for wardgis's CLI tests.

Usage: decode_mvt.py TILE_FILE   (or `-` for stdin)

Prints {"layers": {name: {"extent", "version", "features": [...]}}}; each feature has its
"id", its geometry "type" and "coordinates" in tile units with y pointing down (the tile's own
coordinates, not flipped), its "properties", and "tag_types": the protobuf field each tag's
value was stored in (string_value, sint_value, double_value, bool_value, ...), which the
decoded Python values alone do not tell.
"""

import json
import sys

import mapbox_vector_tile
from mapbox_vector_tile.Mapbox import vector_tile_pb2

VALUE_FIELDS = ("string_value", "float_value", "double_value", "int_value", "uint_value", "sint_value", "bool_value")


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else "-"
    data = sys.stdin.buffer.read() if path == "-" else open(path, "rb").read()

    # mapbox_vector_tile 2.x flips y (extent - y) unless told the tile's y points down.
    decoded = mapbox_vector_tile.decode(data, default_options={"y_coord_down": True})

    raw = vector_tile_pb2.tile()
    raw.ParseFromString(data)
    tag_types = {}
    for layer in raw.layers:
        per_feature = []
        for f in layer.features:
            types = {}
            for k, v in zip(f.tags[::2], f.tags[1::2]):
                value = layer.values[v]
                types[layer.keys[k]] = next((n for n in VALUE_FIELDS if value.HasField(n)), None)
            per_feature.append(types)
        tag_types[layer.name] = per_feature

    out = {}
    for name, layer in decoded.items():
        features = []
        for f, types in zip(layer["features"], tag_types[name]):
            features.append({
                "id": f["id"],
                "type": f["geometry"]["type"],
                "coordinates": f["geometry"]["coordinates"],
                "properties": f["properties"],
                "tag_types": types,
            })
        out[name] = {"extent": layer["extent"], "version": layer["version"], "features": features}
    json.dump({"layers": out}, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
