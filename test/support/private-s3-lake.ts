/**
 * A lake in object storage behind an Iceberg REST catalog, both the test file's own
 * (private-services.ts), filled with generated events by the embedded pipeline into the
 * graph tables. Stopped when the test file ends; its state and logs are kept when a test
 * failed (`passed()` not called).
 */
import { after } from 'node:test';
import { TOPICS } from '../../src/events/topics.js';
import { RestCatalog } from '../../src/lake/catalog/rest-catalog.js';
import { RoutingFileIO } from '../../src/lake/io/routing-file-io.js';
import { NAMESPACE } from '../../src/lake/tables.js';
import { runEmbeddedPipeline } from '../../src/stream/embedded-pipeline.js';
import { RecordGenerator, type GeneratorOptions } from '../../src/stream/generator/record-generator.js';
import { PrivateServices } from './private-services.js';

let started: PrivateS3Lake | undefined;
let allPassed = false;
// Registered at import, at the test file's top level, so it runs when the file ends.
after(async () => {
  if (!started) return;
  await started.services.down('rest-catalog', 'object-store');
  if (allPassed) await started.services.remove();
  else console.log(`kept the private services' state and logs in ${started.services.stateDir}`);
});

export class PrivateS3Lake {
  private constructor(
    readonly services: PrivateServices,
    /** Reads and writes the lake from this process. */
    readonly catalog: RestCatalog,
    readonly io: RoutingFileIO,
  ) {}

  /** Starts a store and a catalog (one per test file) and commits `generator`'s events every `commitIntervalMs`. */
  static async create(generator: GeneratorOptions & { readonly partitions: number }, commitIntervalMs = 100): Promise<PrivateS3Lake> {
    if (started) throw new Error('one private S3 lake per test file');
    const services = await PrivateServices.create();
    const io = new RoutingFileIO();
    started = new PrivateS3Lake(services, new RestCatalog({ uri: services.catalogUri, io }), io);
    await services.up('object-store', 'rest-catalog');
    io.configure({ 's3.endpoint': services.objectStoreEndpoint });
    await runEmbeddedPipeline({
      catalog: started.catalog,
      namespace: NAMESPACE,
      generator: new RecordGenerator(generator),
      topics: TOPICS,
      partitions: generator.partitions,
      commitIntervalMs,
    });
    return started;
  }

  /** What points a lakegraph process at this lake, and any AWS client at its store (keys: infra/local/env's). */
  get env(): Record<string, string> {
    return { AWS_ENDPOINT_URL_S3: this.services.objectStoreEndpoint, LAKEGRAPH_CATALOG_URI: this.services.catalogUri, LAKEGRAPH_WAREHOUSE: '' };
  }

  /** The test file's checks all passed: its services' state may go. */
  passed(): void {
    allPassed = true;
  }
}
