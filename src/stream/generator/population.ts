/**
 * Who and what the generated events talk about: accounts with 1–5 profiles and 1–4 devices,
 * and a catalog of titles, games, ads (in campaigns) and live events. Ids are held as UTF-8
 * bytes, ready to copy into events; they are JSON-safe by construction (no quotes or
 * backslashes). A few titles are non-ASCII so UTF-8 handling is exercised end to end.
 */
import { partitionOfKey } from '../key-partitioner.js';
import type { Prng } from './prng.js';

export interface GeneratedDevice {
  readonly id: Uint8Array;
  /** The device object as a producer would write it (keys deliberately not in canonical order). */
  readonly jsonBefore: Uint8Array;
  /** After the app upgrade at `upgradeAt` (Infinity: never): props change over time, latest wins. */
  readonly jsonAfter: Uint8Array;
  readonly upgradeAt: number;
}

export interface Member {
  /** The account_id, which is also the Kafka message key. */
  readonly accountId: Uint8Array;
  readonly partition: number;
  readonly profileIds: readonly Uint8Array[];
  readonly devices: readonly GeneratedDevice[];
}

export interface Ad {
  readonly id: Uint8Array;
  readonly campaignId: Uint8Array;
}

export interface Catalog {
  readonly titles: readonly Uint8Array[];
  readonly games: readonly Uint8Array[];
  readonly ads: readonly Ad[];
  readonly liveEvents: readonly Uint8Array[];
}

const DEVICE_KINDS: ReadonlyArray<{ type: string; osAndModel: ReadonlyArray<readonly [os: string, model: string]> }> = [
  { type: 'tv', osAndModel: [['tizen', 'QN90B'], ['webos', 'OLED55C2'], ['androidtv', 'Shield'], ['tvos', 'AppleTV4K']] },
  { type: 'mobile', osAndModel: [['ios', 'iPhone15'], ['android', 'Pixel8'], ['android', 'GalaxyS23']] },
  { type: 'web', osAndModel: [['macos', 'chrome'], ['windows', 'firefox'], ['macos', 'safari']] },
  { type: 'console', osAndModel: [['playstation', 'PS5'], ['xbox', 'SeriesX']] },
];

const TITLE_NAMES = ['stranger-things', 'the-crown', 'amélie', '東京物語', 'la-casa-de-papel', 'dark', 'narcos', '🎬-shorts'];

const utf8 = new TextEncoder();
const ids = (count: number, name: (i: number) => string) => Array.from({ length: count }, (_, i) => utf8.encode(name(i)));

function device(rng: Prng, id: string, baseTs: number, spanMs: number): GeneratedDevice {
  const kind = rng.pick(DEVICE_KINDS);
  const [os, model] = rng.pick(kind.osAndModel);
  const major = 7 + rng.int(3);
  const minor = rng.int(20);
  const json = (version: string) =>
    utf8.encode(`{"os":"${os}","type":"${kind.type}","model":"${model}","app_version":"${version}"}`);
  return {
    id: utf8.encode(id),
    jsonBefore: json(`${major}.${minor}.0`),
    jsonAfter: json(`${major}.${minor + 1}.0`),
    upgradeAt: rng.chance(0.3) ? baseTs + rng.next() * spanMs : Infinity,
  };
}

export function members(rng: Prng, count: number, partitions: number, baseTs: number, spanMs: number): Member[] {
  return Array.from({ length: count }, (_, n) => {
    const accountId = utf8.encode(`a-${n}`);
    return {
      accountId,
      partition: partitionOfKey(accountId, partitions),
      profileIds: ids(1 + rng.int(5), (k) => `p-${n}-${k}`),
      devices: Array.from({ length: 1 + rng.int(4) }, (_, k) => device(rng, `d-${n}-${k}`, baseTs, spanMs)),
    };
  });
}

export function catalog(rng: Prng): Catalog {
  const campaigns = ids(40, (i) => `c-${i}`);
  return {
    titles: ids(3000, (i) => `t-${TITLE_NAMES[i % TITLE_NAMES.length]}-${i}`),
    games: ids(150, (i) => `g-${i}`),
    ads: ids(600, (i) => `ad-${i}`).map((id) => ({ id, campaignId: rng.pick(campaigns) })),
    liveEvents: ids(25, (i) => `l-${i}`),
  };
}
