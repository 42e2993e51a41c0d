/**
 * A private Kafka broker (private-services.ts) with a listener of each secured kind beside
 * its plain one, all on 127.0.0.1, for tests of lakegraph's Kafka TLS and SASL flags:
 *   SASL_SSL        SCRAM-SHA-512 and PLAIN over TLS
 *   SSL             TLS with a client certificate required
 *   SASL_PLAINTEXT  PLAIN without TLS
 * Certificates are made with openssl when it starts: a CA, the broker's certificate for
 * 127.0.0.1 and localhost signed by it, a client certificate signed by it, and another CA
 * that signed neither. The SCRAM user is made by the broker's own storage tool when its
 * log is formatted (`--add-scram`); PLAIN users live in the listener's JAAS configuration.
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePorts, PrivateServices } from './private-services.js';

export const KAFKA_USER = 'lakegraph';
export const KAFKA_PASSWORD = 'kafka-secret-9f3a';

export interface SecuredBroker {
  readonly services: PrivateServices;
  /** host:port of each listener. */
  readonly plaintext: string;
  readonly saslSsl: string;
  readonly ssl: string;
  readonly saslPlaintext: string;
  /** PEM files: the CA that signed the broker's and the client's certificates, one that signed neither, the client's pair; and a file holding the password. */
  readonly files: { readonly ca: string; readonly otherCa: string; readonly clientCert: string; readonly clientKey: string; readonly password: string };
}

const openssl = (...args: string[]) => promisify(execFile)('openssl', args);

/** A P-256 key and a certificate for `subject`, self-signed or signed by `issuer`. */
async function certificate(dir: string, name: string, subject: string, issuer?: string, altNames?: string): Promise<void> {
  const [key, cert] = [join(dir, `${name}.key`), join(dir, `${name}.crt`)];
  const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-subj', subject];
  if (issuer === undefined) return void (await openssl('req', '-x509', ...newKey, '-out', cert, '-days', '2'));
  const csr = join(dir, `${name}.csr`);
  await openssl('req', ...newKey, '-out', csr);
  const extensions = join(dir, `${name}.ext`);
  await writeFile(extensions, altNames === undefined ? 'basicConstraints=CA:FALSE\n' : `subjectAltName=${altNames}\n`);
  await openssl('x509', '-req', '-in', csr, '-CA', join(dir, `${issuer}.crt`), '-CAkey', join(dir, `${issuer}.key`), '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', extensions);
}

/** Makes the certificates in `dir` and starts the broker; resolves once it answers. */
export async function startSecuredBroker(dir: string): Promise<SecuredBroker> {
  await Promise.all([certificate(dir, 'ca', '/CN=lakegraph test CA'), certificate(dir, 'other-ca', '/CN=a CA nobody asked')]);
  await Promise.all([certificate(dir, 'broker', '/CN=127.0.0.1', 'ca', 'IP:127.0.0.1,DNS:localhost'), certificate(dir, 'client', '/CN=lakegraph', 'ca')]);
  // Kafka's PEM key store: the unencrypted PKCS#8 key, then the certificate.
  const keyStore = join(dir, 'broker-keystore.pem');
  await writeFile(keyStore, Buffer.concat([await readFile(join(dir, 'broker.key')), await readFile(join(dir, 'broker.crt'))]));
  const [saslSsl, ssl, saslPlaintext] = await freePorts(3);
  const plain = `org.apache.kafka.common.security.plain.PlainLoginModule required user_${KAFKA_USER}="${KAFKA_PASSWORD}";`;
  const config = join(dir, 'secured-listeners.properties');
  await writeFile(config, [
    `listeners=PLAINTEXT://127.0.0.1:@KAFKA_PORT@,CONTROLLER://127.0.0.1:@KAFKA_CONTROLLER_PORT@,SASL_SSL://127.0.0.1:${saslSsl},SSL://127.0.0.1:${ssl},SASL_PLAINTEXT://127.0.0.1:${saslPlaintext}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:@KAFKA_PORT@,SASL_SSL://127.0.0.1:${saslSsl},SSL://127.0.0.1:${ssl},SASL_PLAINTEXT://127.0.0.1:${saslPlaintext}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
    'listener.name.sasl_ssl.sasl.enabled.mechanisms=SCRAM-SHA-512,PLAIN',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    `listener.name.sasl_ssl.plain.sasl.jaas.config=${plain}`,
    'listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN',
    `listener.name.sasl_plaintext.plain.sasl.jaas.config=${plain}`,
    'listener.name.ssl.ssl.client.auth=required',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${keyStore}`,
    'ssl.truststore.type=PEM',
    `ssl.truststore.location=${join(dir, 'ca.crt')}`,
    '',
  ].join('\n'));
  const password = join(dir, 'kafka-password');
  await writeFile(password, `${KAFKA_PASSWORD}\n`);
  const services = await PrivateServices.create({ config, scramCredentials: [`SCRAM-SHA-512=[name=${KAFKA_USER},password=${KAFKA_PASSWORD}]`] });
  await services.up('kafka');
  const at = (port: number) => `127.0.0.1:${port}`;
  return {
    services,
    plaintext: services.brokers,
    saslSsl: at(saslSsl),
    ssl: at(ssl),
    saslPlaintext: at(saslPlaintext),
    files: { ca: join(dir, 'ca.crt'), otherCa: join(dir, 'other-ca.crt'), clientCert: join(dir, 'client.crt'), clientKey: join(dir, 'client.key'), password },
  };
}
