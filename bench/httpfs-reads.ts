/**
 * Loaded with `node --import` into an unchanged lakegraph command, for
 * bench/object-storage-reads.ts: DuckDB reads the lake's `s3://` data files itself through
 * its httpfs extension, instead of lakegraph copying them to the local file cache first.
 * Every DuckDB instance loads httpfs from `LAKEGRAPH_BENCH_DUCKDB_EXTENSIONS` (never from
 * the network) with an S3 secret for the store the AWS variables name, and LocalReplicas
 * hands DuckDB the locations as they are. An experiment: the product has no such switch.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { LocalReplicas } from '../src/lake/io/local-replicas.js';
import { sqlString } from '../src/query/snapshot-views.js';

const extensions = process.env['LAKEGRAPH_BENCH_DUCKDB_EXTENSIONS'];
const endpoint = process.env['AWS_ENDPOINT_URL_S3'];
if (!extensions || !endpoint) throw new Error('httpfs-reads: set LAKEGRAPH_BENCH_DUCKDB_EXTENSIONS and AWS_ENDPOINT_URL_S3');
const store = new URL(endpoint);

const setup = [
  'SET autoinstall_known_extensions = false',
  `SET extension_directory = ${sqlString(extensions)}`,
  'LOAD httpfs',
  `CREATE SECRET lakegraph_s3 (TYPE s3, KEY_ID ${sqlString(process.env['AWS_ACCESS_KEY_ID'] ?? '')}, SECRET ${sqlString(process.env['AWS_SECRET_ACCESS_KEY'] ?? '')}, ` +
    `REGION ${sqlString(process.env['AWS_REGION'] ?? 'us-east-1')}, ENDPOINT ${sqlString(store.host)}, URL_STYLE 'path', USE_SSL ${store.protocol === 'https:'})`,
];

const create = DuckDBInstance.create.bind(DuckDBInstance);
DuckDBInstance.create = async (path, options) => {
  const instance = await create(path, options);
  const connection = await instance.connect();
  for (const statement of setup) await connection.run(statement);
  connection.closeSync();
  return instance;
};

LocalReplicas.prototype.pathsOf = async (locations) => [...locations];
