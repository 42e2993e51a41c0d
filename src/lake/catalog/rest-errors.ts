/** How failures of the REST catalog server surface to lakegraph. */
import { IcebergError } from 'iceberg-js';
import { networkFailureReason, systemErrorCode } from '../../common/error-message.js';

/** The catalog server did not answer at all (nothing listening, DNS, connection reset). */
export class CatalogUnreachableError extends Error {
  override readonly name = 'CatalogUnreachableError';
  constructor(
    readonly uri: string,
    cause: unknown,
  ) {
    super(
      `Iceberg REST catalog at ${uri} is unreachable (${networkFailureReason(fetchFailureOf(cause))}). ` +
        'Start the local one with infra/local/up, or point --catalog-uri / LAKEGRAPH_CATALOG_URI at a running catalog.',
      { cause },
    );
  }
}

/**
 * The server failed while handling a commit (5xx, or the connection dropped after the
 * request was sent) and the snapshot is not in the table now. The commit may still land
 * later, so the caller must not blindly retry the same data: it should stop and let
 * recovery read the offsets in whatever snapshot ends up current.
 */
export class CommitStateUnknownError extends Error {
  override readonly name = 'CommitStateUnknownError';
}

/** iceberg-js reports a request that never got an HTTP response with status 0. */
export function isNetworkFailure(error: unknown): error is IcebergError {
  return error instanceof IcebergError && error.status === 0;
}

/** A connection refused before anything was sent: the request certainly had no effect. */
export function isConnectionRefused(error: unknown): boolean {
  return systemErrorCode(fetchFailureOf(error)) === 'ECONNREFUSED';
}

export function hasStatus(error: unknown, status: number): error is IcebergError {
  return error instanceof IcebergError && error.status === status;
}

/** 5xx: the server may or may not have applied the request. */
export function isServerFailure(error: unknown): error is IcebergError {
  return error instanceof IcebergError && error.status >= 500;
}

export function serverMessage(error: IcebergError): string {
  return error.icebergType ? `${error.icebergType}: ${error.message}` : error.message;
}

/** fetch wraps the socket error: IcebergError.details is fetch's TypeError, and its cause the system error. */
function fetchFailureOf(error: unknown): unknown {
  return error instanceof IcebergError && error.details !== undefined ? error.details : error;
}
