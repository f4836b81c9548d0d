#!/usr/bin/env python3
"""Writes the hand-made nasty seed files of the importers' fuzz corpus.

    python3 fuzz/make_seeds.py csv geojson        # the committed seeds (re-creates them)
    python3 fuzz/make_seeds.py xlsx kml kmz zip gpkg   # once those readers exist

Each format's seeds go to fuzz/corpus/import_<ext>/ (the folder name is the target's name,
and its tail is the extension the input is given). The files are small: the corpus is
committed, and huge inputs (a 1 MB value, 100 000-deep nesting) are built by the replay test
(core/tests/fuzz_corpus.rs) instead. Seeds for a format whose reader does not exist yet must
not be committed: the replay test refuses a corpus folder no reader takes.

Only the standard library and openpyxl (installed by scripts/install-deps.sh, used by the
XLSX seeds) are needed.
"""

import io
import os
import sqlite3
import struct
import sys
import tempfile
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))

# Yixing, where the demo district is.
LON, LAT = 119.8231, 31.3562
SQ = "119.81 31.35, 119.82 31.35, 119.82 31.36, 119.81 31.36, 119.81 31.35"
BOWTIE = "119.81 31.35, 119.82 31.36, 119.82 31.35, 119.81 31.36, 119.81 31.35"
UNCLOSED = "119.81 31.35, 119.82 31.35, 119.82 31.36"


