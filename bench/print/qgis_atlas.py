#!/usr/bin/python3
"""QGIS's atlas export of the same ward maps `wardgis print --all` makes, for the benchmark.

Opens a wardgis project GeoPackage, loads the layers wardgis prints (every layer with
features), styles them simply (land use by category, roads by class, circles for points,
dashed community lines, names on roads and communities), builds an A4 portrait print layout
(title from the atlas feature's name, a map driven by the atlas at a round scale with the
neighbouring communities faded, a legend filtered to the map's content, a scale bar, a north
arrow, a table of the ward's facilities on pages after the map) and exports the atlas over
`communities` to one PDF with `QgsLayoutExporter.exportToPdf(atlas, path, settings)`.

Prints one line of JSON on stdout: pages, export seconds (the export call only), total
seconds (QGIS start-up, project, layout and export). Needs Debian's `python3-qgis` and runs
with the system Python (`/usr/bin/python3`): PyQGIS is built against it.

    QT_QPA_PLATFORM=offscreen /usr/bin/python3 bench/print/qgis_atlas.py d.gpkg out.pdf
"""

import argparse
import json
import os
import sys
import time

START = time.perf_counter()
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from qgis.core import (  # noqa: E402  (the platform must be set before Qt loads)
    Qgis,
    QgsApplication,
    QgsCategorizedSymbolRenderer,
    QgsCoordinateReferenceSystem,
    QgsCoordinateTransform,
    QgsFillSymbol,
    QgsGeometryGeneratorSymbolLayer,
    QgsLayoutExporter,
    QgsLayoutFrame,
    QgsLayoutItemAttributeTable,
    QgsLayoutItemLabel,
    QgsLayoutItemLegend,
    QgsLayoutItemMap,
    QgsLayoutItemPage,
    QgsLayoutItemPicture,
    QgsLayoutItemScaleBar,
    QgsLayoutMultiFrame,
    QgsLayoutPoint,
    QgsLayoutSize,
    QgsLegendStyle,
    QgsLineSymbol,
    QgsMarkerSymbol,
    QgsPalLayerSettings,
    QgsPrintLayout,
    QgsProject,
    QgsRenderContext,
    QgsRendererCategory,
    QgsRuleBasedRenderer,
    QgsSingleSymbolRenderer,
    QgsTextBufferSettings,
    QgsTextFormat,
    QgsUnitTypes,
    QgsVectorLayer,
    QgsVectorLayerSimpleLabeling,
)
from qgis.PyQt.QtCore import QRectF  # noqa: E402
from qgis.PyQt.QtGui import QColor, QFont  # noqa: E402

FONT = "Noto Sans CJK SC"
MM = QgsUnitTypes.LayoutMillimeters
# The round scales wardgis fits a ward to (core/src/print/map_frame.rs, NICE_SCALES).
ROUND_SCALES = [500, 1000, 1500, 2000, 2500, 3000, 4000, 5000, 6000, 7500, 10000, 12500, 15000, 20000, 25000, 50000]
# CGCS2000 / 3-degree Gauss-Kruger CM 120E: the demo district is at 119.8 E.
MAP_CRS = "EPSG:4549"

# Top of the map first. Name shown in the legend.
LAYERS = [
    ("waste_points", "建筑垃圾点"),
    ("drying_areas", "便民晾晒区"),
    ("bike_stations", "公共自行车站点"),
    ("chargers", "充电桩"),
    ("billboards", "广告设施"),
    ("responsibility_units", "门前三包责任单位"),
    ("parking", "停车场"),
    ("communities", "社区"),
    ("subdistricts", "街道"),
    ("roads", "道路"),
    ("markets", "农贸市场"),
    ("schools", "学校"),
    ("smart_streets", "智慧街区"),
    ("water", "水系"),
    ("blocks", "街坊"),
    ("county", "县级行政区"),
]
POINT_COLOURS = {
    "waste_points": "#8c510a",
    "drying_areas": "#35978f",
    "bike_stations": "#1a9850",
    "chargers": "#2166ac",
    "billboards": "#d6604d",
    "responsibility_units": "#9e9ac8",
    "parking": "#4d4d4d",
}
LANDUSE = {
    "residential": ("居住", "#f3e3c3"),
    "commercial": ("商业", "#f6c26b"),
    "public": ("公共服务", "#d9c6e8"),
    "industrial": ("工业", "#d0d0d0"),
    "green": ("绿地", "#b8dba0"),
}
ROAD_CLASSES = {
    "main": ("主干路", "#e8a33d", 1.2),
    "secondary": ("次干路", "#f0c36d", 0.9),
    "branch": ("支路", "#bbbbbb", 0.6),
    "pedestrian": ("步行街", "#c9a0dc", 0.5),
}
# The facility layers listed in the table after each map (wardgis's `facility` kind).
FACILITIES = [("billboards", "广告设施"), ("chargers", "充电桩"), ("bike_stations", "公共自行车站点"),
              ("drying_areas", "便民晾晒区"), ("waste_points", "建筑垃圾点")]


