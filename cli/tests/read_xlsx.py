"""Dumps an XLSX as JSON with openpyxl (an implementation independent of wardgis's):
{sheet: {"freeze": "A2", "rows": [[cell values]], "grey": [[row, col], ...],
"validations": [[sqref, type, formula1, formula2], ...]}}. Used by cli/tests/sheets.rs."""
import json
import sys

import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
out = {"sheetnames": wb.sheetnames, "sheets": {}}
for ws in wb.worksheets:
    rows, grey = [], []
    for r, row in enumerate(ws.iter_rows(), start=1):
        vals = []
        for c, cell in enumerate(row, start=1):
            v = cell.value
            if hasattr(v, "isoformat"):
                v = v.isoformat()
            vals.append(v)
            fill = cell.fill
            if fill is not None and fill.fill_type == "solid" and str(fill.fgColor.rgb).upper().endswith("BFBFBF"):
                grey.append([r, c])
        rows.append(vals)
    dv = [[str(d.sqref), d.type, d.formula1, d.formula2] for d in ws.data_validations.dataValidation]
    out["sheets"][ws.title] = {"freeze": ws.freeze_panes, "rows": rows, "grey": grey, "validations": dv}
json.dump(out, sys.stdout, ensure_ascii=False)
