/**
 * Where S3Config's settings come from: catalog properties over the environment over the
 * AWS profile files, each setting on its own; and the errors when no keys are found.
 */
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SettingError } from '../../src/common/setting-error.js';
import { resolveS3Config, S3_DEFAULTS } from '../../src/lake/io/s3-config.js';

describe('S3 configuration', () => {
  let homeDir: string;
  before(async () => {
    homeDir = await mkdtemp(join(tmpdir(), 'lakegraph-s3-config-'));
    await mkdir(join(homeDir, '.aws'));
    await writeFile(
      join(homeDir, '.aws', 'credentials'),
      '[default]\naws_access_key_id = profile-key\naws_secret_access_key = profile-secret\n\n[other]\naws_access_key_id=other-key\naws_secret_access_key=other-secret\naws_session_token=other-token\n',
    );
    await writeFile(
      join(homeDir, '.aws', 'config'),
      '[default]\nregion = eu-west-1\n# a comment\n[profile other]\nregion=ap-south-1\nendpoint_url = http://store.internal:9000\ns3 =\n  addressing_style = path\n[profile sso]\nsso_session = corp\n',
    );
  });
  after(() => rm(homeDir, { recursive: true, force: true }));

  it('takes keys and region from the default profile when nothing else is set', () => {
    const config = resolveS3Config({}, { env: {}, homeDir });
    assert.deepEqual(config.credentials, { accessKeyId: 'profile-key', secretAccessKey: 'profile-secret', sessionToken: undefined });
    assert.equal(config.region, 'eu-west-1');
    assert.equal(config.endpoint, undefined);
    assert.equal(config.pathStyle, false);
    assert.equal(config.retryDeadlineMs, S3_DEFAULTS.retryDeadlineMs);
  });

  it('follows AWS_PROFILE, endpoint included, and turns path-style on with an endpoint', () => {
    const config = resolveS3Config({}, { env: { AWS_PROFILE: 'other' }, homeDir });
    assert.deepEqual(config.credentials, { accessKeyId: 'other-key', secretAccessKey: 'other-secret', sessionToken: 'other-token' });
    assert.equal(config.region, 'ap-south-1');
    assert.equal(config.endpoint, 'http://store.internal:9000');
    assert.equal(config.pathStyle, true);
  });

  it('prefers the environment to the profile, and catalog properties to both', () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'env-key',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_REGION: 'us-west-2',
      AWS_ENDPOINT_URL: 'http://generic:1',
      AWS_ENDPOINT_URL_S3: 'http://s3-only:2/',
      LAKEGRAPH_S3_RETRY_DEADLINE: '10s',
    };
    const fromEnv = resolveS3Config({}, { env, homeDir });
    assert.deepEqual(fromEnv.credentials, { accessKeyId: 'env-key', secretAccessKey: 'env-secret', sessionToken: undefined });
    assert.equal(fromEnv.region, 'us-west-2');
    assert.equal(fromEnv.endpoint, 'http://s3-only:2');
    assert.equal(fromEnv.retryDeadlineMs, 10_000);

    const fromCatalog = resolveS3Config(
      { 's3.endpoint': 'http://catalog:3', 's3.access-key-id': 'cat-key', 's3.secret-access-key': 'cat-secret', 's3.session-token': 'cat-token', 'client.region': 'eu-north-1', 's3.path-style-access': 'false' },
      { env, homeDir },
    );
    assert.deepEqual(fromCatalog.credentials, { accessKeyId: 'cat-key', secretAccessKey: 'cat-secret', sessionToken: 'cat-token' });
    assert.equal(fromCatalog.endpoint, 'http://catalog:3');
    assert.equal(fromCatalog.region, 'eu-north-1');
    assert.equal(fromCatalog.pathStyle, false);
    assert.equal(resolveS3Config({ 's3.region': 'sa-east-1', 'client.region': 'x' }, { env, homeDir }).region, 'sa-east-1');
  });

  it('says why there are no credentials', () => {
    assert.throws(() => resolveS3Config({}, { env: {}, homeDir: join(homeDir, 'nowhere') }), /no S3 credentials: AWS profile default has no aws_access_key_id.*set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    assert.throws(() => resolveS3Config({}, { env: { AWS_PROFILE: 'sso' }, homeDir }), /AWS profile sso gets its credentials through sso_session, which lakegraph does not follow/);
    assert.throws(() => resolveS3Config({}, { env: { AWS_PROFILE: 'absent' }, homeDir }), /AWS profile absent \(AWS_PROFILE\) is in neither/);
    assert.throws(() => resolveS3Config({ 's3.access-key-id': 'k', 's3.secret-access-key': 's', 'lakegraph.s3.request-timeout': 'soon' }, { env: {}, homeDir }), (e: unknown) => e instanceof SettingError && /LAKEGRAPH_S3_REQUEST_TIMEOUT: "soon" is not a duration/.test(e.message));
  });
});