def text_format(size, bold=False):
    f = QgsTextFormat()
    font = QFont(FONT)
    font.setBold(bold)
    f.setFont(font)
    f.setSize(size)
    buffer = QgsTextBufferSettings()
    buffer.setEnabled(True)
    buffer.setSize(0.8)
    buffer.setColor(QColor("white"))
    f.setBuffer(buffer)
    return f


def name_labels(layer, size, placement):
    s = QgsPalLayerSettings()
    s.fieldName = "name"
    s.placement = placement
    s.setFormat(text_format(size))
    layer.setLabeling(QgsVectorLayerSimpleLabeling(s))
    layer.setLabelsEnabled(True)


def style(layer, name):
    if name == "blocks":
        cats = [QgsRendererCategory(k, QgsFillSymbol.createSimple({"color": c, "outline_color": "white", "outline_width": "0.15"}), label)
                for k, (label, c) in LANDUSE.items()]
        layer.setRenderer(QgsCategorizedSymbolRenderer("landuse", cats))
    elif name == "roads":
        cats = [QgsRendererCategory(k, QgsLineSymbol.createSimple({"color": c, "width": str(w), "capstyle": "round"}), label)
                for k, (label, c, w) in ROAD_CLASSES.items()]
        layer.setRenderer(QgsCategorizedSymbolRenderer("class", cats))
        name_labels(layer, 6.5, QgsPalLayerSettings.Line)
    elif name == "water":
        layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": "#a6cee3", "outline_style": "no"})))
    elif name == "county":
        layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": "#f7f7f2", "outline_color": "#666666", "outline_width": "0.6"})))
    elif name == "smart_streets":
        layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
            {"color": "0,0,0,0", "outline_color": "#3182bd", "outline_width": "0.5", "outline_style": "dot"})))
    elif name == "subdistricts":
        layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
            {"color": "0,0,0,0", "outline_color": "#6a3d9a", "outline_width": "0.8", "outline_style": "dash dot"})))
    elif name == "communities":
        layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple(
            {"color": "0,0,0,0", "outline_color": "#8c3d10", "outline_width": "0.4", "outline_style": "dash"})))
        name_labels(layer, 9, QgsPalLayerSettings.OverPoint)
    elif name in ("schools", "markets"):
        colour = "#fdb462" if name == "schools" else "#fb8072"
        layer.setRenderer(QgsSingleSymbolRenderer(QgsFillSymbol.createSimple({"color": colour, "outline_color": "#7f7f7f", "outline_width": "0.2"})))
    else:
        layer.setRenderer(QgsSingleSymbolRenderer(QgsMarkerSymbol.createSimple(
            {"name": "circle", "color": POINT_COLOURS[name], "size": "1.6", "outline_color": "white", "outline_width": "0.2"})))


def ward_overlay(gpkg):
    """The atlas's ward again, on top: the ground around it under a 55 % white veil (a
    geometry generator: a box 5 km round the ward less the ward) and its outline drawn strong,
    as wardgis fades the neighbours and outlines the ward."""
    layer = QgsVectorLayer(f"{gpkg}|layername=communities", "本社区", "ogr")
    symbol = QgsFillSymbol.createSimple({"color": "0,0,0,0", "outline_color": "#8c3d10", "outline_width": "0.9"})
    veil = QgsGeometryGeneratorSymbolLayer.create({
        "geometryModifier": "difference(bounds(buffer($geometry, 0.05)), $geometry)",
        "SymbolType": "Fill",
    })
    veil.setSubSymbol(QgsFillSymbol.createSimple({"color": "255,255,255,140", "outline_style": "no"}))
    symbol.insertSymbolLayer(0, veil)
    root = QgsRuleBasedRenderer.Rule(None)
    root.appendChild(QgsRuleBasedRenderer.Rule(symbol, 0, 0, "$id = @atlas_featureid"))
    layer.setRenderer(QgsRuleBasedRenderer(root))
    return layer


