"""Fills a wardgis field workbook the way an evaluator would, deterministically, with openpyxl.

usage: fill_xlsx.py IN.xlsx OUT.xlsx SKIP [BAD]
SKIP: comma-separated base site numbers not visited (reason given); as many replacement
sites are then visited, in site order. BAD: `score` (one score above its max) or `extra_repl` (one replacement site more than
needed).
Prints JSON: {site_no: {"visited": bool, "scores": {item: score}, "max": {item: max},
"pass_cell": str|None, "date": "YYYY-MM-DD"|None, "reason": str}} for every filled row."""
import datetime
import json
import re
import sys

import openpyxl

src, dst, skip = sys.argv[1], sys.argv[2], sys.argv[3]
bad = sys.argv[4] if len(sys.argv) > 4 else None
skip = {int(s) for s in skip.split(",") if s}
wb = openpyxl.load_workbook(src)
rows = []
for ws in wb.worksheets:
    if ws.title.startswith("说明"):
        continue
    header = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        rows.append((ws, header, r))
col = lambda header, name: header.index(name) + 1
needed = len(skip) + (1 if bad == "extra_repl" else 0)
replacements = sorted((ws.cell(r, 1).value, ws, header, r) for ws, header, r in rows if ws.cell(r, 2).value.startswith("备用"))
use_repl = {int(x[0]) for x in replacements[:needed]}
out = {}
bad_done = False
for ws, header, r in rows:
    site = int(ws.cell(r, 1).value)
    layer = ws.cell(r, 3).value
    repl = ws.cell(r, 2).value.startswith("备用")
    if repl and site not in use_repl:
        continue
    entry = {"visited": site not in skip, "scores": {}, "max": {}, "pass_cell": None, "date": None, "reason": ""}
    if site in skip:
        entry["reason"] = "施工围挡 closed for works"
        ws.cell(r, col(header, "未检查原因 Not visited reason")).value = entry["reason"]
        out[site] = entry
        continue
    k = 0
    for c, h in enumerate(header, start=1):
        m = re.match(r"^([A-Z]+-\d+) .*\((\d+)\)$", h or "")
        if not m:
            continue
        # Only this layer's items: the grey cells of other layers stay blank.
        if ws.cell(r, c).fill.fill_type == "solid":
            continue
        item, mx = m.group(1), int(m.group(2))
        score = mx if (site + k) % 9 else (site * 7 + k * 3) % (mx + 1)
        if bad == "score" and not bad_done:
            score, bad_done = mx + 69, True
            entry["bad"] = [ws.title, r, openpyxl.utils.get_column_letter(c), h]
        ws.cell(r, c).value = score
        entry["scores"][item] = score
        entry["max"][item] = mx
        k += 1
    if site % 3:
        full = all(entry["scores"][i] == entry["max"][i] for i in entry["scores"])
        entry["pass_cell"] = ["不通过", "通过"][full] if site % 2 else ["fail", "pass"][full]
        ws.cell(r, col(header, "通过 Pass/fail")).value = entry["pass_cell"]
    d = datetime.date(2026, 5, 1 + site % 20)
    entry["date"] = d.isoformat()
    dc = col(header, "检查日期 Date (YYYY-MM-DD)")
    ws.cell(r, dc).value = d if site % 2 else d.isoformat()
    ws.cell(r, col(header, "备注 Note")).value = f"note {site}"
    out[site] = entry
wb.save(dst)
json.dump(out, sys.stdout, ensure_ascii=False)