def write(ext, name, data):
    folder = os.path.join(HERE, "corpus", f"import_{ext}")
    os.makedirs(folder, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def utf16le(s):
    return s.encode("utf-16-le")


# ---------------------------------------------------------------- CSV

CH = "名称,车辆类型,充电端口数,运营单位,经度,纬度\n"
CO = "名称,subdistrict,wkt\n"


def csv_seeds():
    w = lambda name, data: write("csv", name, data)
    good = CH + f"城东充电站,机动车,4,国网,{LON},{LAT}\n" + f"菜场口,ebike,12,,{LON + 0.01},{LAT}\n"
    w("good_chargers.csv", good)
    w("good_communities_wkt.csv", CO + f'东虹社区,宜城街道,"POLYGON(({SQ}))"\n')
    w("good_chargers_tab.txt", good.replace(",", "\t"))
    w("good_chargers_crlf_bom.csv", b"\xef\xbb\xbf" + good.replace("\n", "\r\n").encode())
    w("empty.csv", b"")
    w("only_bom.csv", b"\xef\xbb\xbf")
    w("header_only.csv", CH)
    w("header_only_no_newline.csv", CH.rstrip("\n"))
    w("blank_header.csv", ",,,\n1,2,3\n")
    w("truncated_mid_row.csv", good[: len(good) - 9])
    w("truncated_mid_quote.csv", CO + '东虹社区,宜城街道,"POLYGON((119.81 31.35, 119.8')
    w("truncated_utf8_char.csv", good.encode()[:-1] + "城".encode()[:2])
    # GBK bytes after a UTF-8 byte-order mark: declared UTF-8, is not.
    w("gbk_declared_utf8.csv", b"\xef\xbb\xbf" + good.encode("gbk"))
    w("gbk.csv", good.encode("gbk"))
    w("invalid_utf8_and_gbk.csv", CH.encode() + b"\xff\xfe\xfd,\x80\x80,4,,119.8,31.3\n")
    w("utf16le_no_bom.csv", utf16le(good))
    w("utf16le_bom.csv", b"\xff\xfe" + utf16le(good))
    w("utf16be_bom_odd_length.csv", b"\xfe\xff" + good.encode("utf-16-be")[:-1])
    w("bom_in_middle.csv", CH + "\ufeff城东,机动车,4,,\ufeff119.8,31.3\n\ufeff\n")
    w("nan_inf_coordinates.csv", CH + "".join(
        f"p{i},机动车,4,,{x},{y}\n" for i, (x, y) in enumerate([
            ("NaN", LAT), (LON, "nan"), ("inf", LAT), ("-Infinity", LAT), ("1e309", LAT), (LON, "-1e309"),
            ("180.0000001", LAT), (LON, "90.5"), ("-181", "-91"), (LAT, LON), ("0x1F", LAT), ("119,8", LAT),
            ("", ""), (" ", LAT), ("1e-400", "0"), ("-0", "-0"), ("１１９.８", LAT)])))
    w("nan_wkt.csv", CO + "".join(f'c{i},宜城街道,"{g}"\n' for i, g in enumerate([
        "POLYGON((nan nan, 1 1, 2 2, nan nan))", "POLYGON((inf 31, 119 31, 119 32, inf 31))",
        "POLYGON((1e309 31, 119 31, 119 32, 1e309 31))", "POINT(200 95)", f"POLYGON((500 31, {SQ}))",
        "POLYGON((119.8 31.3 NaN, 119.9 31.3 1, 119.9 31.4 2, 119.8 31.3 0))"])))
    w("empty_polygons.csv", CO + "".join(f'c{i},宜城街道,"{g}"\n' for i, g in enumerate([
        "POLYGON EMPTY", "POLYGON(())", "POLYGON(EMPTY)", "MULTIPOLYGON EMPTY", "MULTIPOLYGON(())", "MULTIPOLYGON((()))",
        "GEOMETRYCOLLECTION EMPTY", "POLYGON((119.8 31.3))", "POLYGON((119.8 31.3, 119.9 31.3))", "", "SRID=4326;", "SRID=;POLYGON EMPTY",
        f"POLYGON(({SQ}),())", f"MULTIPOLYGON((({SQ})),EMPTY)"])))
    w("self_intersecting.csv", CO + f'bowtie,宜城街道,"POLYGON(({BOWTIE}))"\n'
      + f'spike,宜城街道,"POLYGON((119.81 31.35, 119.82 31.35, 119.83 31.35, 119.82 31.35, 119.82 31.36, 119.81 31.35))"\n'
      + f'hole_outside,宜城街道,"POLYGON(({SQ}),(119.9 31.9, 119.91 31.9, 119.91 31.91, 119.9 31.9))"\n')
    w("unclosed_ring.csv", CO + f'u,宜城街道,"POLYGON(({UNCLOSED}))"\n')
    w("wrong_geometry.csv", CO + f'l,宜城街道,"LINESTRING({SQ})"\nm,宜城街道,"POINT({LON} {LAT})"\ng,宜城街道,"GEOMETRYCOLLECTION(POLYGON(({SQ})))"\n')
    w("deep_wkt.csv", CO + 'd,宜城街道,"' + "GEOMETRYCOLLECTION(" * 1000 + "POINT(1 1)" + ")" * 1000 + '"\n')
    w("deep_wkt_parens.csv", CO + 'd,宜城街道,"POLYGON' + "(" * 5000 + '"\n')
    w("duplicate_columns.csv", "名称,name,经度,纬度,经度\n a,b,119.8,31.3,119.9\n")
    w("duplicate_ids.csv", "fid,fid,名称,车辆类型,充电端口数,经度,纬度\n1,1,a,car,1,119.8,31.3\n1,1,a,car,1,119.8,31.3\n")
    w("quotes_spanning_lines.csv", CH + '"城东\n充电\r\n站",机动车,4,"国\n网",119.8,31.3\n"未闭合,机动车,4,,119.8,31.3\n')
    w("cr_only.csv", good.replace("\n", "\r"))
    w("mixed_line_ends.csv", CH.replace("\n", "\r") + f"a,car,1,,{LON},{LAT}\r\n\rb,car,1,,{LON},{LAT}\n\n\r\r")
    w("extra_values.csv", CH + f"a,car,1,,{LON},{LAT},surprise,,\n")
    w("short_rows.csv", CH + "a\n,\nb,car\n")
    w("bad_attributes.csv", CH + "".join(f"a{i},{t},{p},,{LON},{LAT}\n" for i, (t, p) in enumerate([
        ("truck", "4"), ("car", "0"), ("car", "201"), ("car", "1e400"), ("car", "99999999999999999999"),
        ("car", "4.5"), ("car", "-0"), ("", ""), ("car", "NaN"), ("CAR", "４")])))
    w("10000_columns.csv", ",".join(f"c{i}" for i in range(10000)) + ",经度,纬度\n" + "," * 10000 + f"{LON},{LAT}\n")
    w("nul_bytes.csv", CH.encode() + b"a\x00b,car,1,,119.8\x00,31.3\n")
    w("control_chars.csv", CH + "\x1b[31m,car,1,\x07\x08,119.8,31.3\n")
    w("projected_metres.csv", "名称,车辆类型,充电端口数,x,y\na,car,1,40512345.67,3470000\nb,car,1,1e300,-1e300\nc,car,1,0,0\n")


# ---------------------------------------------------------------- GeoJSON

def feat(geom, props=None, extra=""):
    import json
    p = json.dumps(props if props is not None else {"name": "城东充电站", "vehicle_type": "car", "ports": 4}, ensure_ascii=False)
    return '{"type":"Feature"%s,"geometry":%s,"properties":%s}' % (extra, geom, p)


def fc(*features, members=""):
    return '{"type":"FeatureCollection"%s,"features":[%s]}' % (members, ",".join(features))


PT = '{"type":"Point","coordinates":[%s,%s]}' % (LON, LAT)
POLY = '{"type":"Polygon","coordinates":[[[119.81,31.35],[119.82,31.35],[119.82,31.36],[119.81,31.36],[119.81,31.35]]]}'
CPROPS = {"name": "东虹社区", "subdistrict": "宜城街道"}


def geojson_seeds():
    w = lambda name, data: write("geojson", name, data)
    good = fc(feat(PT), feat(PT, {"名称": "菜场口", "车辆类型": "非机动车", "充电端口数": "12"}))
    w("good_chargers.geojson", good)
    w("good_communities.geojson", fc(feat(POLY, CPROPS)))
    w("good_bare_feature.geojson", feat(PT))
    w("empty.geojson", b"")
    w("whitespace.geojson", " \n\t ")
    for name, text in [("empty_object", "{}"), ("array", "[]"), ("null", "null"), ("number", "1e309"),
                       ("string", '"FeatureCollection"'), ("bare_geometry", PT),
                       ("features_not_array", '{"type":"FeatureCollection","features":{}}'),
                       ("features_number", '{"type":"FeatureCollection","features":5}'),
                       ("no_features", '{"type":"FeatureCollection"}'),
                       ("features_before_type", '{"features":[%s],"type":"Feature"}' % feat(PT)),
                       ("feature_with_features", '{"type":"Feature","features":[1],"geometry":%s,"properties":{}}' % PT),
                       ("trailing_garbage", good + "}]x"),
                       ("two_documents", good + good)]:
        w(f"{name}.geojson", text)
    w("truncated.geojson", good[: len(good) // 2])
    w("truncated_in_string.geojson", good[: good.index("城东") + 1])
    w("gbk_declared_utf8.geojson", b"\xef\xbb\xbf" + good.encode("gbk"))
    w("invalid_utf8.geojson", good.encode().replace("城东".encode(), b"\xff\xfe\x80"))
    w("utf16le_no_bom.geojson", utf16le(good))
    w("utf16be_bom.geojson", b"\xfe\xff" + good.encode("utf-16-be"))
    w("bom_in_middle.geojson", good.replace('"features"', '\ufeff"features"'))
    w("nan_tokens.geojson", fc(feat('{"type":"Point","coordinates":[NaN,31.3]}')))
    w("out_of_range.geojson", fc(*[feat('{"type":"Point","coordinates":[%s,%s]}' % c) for c in [
        ("1e309", LAT), (LON, "-1e309"), ("180.0000001", LAT), (LON, "90.5"), ("-181", "-91"), (LAT, LON),
        ("1e-400", "0"), ("-0.0", "-0.0"), ("40512345.67", "3470000")]]))
    w("bad_positions.geojson", fc(*[feat('{"type":"Point","coordinates":%s}' % c) for c in [
        "[]", "[1]", "[119.8,31.3,5,6,7]", '["119.8","31.3"]', "[[119.8,31.3]]", "null", "{}", "[true,false]", "[null,null]"]]))
    w("empty_polygons.geojson", fc(*[feat('{"type":"%s","coordinates":%s}' % g, CPROPS) for g in [
        ("Polygon", "[]"), ("Polygon", "[[]]"), ("Polygon", "[[[]]]"), ("MultiPolygon", "[]"), ("MultiPolygon", "[[]]"),
        ("MultiPolygon", "[[[]]]"), ("Polygon", "[[[119.8,31.3]]]"), ("Polygon", "[[[119.8,31.3],[119.9,31.3]]]"),
        ("GeometryCollection", "[]")]], feat('{"type":"GeometryCollection","geometries":[]}', CPROPS), feat("null", CPROPS),
        feat('{"type":"Polygon"}', CPROPS), feat('{"type":"Circle","coordinates":[1,2]}', CPROPS)))
    w("self_intersecting.geojson", fc(
        feat('{"type":"Polygon","coordinates":[[[119.81,31.35],[119.82,31.36],[119.82,31.35],[119.81,31.36],[119.81,31.35]]]}', CPROPS),
        feat('{"type":"Polygon","coordinates":[[[119.81,31.35],[119.82,31.35],[119.82,31.36],[119.81,31.35]],'
             '[[119.9,31.9],[119.91,31.9],[119.91,31.91],[119.9,31.9]]]}', CPROPS)))
    w("unclosed_ring.geojson", fc(feat('{"type":"Polygon","coordinates":[[[119.81,31.35],[119.82,31.35],[119.82,31.36]]]}', CPROPS)))
    w("deep_nesting_arrays.geojson", '{"type":"FeatureCollection","features":' + "[" * 1000 + "]" * 1000 + "}")
    w("deep_nesting_properties.geojson", fc(feat(PT, None).replace('"properties":{', '"properties":{"x":' + '{"a":' * 500 + "1" + "}" * 500 + ",")))
    w("deep_geometry_collection.geojson", fc(feat('{"type":"GeometryCollection","geometries":[' * 60 + PT + "]}" * 60, CPROPS)))
    w("deep_unclosed.geojson", "[" * 3000)
    w("duplicate_keys.geojson", fc('{"type":"Feature","type":"Feature","geometry":%s,"geometry":null,'
                                   '"properties":{"name":"a","name":"b","ports":1,"ports":2,"vehicle_type":"car"}}' % PT))
    w("duplicate_ids.geojson", fc(feat(PT, None, ',"id":1'), feat(PT, None, ',"id":1'), feat(PT, None, ',"id":{"a":[1]}')))
    w("same_field_twice.geojson", fc(feat(PT, {"name": "a", "名称": "b", "vehicle_type": "car", "车辆类型": "ebike", "ports": 1})))
    w("bad_properties.geojson", fc(*[feat(PT, p) for p in [
        {"vehicle_type": "truck", "ports": 4}, {"vehicle_type": "car", "ports": 1e308}, {"vehicle_type": "car", "ports": -1},
        {"vehicle_type": "car", "ports": 4.5}, {"vehicle_type": ["car"], "ports": {"n": 4}}, {"vehicle_type": None, "ports": None},
        {"vehicle_type": "car", "ports": "99999999999999999999999"}, {"name": {"zh": "a"}, "vehicle_type": "car", "ports": 1},
        {"vehicle_type": "car", "ports": True}, {"": "", " ": " ", "vehicle_type": "car", "ports": 1}]],
        feat(PT, None).replace('"properties":{', '"properties":[1,2],"x":{')))
    w("properties_not_object.geojson", fc(feat(PT).replace('"properties":{', '"properties":"a","p":{')))
    w("crs_members.geojson", fc(feat(PT), members=',"crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::99999999999999999999"}}'))
    for i, name in enumerate(["EPSG:", ":::", "urn:ogc:def:crs:EPSG::4528", "wardgis:", "wardgis:gcj02", "EPSG:3857", "", "urn:ogc:def:crs:OGC:1.3:CRS84"]):
        w(f"crs_{i}.geojson", '{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"%s"}},"features":[%s]}' % (name, feat(PT)))
    w("crs_after_features.geojson", '{"type":"FeatureCollection","features":[%s],"crs":{"type":"name","properties":{"name":"EPSG:3857"}}}' % feat(PT))
    w("crs_not_object.geojson", '{"type":"FeatureCollection","crs":[1,{"properties":5}],"features":[%s]}' % feat(PT))
    w("wrong_types.geojson", fc('{"type":"Feature"}', '{"type":"Point"}', "1", "null", "[]", '"x"', '{"geometry":%s}' % PT))
    w("big_numbers.geojson", fc(feat('{"type":"Point","coordinates":[1%s,31.3]}' % ("0" * 400), None),
                                feat('{"type":"Point","coordinates":[119.%s,-0.%se-2]}' % ("9" * 500, "1" * 500), None)))
    w("control_and_escapes.geojson", fc(feat(PT, {"name": "a\u0000b\u001b\ud7ff", "vehicle_type": "car", "ports": 1}),
                                        feat(PT).replace("城东", "\\ud800\\udc00\\ud800")))


# ---------------------------------------------------------------- KML / KMZ (for the KML reader, once it exists)

KML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
KML_TAIL = "</Document></kml>\n"


def placemark(geom, name="城东充电站", data=""):
    return f"<Placemark><name>{name}</name><ExtendedData>{data}</ExtendedData>{geom}</Placemark>"


def kml_docs():
    kpt = f"<Point><coordinates>{LON},{LAT}</coordinates></Point>"
    ring = lambda c: f"<Polygon><outerBoundaryIs><LinearRing><coordinates>{c}</coordinates></LinearRing></outerBoundaryIs></Polygon>"
    sq = "119.81,31.35 119.82,31.35 119.82,31.36 119.81,31.36 119.81,31.35"
    good = KML_HEAD + placemark(kpt, data='<Data name="ports"><value>4</value></Data><Data name="vehicle_type"><value>car</value></Data>') + KML_TAIL
    return {
        "good": good,
        "good_polygon": KML_HEAD + placemark(ring(sq), "东虹社区", '<Data name="subdistrict"><value>宜城街道</value></Data>') + KML_TAIL,
        "empty": "",
        "truncated": good[: len(good) // 2],
        "not_xml": "{}",
        "gbk_declared_utf8": good.encode("gbk"),
        "gbk_declared_gbk": good.replace('encoding="UTF-8"', 'encoding="GBK"').encode("gbk"),
        "utf16le_no_bom": utf16le(good),
        "nan_inf": KML_HEAD + "".join(placemark(f"<Point><coordinates>{c}</coordinates></Point>") for c in
                                      ["NaN,31.3", "inf,31.3", "1e309,31.3", "200,95", "119.8", "", ",,,", "119.8,31.3,0 119.9,31.4"]) + KML_TAIL,
        "empty_polygons": KML_HEAD + "".join(placemark(ring(c), "p") for c in ["", "119.8,31.3", "119.8,31.3 119.9,31.3"]) +
                          placemark("<Polygon></Polygon>", "q") + placemark("<MultiGeometry></MultiGeometry>", "r") + KML_TAIL,
        "self_intersecting": KML_HEAD + placemark(ring("119.81,31.35 119.82,31.36 119.82,31.35 119.81,31.36 119.81,31.35"), "b") + KML_TAIL,
        "unclosed_ring": KML_HEAD + placemark(ring("119.81,31.35 119.82,31.35 119.82,31.36"), "u") + KML_TAIL,
        "deep_folders": KML_HEAD + "<Folder>" * 2000 + placemark(kpt) + "</Folder>" * 2000 + KML_TAIL,
        "deep_multigeometry": KML_HEAD + placemark("<MultiGeometry>" * 1000 + kpt + "</MultiGeometry>" * 1000) + KML_TAIL,
        "unclosed_tags": KML_HEAD + "<Placemark>" * 3000,
        "duplicate_data": KML_HEAD + placemark(kpt, data='<Data name="ports"><value>1</value></Data>' * 2) + KML_TAIL,
        "entities": '<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><kml><Document>' + placemark(kpt, "&c;") + KML_TAIL,
        "cdata_and_comments": KML_HEAD + placemark(kpt, "<![CDATA[<b>a</b>]]><!-- x -->") + KML_TAIL,
    }


def kml_seeds():
    for name, doc in kml_docs().items():
        write("kml", f"{name}.kml", doc)


def kmz_seeds():
    docs = kml_docs()
    for name in ["good", "nan_inf", "deep_folders"]:
        write("kmz", f"{name}.kmz", zipped({"doc.kml": docs[name]}))
    write("kmz", "no_kml_inside.kmz", zipped({"readme.txt": "x"}))
    write("kmz", "two_kml.kmz", zipped({"a.kml": docs["good"], "b.kml": docs["empty"]}))
    write("kmz", "truncated.kmz", zipped({"doc.kml": docs["good"]})[:80])
    write("kmz", "not_zip.kmz", docs["good"])


def zipped(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return buf.getvalue()


# ---------------------------------------------------------------- XLSX (for the spreadsheet reader, once it exists)

def xlsx_seeds():
    import openpyxl

    def book(rows, sheet="Sheet1"):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = sheet
        for r in rows:
            ws.append(r)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    head = ["名称", "车辆类型", "充电端口数", "经度", "纬度"]
    good = book([head, ["城东充电站", "机动车", 4, LON, LAT]])
    write("xlsx", "good.xlsx", good)
    write("xlsx", "empty_file.xlsx", b"")
    write("xlsx", "not_zip.xlsx", "名称,经度\n")
    write("xlsx", "truncated.xlsx", good[: len(good) // 2])
    write("xlsx", "empty_sheet.xlsx", book([]))
    write("xlsx", "header_only.xlsx", book([head]))
    write("xlsx", "nan_inf.xlsx", book([head] + [["p", "car", 1, x, y] for x, y in
                                                 [("NaN", LAT), ("inf", LAT), (1e308, LAT), (200, 95), (-181, -91), (None, None), ("119,8", LAT)]]))
    write("xlsx", "wkt_polygons.xlsx", book([["名称", "subdistrict", "wkt"]] + [["c", "宜城街道", g] for g in
                                             ["POLYGON EMPTY", f"POLYGON(({BOWTIE}))", f"POLYGON(({UNCLOSED}))", "POLYGON((nan nan, 1 1, nan nan))"]]))
    write("xlsx", "duplicate_headers.xlsx", book([["名称", "名称", "经度", "纬度", "经度"], ["a", "b", LON, LAT, LON]]))
    write("xlsx", "formulas_and_errors.xlsx", book([head, ["=1/0", "car", "=A1", "=NA()", LAT]]))
    write("xlsx", "1000_columns.xlsx", book([[f"c{i}" for i in range(1000)] + ["经度", "纬度"], [None] * 1000 + [LON, LAT]]))
    write("xlsx", "wrong_sheet_name.xlsx", book([head], sheet="<&>'\""))
    # A zip that claims to be a workbook, holding a tiny XML that expands a lot.
    write("xlsx", "bogus_parts.xlsx", zipped({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<workbook>" + "<a>" * 1000 + "</workbook>"}))


# ---------------------------------------------------------------- Shapefile in a .zip (for the Shapefile reader)

def shp_zip(shapes, shape_type, fields, records, prj=None, cpg=None, drop=()):
    """A minimal Shapefile (shp, shx, dbf) zipped; `shapes` are (content bytes) per record."""
    shp, shx = io.BytesIO(), io.BytesIO()
    offset = 50
    for i, content in enumerate(shapes):
        shp.write(struct.pack(">ii", i + 1, len(content) // 2) + content)
        shx.write(struct.pack(">ii", offset, len(content) // 2))
        offset += 4 + len(content) // 2

    def header(length_words):
        return struct.pack(">7i", 9994, 0, 0, 0, 0, 0, length_words) + struct.pack("<2i4d4d", 1000, shape_type, 119, 31, 120, 32, 0, 0, 0, 0)

    shp_bytes = header(50 + len(shp.getvalue()) // 2) + shp.getvalue()
    shx_bytes = header(50 + len(shx.getvalue()) // 2) + shx.getvalue()
    dbf = io.BytesIO()
    rec_len = 1 + sum(f[2] for f in fields)
    dbf.write(struct.pack("<BBBBIHH20x", 3, 126, 1, 1, len(records), 32 + 32 * len(fields) + 1, rec_len))
    for name, ty, size in fields:
        dbf.write(struct.pack("<11sc4xBB14x", name, ty, size, 0))
    dbf.write(b"\r")
    for r in records:
        dbf.write(b" " + b"".join(v.ljust(size)[:size] for v, (_, _, size) in zip(r, fields)))
    dbf.write(b"\x1a")
    files = {"a.shp": shp_bytes, "a.shx": shx_bytes, "a.dbf": dbf.getvalue()}
    if prj is not None:
        files["a.prj"] = prj
    if cpg is not None:
        files["a.cpg"] = cpg
    for d in drop:
        files.pop(d, None)
    return zipped(files)


def point(x, y):
    return struct.pack("<idd", 1, x, y)


def polygon(rings):
    pts = [p for r in rings for p in r]
    xs, ys = [p[0] for p in pts] or [0], [p[1] for p in pts] or [0]
    parts, k = [], 0
    for r in rings:
        parts.append(k)
        k += len(r)
    return (struct.pack("<i4d2i", 5, min(xs), min(ys), max(xs), max(ys), len(rings), len(pts))
            + struct.pack(f"<{len(parts)}i", *parts) + b"".join(struct.pack("<2d", *p) for p in pts))


def zip_seeds():
    f = [(b"NAME", b"C", 20), (b"PORTS", b"N", 4)]
    rec = [("城东".encode("gbk"), b"4")]
    sq = [(119.81, 31.35), (119.82, 31.35), (119.82, 31.36), (119.81, 31.36), (119.81, 31.35)]
    nan = float("nan")
    good = shp_zip([point(LON, LAT)], 1, f, rec, cpg=b"GBK")
    write("zip", "good_points.zip", good)
    write("zip", "good_polygon.zip", shp_zip([polygon([sq])], 5, f, rec))
    write("zip", "truncated.zip", good[: len(good) // 2])
    write("zip", "empty.zip", zipped({}))
    write("zip", "no_dbf.zip", shp_zip([point(LON, LAT)], 1, f, rec, drop=("a.dbf",)))
    write("zip", "no_shx.zip", shp_zip([point(LON, LAT)], 1, f, rec, drop=("a.shx",)))
    write("zip", "nan_inf.zip", shp_zip([point(nan, LAT), point(float("inf"), LAT), point(1e308, -1e308), point(200, 95)], 1, f, rec * 4))
    write("zip", "empty_polygons.zip", shp_zip([polygon([]), polygon([[]]), polygon([sq[:1]]), polygon([sq[:2]])], 5, f, rec * 4))
    write("zip", "self_intersecting.zip", shp_zip([polygon([[sq[0], sq[2], sq[1], sq[3], sq[0]]])], 5, f, rec))
    write("zip", "unclosed_ring.zip", shp_zip([polygon([sq[:3]])], 5, f, rec))
    write("zip", "lying_counts.zip", shp_zip([struct.pack("<i4d2i", 5, 0, 0, 1, 1, 2 ** 30, 2 ** 30) + b"\0" * 16], 5, f, rec))
    write("zip", "negative_parts.zip", shp_zip([struct.pack("<i4d2i2i", 5, 0, 0, 1, 1, 2, 2, 1, -5) + struct.pack("<4d", 119.8, 31.3, 119.9, 31.4)], 5, f, rec))
    write("zip", "records_mismatch.zip", shp_zip([point(LON, LAT)] * 3, 1, f, rec))
    write("zip", "gbk_no_cpg.zip", shp_zip([point(LON, LAT)], 1, f, rec))
    write("zip", "gbk_cpg_says_utf8.zip", shp_zip([point(LON, LAT)], 1, f, rec, cpg=b"UTF-8"))
    write("zip", "bad_prj.zip", shp_zip([point(LON, LAT)], 1, f, rec, prj=b'PROJCS["x",GEOGCS[' * 200))
    write("zip", "bad_dbf_numbers.zip", shp_zip([point(LON, LAT)] * 3, 1, f, [(b"a", b"NaN"), (b"b", b"****"), (b"c", b"1e99")]))
    write("zip", "two_shapefiles.zip", zipped({"a.shp": b"", "b.shp": b""}))
    write("zip", "path_traversal.zip", zipped({"../../a.shp": b"", "/abs/a.dbf": b""}))


# ---------------------------------------------------------------- GeoPackage (for the GeoPackage reader)

def gpkg_seeds():
    def gpkg(build):
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "a.gpkg")
            db = sqlite3.connect(p)
            db.executescript(
                "PRAGMA application_id=1196444487; PRAGMA user_version=10300;"
                "CREATE TABLE gpkg_spatial_ref_sys(srs_name TEXT, srs_id INTEGER PRIMARY KEY, organization TEXT, organization_coordsys_id INTEGER, definition TEXT, description TEXT);"
                "INSERT INTO gpkg_spatial_ref_sys VALUES('WGS 84',4326,'EPSG',4326,'GEOGCS[\"WGS 84\"]',NULL),('u',-1,'NONE',-1,'undefined',NULL),('u',0,'NONE',0,'undefined',NULL);"
                "CREATE TABLE gpkg_contents(table_name TEXT PRIMARY KEY, data_type TEXT, identifier TEXT, description TEXT, last_change TEXT, min_x REAL, min_y REAL, max_x REAL, max_y REAL, srs_id INTEGER);"
                "CREATE TABLE gpkg_geometry_columns(table_name TEXT, column_name TEXT, geometry_type_name TEXT, srs_id INTEGER, z TINYINT, m TINYINT);")
            build(db)
            db.commit()
            db.close()
            with open(p, "rb") as f:
                return f.read()

    def blob(wkb, srs=4326, flags=1):
        return b"GP\x00" + bytes([flags]) + struct.pack("<i", srs) + wkb

    def wkb_point(x, y):
        return struct.pack("<BIdd", 1, 1, x, y)

    def layer(rows, gtype="POINT", srs=4326):
        def build(db):
            db.execute("CREATE TABLE pts(fid INTEGER PRIMARY KEY, geom BLOB, name TEXT, ports INTEGER)")
            db.execute("INSERT INTO gpkg_contents VALUES('pts','features','pts',NULL,NULL,NULL,NULL,NULL,NULL,?)", (srs,))
            db.execute("INSERT INTO gpkg_geometry_columns VALUES('pts','geom',?,?,0,0)", (gtype, srs))
            db.executemany("INSERT INTO pts(geom,name,ports) VALUES(?,?,?)", rows)
        return gpkg(build)

    good = layer([(blob(wkb_point(LON, LAT)), "城东", 4)])
    write("gpkg", "good.gpkg", good)
    write("gpkg", "truncated.gpkg", good[: len(good) // 2])
    write("gpkg", "empty.gpkg", b"")
    write("gpkg", "not_sqlite.gpkg", "SQLite format 3\0" + "x" * 100)
    write("gpkg", "nan_inf.gpkg", layer([(blob(wkb_point(x, y)), "p", 1) for x, y in [(float("nan"), LAT), (float("inf"), LAT), (1e308, -1e308), (200, 95)]]))
    write("gpkg", "bad_blobs.gpkg", layer([(b, "p", 1) for b in [b"", b"GP", b"GP\x00\x01", blob(b"\x01\x03\x00\x00\x00\xff\xff\xff\x7f"),
                                                                  blob(wkb_point(LON, LAT), flags=0xff), b"\x01\x01\x00\x00\x00" + b"\0" * 16, None]]))
    write("gpkg", "empty_polygon.gpkg", layer([(blob(struct.pack("<BII", 1, 3, 0)), "p", 1), (blob(struct.pack("<BIII", 1, 3, 1, 0)), "q", 1)], "POLYGON"))
    write("gpkg", "self_intersecting.gpkg", layer([(blob(struct.pack("<BIII", 1, 3, 1, 5) + b"".join(struct.pack("<2d", *p) for p in
                                                                                                  [(119.81, 31.35), (119.82, 31.36), (119.82, 31.35), (119.81, 31.36), (119.81, 31.35)])), "b", 1)], "POLYGON"))
    write("gpkg", "unknown_srs.gpkg", layer([(blob(wkb_point(LON, LAT), srs=999999), "p", 1)], srs=999999))
    write("gpkg", "huge_text_types.gpkg", layer([(blob(wkb_point(LON, LAT)), b"\xff\xfe", "four"), (blob(wkb_point(LON, LAT)), 3.5, 2 ** 62)]))
    write("gpkg", "no_feature_tables.gpkg", gpkg(lambda db: None))


FORMATS = {"csv": csv_seeds, "geojson": geojson_seeds, "kml": kml_seeds, "kmz": kmz_seeds,
           "xlsx": xlsx_seeds, "zip": zip_seeds, "gpkg": gpkg_seeds}

if __name__ == "__main__":
    wanted = sys.argv[1:] or ["csv", "geojson"]
    for ext in wanted:
        if ext not in FORMATS:
            sys.exit(f"unknown format {ext}; expected one of {', '.join(FORMATS)}")
        FORMATS[ext]()
        folder = os.path.join(HERE, "corpus", f"import_{ext}")
        print(f"{folder}: {len(os.listdir(folder))} files, {sum(os.path.getsize(os.path.join(folder, n)) for n in os.listdir(folder))} bytes")
