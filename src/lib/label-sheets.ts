/**
 * The A4 sheets of self-adhesive labels that shelf labels are printed on: any brand's sheet with the same label
 * size and grid fits (the grid is centred on the 210 × 297 mm page). Millimetres. Shared by the server (the PDF)
 * and the catalogue's dialog (the choice).
 */
export type LabelSheet = {
  id: LabelSheetId;
  /** What the dialog says: labels per sheet, label size, a common product code of that sheet. */
  title: string;
  columns: number;
  rows: number;
  /** One label. */
  width: number;
  height: number;
  /** Page edge to the first label's edge. */
  left: number;
  top: number;
  /** From one label's left (top) edge to the next one's: the label plus the gap. */
  pitchX: number;
  pitchY: number;
};

export const labelSheetIds = ['a4-65', 'a4-21', 'a4-14'] as const;
export type LabelSheetId = (typeof labelSheetIds)[number];

export const A4 = { width: 210, height: 297 } as const;

export const labelSheets: Record<LabelSheetId, LabelSheet> = {
  'a4-65': { id: 'a4-65', title: '65 por folha (5 × 13) · 38,1 × 21,2 mm · Avery L7651', columns: 5, rows: 13, width: 38.1, height: 21.2, left: 4.75, top: 10.7, pitchX: 40.6, pitchY: 21.2 },
  'a4-21': { id: 'a4-21', title: '21 por folha (3 × 7) · 63,5 × 38,1 mm · Avery L7160', columns: 3, rows: 7, width: 63.5, height: 38.1, left: 7.21, top: 15.15, pitchX: 66.04, pitchY: 38.1 },
  'a4-14': { id: 'a4-14', title: '14 por folha (2 × 7) · 99,1 × 38,1 mm · Avery L7163', columns: 2, rows: 7, width: 99.1, height: 38.1, left: 4.65, top: 15.15, pitchX: 101.6, pitchY: 38.1 },
};

export const labelsPerSheet = (sheet: LabelSheet) => sheet.columns * sheet.rows;

/** Labels one PDF may hold: a few hundred products is a big relabelling; more is a mistake or an attack. */
export const MAX_LABELS_PER_PDF = 1000;

/** Sheets a PDF of `labels` labels takes when the first `skip` positions of the first sheet are already used. */
export const sheetsFor = (sheet: LabelSheet, labels: number, skip = 0) => Math.ceil((skip + labels) / labelsPerSheet(sheet));