def facility_layer(gpkg):
    """The facility layers as one table source (kind, name, grid code), via a virtual layer."""
    parts = [f"SELECT '{label}' AS kind, name, grid_code, geometry FROM {name}" for name, label in FACILITIES]
    sources = "&".join(f"layer=ogr:{gpkg}|layername={name}:{name}" for name, _ in FACILITIES)
    query = " UNION ALL ".join(parts)
    from urllib.parse import quote
    uri = f"?{sources}&geometry=geometry:point:4326&query={quote(query)}"
    layer = QgsVectorLayer(uri, "facilities", "virtual")
    if not layer.isValid():
        raise SystemExit(f"the facilities virtual layer is not valid: {uri}")
    return layer


def label_item(layout, text, x, y, w, h, size, bold=False):
    item = QgsLayoutItemLabel(layout)
    item.setText(text)
    font = QFont(FONT)
    font.setPointSizeF(size)
    font.setBold(bold)
    item.setFont(font)
    item.attemptMove(QgsLayoutPoint(x, y, MM))
    item.attemptResize(QgsLayoutSize(w, h, MM))
    layout.addLayoutItem(item)
    return item


def build(gpkg, with_table):
    project = QgsProject.instance()
    project.setCrs(QgsCoordinateReferenceSystem(MAP_CRS))
    project.viewSettings().setMapScales([float(s) for s in ROUND_SCALES])
    project.viewSettings().setUseProjectScales(True)
    loaded = {}
    root = project.layerTreeRoot()
    overlay = ward_overlay(gpkg)
    project.addMapLayer(overlay, False)
    root.addLayer(overlay)
    for name, title in LAYERS:
        layer = QgsVectorLayer(f"{gpkg}|layername={name}", title, "ogr")
        if not layer.isValid():
            raise SystemExit(f"cannot open layer {name} in {gpkg}")
        if layer.featureCount() == 0:
            continue
        style(layer, name)
        project.addMapLayer(layer, False)
        root.addLayer(layer)
        loaded[name] = layer
    communities = loaded["communities"]

    layout = QgsPrintLayout(project)
    layout.initializeDefaults()
    layout.setName("ward maps")
    # The atlas's "predefined scale" mode reads the scales from the layout's render context,
    # which only the designer window fills from the project; headless, set it here.
    layout.renderContext().setPredefinedScales([float(s) for s in ROUND_SCALES])
    layout.pageCollection().page(0).setPageSize("A4", QgsLayoutItemPage.Portrait)

    margin = 12.0
    label_item(layout, "[% \"subdistrict\" %] [% \"name\" %]", margin, margin, 186, 12, 20, bold=True)

    map_item = QgsLayoutItemMap(layout)
    map_item.attemptMove(QgsLayoutPoint(margin, 32, MM))
    map_item.attemptResize(QgsLayoutSize(186, 190, MM))
    map_item.setCrs(QgsCoordinateReferenceSystem(MAP_CRS))
    map_item.setFrameEnabled(True)
    to_map = QgsCoordinateTransform(communities.crs(), map_item.crs(), project)
    map_item.setExtent(to_map.transformBoundingBox(communities.extent()))
    layout.addLayoutItem(map_item)
    map_item.setAtlasDriven(True)
    map_item.setAtlasScalingMode(QgsLayoutItemMap.Predefined)
    map_item.setAtlasMargin(0.04)

    arrow = QgsLayoutItemPicture(layout)
    arrow.setPicturePath("/usr/share/qgis/svg/arrows/NorthArrow_02.svg")
    arrow.attemptMove(QgsLayoutPoint(margin + 186 - 14, 35, MM))
    arrow.attemptResize(QgsLayoutSize(10, 14, MM))
    arrow.setLinkedMap(map_item)
    layout.addLayoutItem(arrow)

    bar = QgsLayoutItemScaleBar(layout)
    bar.setStyle("Single Box")
    bar.setLinkedMap(map_item)
    bar.applyDefaultSize()
    bar.setUnits(QgsUnitTypes.DistanceMeters)
    bar.setNumberOfSegments(3)
    bar.setNumberOfSegmentsLeft(0)
    bar.setUnitLabel("米")
    bar.setTextFormat(text_format(7))
    bar.setBackgroundEnabled(True)
    bar.attemptMove(QgsLayoutPoint(margin + 4, 32 + 190 - 14, MM))
    layout.addLayoutItem(bar)

    legend = QgsLayoutItemLegend(layout)
    legend.setTitle("图例")
    legend.setLinkedMap(map_item)
    legend.setLegendFilterByMapEnabled(True)
    legend.setLegendFilterOutAtlas(True)
    legend.setColumnCount(4)
    legend.setSplitLayer(True)
    legend.setResizeToContents(True)
    for part in (QgsLegendStyle.Title, QgsLegendStyle.Group, QgsLegendStyle.Subgroup, QgsLegendStyle.SymbolLabel):
        font = QFont(FONT)
        font.setPointSizeF(12 if part == QgsLegendStyle.Title else 7.5)
        legend.rstyle(part).setFont(font)
    legend.attemptMove(QgsLayoutPoint(margin, 226, MM))
    layout.addLayoutItem(legend)

    label_item(layout, "坐标系：CGCS2000 / 3-degree Gauss-Kruger CM 120E (EPSG:4549)　　QGIS [% @qgis_version %]　　第 [% @atlas_featurenumber %] / [% @atlas_totalfeatures %] 幅",
               margin, 297 - margin - 5, 186, 5, 7)

    if with_table:
        facilities = facility_layer(gpkg)
        project.addMapLayer(facilities, False)
        table = QgsLayoutItemAttributeTable.create(layout)
        table.setVectorLayer(facilities)
        table.setDisplayOnlyVisibleFeatures(False)
        table.setFilterToAtlasFeature(True)
        table.setMaximumNumberOfFeatures(10000)
        table.setResizeMode(QgsLayoutMultiFrame.RepeatUntilFinished)
        table.setHeaderTextFormat(text_format(8, bold=True))
        table.setContentTextFormat(text_format(7))
        layout.addMultiFrame(table)
        # The table starts on page 2; RepeatUntilFinished adds the pages it needs.
        layout.pageCollection().addPage(QgsLayoutItemPage(layout))
        layout.pageCollection().page(1).setPageSize("A4", QgsLayoutItemPage.Portrait)
        frame = QgsLayoutFrame(layout, table)
        page_two = layout.pageCollection().page(1).pos().y()
        frame.attemptMove(QgsLayoutPoint(margin, page_two + margin, MM))
        frame.attemptResize(QgsLayoutSize(186, 297 - 2 * margin, MM))
        table.addFrame(frame)
        table.refreshAttributes()
        columns = table.columns()
        for column, heading in zip(columns, ["类别", "名称", "网格"]):
            column.setHeading(heading)
        table.setColumns(columns)

    atlas = layout.atlas()
    atlas.setCoverageLayer(communities)
    atlas.setPageNameExpression('"name"')
    atlas.setEnabled(True)
    return project, layout, atlas


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("gpkg")
    parser.add_argument("out")
    parser.add_argument("--text", choices=["text", "outlines"], default="text",
                        help="text as PDF text (the default here, as wardgis writes it) or as outlines (QGIS's default)")
    parser.add_argument("--no-table", action="store_true", help="leave out the facility table")
    parser.add_argument("--no-georef", action="store_true", help="do not append georeferencing")
    args = parser.parse_args()

    QgsApplication.setPrefixPath("/usr", True)
    app = QgsApplication([], False)
    app.initQgis()
    gpkg = os.path.abspath(args.gpkg)
    project, layout, atlas = build(gpkg, not args.no_table)

    settings = QgsLayoutExporter.PdfExportSettings()
    settings.rasterizeWholeImage = False
    settings.forceVectorOutput = True
    settings.appendGeoreference = not args.no_georef
    settings.exportMetadata = True
    settings.textRenderFormat = (QgsRenderContext.TextFormatAlwaysText if args.text == "text"
                                 else QgsRenderContext.TextFormatAlwaysOutlines)
    begin = time.perf_counter()
    result, error = QgsLayoutExporter.exportToPdf(atlas, args.out, settings)
    export_s = time.perf_counter() - begin
    if result != QgsLayoutExporter.Success:
        print(f"qgis_atlas: export failed ({result}): {error}", file=sys.stderr)
        sys.exit(1)
    wards = atlas.count()
    total_s = time.perf_counter() - START
    print(json.dumps({"qgis": Qgis.QGIS_VERSION, "wards": wards, "export_s": round(export_s, 3),
                      "total_s": round(total_s, 3), "table": not args.no_table, "text": args.text}))
    project.clear()
    app.exitQgis()


if __name__ == "__main__":
    main()
