/** The archive's JSON-lines record format (src/stream/archive/archive-format.ts): what reads back exactly, and what is refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ArchiveFormatError, recordOfJsonLine } from '../../src/stream/archive/archive-format.js';
import { jsonLineOf } from '../../src/stream/archive/write-archive.js';
import type { SourceRecord } from '../../src/stream/source-record.js';

const bytes = (text: string) => new TextEncoder().encode(text);
/** Bytes as plain arrays: base64 decodes to a Buffer, which deepEqual tells from a Uint8Array. */
const plain = (r: SourceRecord) => ({ ...r, key: r.key && [...r.key], value: r.value && [...r.value] });

test('UTF-8 records are written as text, other bytes as base64, and both read back exactly', () => {
  const text: SourceRecord = { topic: 'app.playback', partition: 3, offset: 41, key: bytes('a-1'), value: bytes('{"event_id":"é"}'), timestamp: 1767225600000 };
  const binary: SourceRecord = { topic: 'app.playback', partition: 0, offset: 7, key: null, value: new Uint8Array([0xff, 0xfe, 0x00]), timestamp: 0 };
  const tombstone: SourceRecord = { ...text, value: null };
  assert.doesNotMatch(jsonLineOf(text), /base64/);
  assert.match(jsonLineOf(binary), /"encoding":"base64"/);
  for (const record of [text, binary, tombstone]) assert.deepEqual(plain(recordOfJsonLine(jsonLineOf(record), 'x', 1)), plain(record));
});

test("kcat -J lines read as records; offsets may be decimal strings", () => {
  const record = recordOfJsonLine('{"topic":"t","partition":1,"offset":"9007199254740","tstype":"create","ts":1700000000000,"broker":1,"key":null,"payload":"{}"}', 'x', 1);
  assert.deepEqual(plain(record), { topic: 't', partition: 1, offset: 9007199254740, key: null, value: [...bytes('{}')], timestamp: 1700000000000 });
});

test('a line without its place in the log, or with undecodable bytes, is an ArchiveFormatError naming file and line', () => {
  for (const [line, says] of [
    ['not json', /f\.jsonl:3: not JSON/],
    ['[1]', /not a JSON object/],
    ['{"topic":"t","partition":0,"value":"{}"}', /needs "topic" \(string\), "partition" and "offset"/],
    ['{"topic":"t","partition":-1,"offset":0,"value":"{}"}', /needs "topic"/],
    ['{"topic":"t","partition":0,"offset":0,"value":{"event_id":"e"}}', /"key" and "value" must be null or strings/],
    ['{"topic":"t","partition":0,"offset":0,"value":"%%%","encoding":"base64"}', /base64/],
    ['{"topic":"t","partition":0,"offset":0,"value":"{}","encoding":"hex"}', /"encoding" must be/],
  ] as const) {
    assert.throws(() => recordOfJsonLine(line, 'f.jsonl', 3), (error: Error) => error instanceof ArchiveFormatError && says.test(error.message), line);
  }
});
