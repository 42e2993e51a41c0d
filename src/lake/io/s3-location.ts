/**
 * Object-store locations as table metadata records them: `s3://bucket/key`, and the
 * `s3a://` / `s3n://` spellings that Spark and Hadoop writers leave behind, which name
 * the same objects.
 */

export interface S3Location {
  /** The scheme as written (`s3`, `s3a`, `s3n`), kept so listed locations read like their prefix. */
  readonly scheme: string;
  readonly bucket: string;
  /** The object key: everything after the bucket's `/`, possibly empty (the bucket's root). */
  readonly key: string;
}

export const S3_SCHEMES = ['s3', 's3a', 's3n'] as const;

export function isS3Location(location: string): boolean {
  return /^s3[an]?:\/\//i.test(location);
}

export function parseS3Location(location: string): S3Location {
  const m = /^(s3[an]?):\/\/([^/]+)\/?(.*)$/is.exec(location);
  if (!m) throw new Error(`not an S3 location: ${location} (expected s3://bucket/key)`);
  return { scheme: m[1]!.toLowerCase(), bucket: m[2]!, key: m[3]! };
}

export function formatS3Location(location: S3Location): string {
  return `${location.scheme}://${location.bucket}/${location.key}`;
}
