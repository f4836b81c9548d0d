"""Fills a wardgis re-inspection workbook (`wardgis orders sheet`) as an evaluator would, with openpyxl.

usage: fill_reinspection.py IN.xlsx OUT.xlsx [bad]
Row k (from 0): even rows pass with full points, odd rows fail (score max - 1 when the item
has a maximum, else no score); the last row is left blank (not re-inspected). The date is the
row's deadline. With `bad`, the first row's score is max + 5 and the second row's date is
`1 May`. Prints JSON {order_id: {"passed": bool, "date": str, "row": int} | {"skipped": true}}.
"""
import datetime
import json
import sys

import openpyxl

src, dst = sys.argv[1], sys.argv[2]
bad = len(sys.argv) > 3 and sys.argv[3] == "bad"
wb = openpyxl.load_workbook(src)
ws = wb["复查 Re-inspection"]
header = [c.value for c in ws[1]]
col = lambda name: header.index(name) + 1
out = {}
last = ws.max_row
for k, r in enumerate(range(2, last + 1)):
    order = int(ws.cell(r, col("整改单号 Order")).value)
    if r == last and last > 2:
        out[order] = {"skipped": True}
        continue
    mx = ws.cell(r, col("满分 Max")).value
    deadline = ws.cell(r, col("整改期限 Deadline")).value
    passed = k % 2 == 0
    ws.cell(r, col("复查结果 Result (通过/不通过)")).value = "通过" if passed else "不通过"
    if mx is not None:
        ws.cell(r, col("得分 Score")).value = mx if passed else mx - 1
    d = datetime.date.fromisoformat(deadline)
    ws.cell(r, col("复查日期 Date (YYYY-MM-DD)")).value = d if k % 3 else deadline
    ws.cell(r, col("备注 Note")).value = f"复查 {order}"
    if bad and k == 0 and mx is not None:
        ws.cell(r, col("得分 Score")).value = mx + 5
    if bad and k == 1:
        ws.cell(r, col("复查日期 Date (YYYY-MM-DD)")).value = "1 May"
    out[order] = {"passed": passed, "date": deadline, "row": r}
wb.save(dst)
json.dump(out, sys.stdout, ensure_ascii=False)
