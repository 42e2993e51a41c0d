/**
 * A streaming write to S3: bytes fill a part buffer; each full part goes up while the
 * next fills (a few in flight, so a slow part holds the writer back instead of memory
 * growing), and close completes the multipart upload, which is when the object appears.
 * A file that never fills one part is sent as a single PUT instead, saving three calls.
 */
import type { FileWriter } from './file-io.js';
import type { S3Client } from './s3-client.js';
import { S3Error, s3ErrorOf } from './s3-errors.js';
import type { S3Location } from './s3-location.js';
import { escapeXml, xmlValue } from './s3-xml.js';

interface UploadedPart {
  readonly partNumber: number;
  readonly etag: string;
}

export class S3MultipartWriter implements FileWriter {
  /** Uninitialised: its pages only take memory as bytes land, so a small file costs little. */
  private part: Buffer;
  private filled = 0;
  private bytesWritten = 0;
  private uploadId: string | undefined;
  private partsStarted = 0;
  private readonly uploaded: UploadedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  /** The first part upload that failed; uploads never reject, so none goes unhandled. */
  private failure: unknown;

  constructor(
    private readonly client: S3Client,
    private readonly target: S3Location,
    private readonly partSizeBytes: number,
    private readonly uploadConcurrency: number,
  ) {
    this.part = Buffer.allocUnsafe(partSizeBytes);
  }

  /** Copies `chunk`: the caller may reuse its buffer once this resolves. */
  async write(chunk: Uint8Array): Promise<void> {
    this.throwIfFailed();
    for (let offset = 0; offset < chunk.length; ) {
      const n = Math.min(chunk.length - offset, this.part.length - this.filled);
      this.part.set(chunk.subarray(offset, offset + n), this.filled);
      this.filled += n;
      this.bytesWritten += n;
      offset += n;
      if (this.filled === this.part.length) await this.startPartUpload();
    }
  }

  async close(): Promise<void> {
    if (this.uploadId === undefined) {
      await this.client.send({ method: 'PUT', ...this.objectOf(), body: this.part.subarray(0, this.filled) });
      return;
    }
    try {
      if (this.filled > 0) await this.startPartUpload();
      await Promise.all(this.inFlight);
      this.throwIfFailed();
      await this.complete(this.uploadId);
    } catch (error) {
      await this.abort().catch(() => {});
      throw error;
    }
  }

  async abort(): Promise<void> {
    await Promise.all(this.inFlight);
    if (this.uploadId === undefined) return;
    const uploadId = this.uploadId;
    this.uploadId = undefined;
    // 404 NoSuchUpload: already completed or aborted.
    await this.client.send({ method: 'DELETE', ...this.objectOf(), query: [['uploadId', uploadId]], expected: [404] });
  }

  private async startPartUpload(): Promise<void> {
    const bytes = this.part.subarray(0, this.filled);
    this.part = Buffer.allocUnsafe(this.partSizeBytes);
    this.filled = 0;
    const uploadId = (this.uploadId ??= await this.createUpload());
    const partNumber = ++this.partsStarted;
    const upload = this.client
      .send({ method: 'PUT', ...this.objectOf(), query: [['partNumber', String(partNumber)], ['uploadId', uploadId]], body: bytes })
      .then(
        (reply) => void this.uploaded.push({ partNumber, etag: reply.headers.etag ?? '' }),
        (error) => void (this.failure ??= error),
      )
      .finally(() => this.inFlight.delete(upload));
    this.inFlight.add(upload);
    if (this.inFlight.size >= this.uploadConcurrency) await Promise.race(this.inFlight);
    this.throwIfFailed();
  }

  private async createUpload(): Promise<string> {
    const reply = await this.client.send({ method: 'POST', ...this.objectOf(), query: [['uploads', '']] });
    const uploadId = xmlValue(reply.body.toString('utf8'), 'UploadId');
    if (!uploadId) throw new Error(`S3 POST s3://${this.target.bucket}/${this.target.key}?uploads: reply has no UploadId`);
    return uploadId;
  }

  private async complete(uploadId: string): Promise<void> {
    const parts = [...this.uploaded].sort((a, b) => a.partNumber - b.partNumber);
    const xml =
      '<CompleteMultipartUpload>' +
      parts.map((p) => `<Part><PartNumber>${p.partNumber}</PartNumber><ETag>${escapeXml(p.etag)}</ETag></Part>`).join('') +
      '</CompleteMultipartUpload>';
    try {
      const reply = await this.client.send({ method: 'POST', ...this.objectOf(), query: [['uploadId', uploadId]], body: new TextEncoder().encode(xml) });
      // S3 may answer 200 and still fail the completion in the body.
      const text = reply.body.toString('utf8');
      if (text.includes('<Error>')) throw s3ErrorOf('POST', `s3://${this.target.bucket}/${this.target.key}`, reply.status, 'Error', text);
    } catch (error) {
      if (!(await this.completedUnanswered(error))) throw error;
    }
    this.uploadId = undefined;
  }

  /**
   * A completion retried after its answer was lost finds the upload gone (NoSuchUpload)
   * though the object is whole; an object of exactly the bytes written says it was ours.
   */
  private async completedUnanswered(error: unknown): Promise<boolean> {
    if (!(error instanceof S3Error) || error.code !== 'NoSuchUpload') return false;
    const head = await this.client.send({ method: 'HEAD', ...this.objectOf(), expected: [404] });
    return head.status === 200 && Number(head.headers['content-length']) === this.bytesWritten;
  }

  private objectOf(): { bucket: string; key: string } {
    return { bucket: this.target.bucket, key: this.target.key };
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }
}
