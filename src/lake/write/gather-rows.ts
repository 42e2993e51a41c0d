/**
 * Copies selected rows of an Arrow table into a new single-batch table (Arrow JS has no
 * `take` kernel). Values move buffer to buffer — fixed-width values as int32 words,
 * strings and binaries as byte ranges — so no per-row JS values are created.
 */
import * as arrow from 'apache-arrow';

export interface RowSelection {
  readonly batchOf: Int32Array;
  readonly rowOf: Int32Array;
  readonly start: number;
  readonly end: number;
}

function isValid(data: arrow.Data, row: number): boolean {
  const bitmap = data.nullBitmap;
  if (data.nullCount === 0 || !bitmap || bitmap.length === 0) return true;
  const bit = data.offset + row;
  return (bitmap[bit >> 3] & (1 << (bit & 7))) !== 0;
}

function gatherValidity(chunks: readonly arrow.Data[], sel: RowSelection): { nullBitmap?: Uint8Array; nullCount: number } {
  if (chunks.every((c) => c.nullCount === 0)) return { nullCount: 0 };
  const length = sel.end - sel.start;
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  let nullCount = 0;
  for (let j = 0; j < length; j++) {
    const p = sel.start + j;
    if (isValid(chunks[sel.batchOf[p]], sel.rowOf[p])) nullBitmap[j >> 3] |= 1 << (j & 7);
    else nullCount++;
  }
  return { nullBitmap, nullCount };
}

function words(values: ArrayBufferView): Int32Array {
  return new Int32Array(values.buffer, values.byteOffset, values.byteLength >> 2);
}

function gatherFixedWidth(chunks: readonly arrow.Data[], sel: RowSelection): ArrayBuffer {
  const bytesPerValue = (chunks[0].values as ArrayBufferView & { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT * chunks[0].stride;
  const width = bytesPerValue >> 2;
  const sources = chunks.map((c) => words(c.values as ArrayBufferView));
  const out = new Int32Array((sel.end - sel.start) * width);
  for (let j = 0, p = sel.start; p < sel.end; j++, p++) {
    const source = sources[sel.batchOf[p]];
    const from = sel.rowOf[p] * width;
    for (let w = 0; w < width; w++) out[j * width + w] = source[from + w];
  }
  return out.buffer;
}

function gatherVariableWidth(chunks: readonly arrow.Data[], sel: RowSelection): { valueOffsets: Int32Array; data: Uint8Array } {
  const valueOffsets = new Int32Array(sel.end - sel.start + 1);
  for (let j = 0, p = sel.start; p < sel.end; j++, p++) {
    const offsets = chunks[sel.batchOf[p]].valueOffsets as Int32Array;
    const row = sel.rowOf[p];
    valueOffsets[j + 1] = valueOffsets[j] + offsets[row + 1] - offsets[row];
  }
  const data = new Uint8Array(valueOffsets[valueOffsets.length - 1]);
  for (let j = 0, p = sel.start; p < sel.end; j++, p++) {
    const { values, valueOffsets: offsets } = chunks[sel.batchOf[p]] as arrow.Data<arrow.Utf8>;
    const row = sel.rowOf[p];
    let to = valueOffsets[j];
    for (let b = offsets[row], end = offsets[row + 1]; b < end; b++) data[to++] = values[b];
  }
  return { valueOffsets, data };
}

function gatherBooleans(chunks: readonly arrow.Data[], sel: RowSelection): Uint8Array {
  const out = new Uint8Array((sel.end - sel.start + 7) >> 3);
  for (let j = 0, p = sel.start; p < sel.end; j++, p++) {
    const chunk = chunks[sel.batchOf[p]];
    const bit = chunk.offset + sel.rowOf[p];
    if ((chunk.values as Uint8Array)[bit >> 3] & (1 << (bit & 7))) out[j >> 3] |= 1 << (j & 7);
  }
  return out;
}

function gatherColumn(type: arrow.DataType, chunks: readonly arrow.Data[], sel: RowSelection): arrow.Data {
  const length = sel.end - sel.start;
  const validity = gatherValidity(chunks, sel);
  if (arrow.DataType.isUtf8(type) || arrow.DataType.isBinary(type)) {
    const { valueOffsets, data } = gatherVariableWidth(chunks, sel);
    return arrow.makeData({ type, length, ...validity, valueOffsets, data } as never);
  }
  if (arrow.DataType.isBool(type)) {
    return arrow.makeData({ type, length, ...validity, data: gatherBooleans(chunks, sel) });
  }
  if (
    arrow.DataType.isInt(type) || arrow.DataType.isFloat(type) || arrow.DataType.isTimestamp(type) || arrow.DataType.isDate(type)
  ) {
    const buffer = gatherFixedWidth(chunks, sel);
    return arrow.makeData({ type, length, ...validity, data: new (type.ArrayType as Int32ArrayConstructor)(buffer) } as never);
  }
  throw new Error(`cannot gather rows of Arrow type ${type}`);
}

export function gatherRows(rows: arrow.Table, selection: RowSelection): arrow.Table {
  const children = rows.schema.fields.map((field, c) =>
    gatherColumn(field.type, rows.batches.map((b) => b.data.children[c]), selection),
  );
  const struct = arrow.makeData({ type: new arrow.Struct(rows.schema.fields), length: selection.end - selection.start, children });
  return new arrow.Table([new arrow.RecordBatch(rows.schema, struct)]);
}
