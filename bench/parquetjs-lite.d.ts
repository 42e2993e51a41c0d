/** The slice of parquetjs-lite (untyped, dev-only) that the baseline writer uses. */
declare module 'parquetjs-lite' {
  export type ParquetFieldType = 'UTF8' | 'BYTE_ARRAY' | 'INT32' | 'INT64' | 'TIMESTAMP_MICROS';
  export interface ParquetFieldOptions {
    type: ParquetFieldType;
    optional?: boolean;
    compression?: 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';
  }
  export class ParquetSchema {
    constructor(fields: Record<string, ParquetFieldOptions>);
  }
  export class ParquetWriter {
    static openFile(schema: ParquetSchema, path: string, options?: { rowGroupSize?: number }): Promise<ParquetWriter>;
    appendRow(row: Record<string, unknown>): Promise<void>;
    close(): Promise<void>;
  }
}
