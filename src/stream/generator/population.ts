/**
 * Who and what the generated events talk about: accounts with 1–5 profiles and 1–4 devices,
 * and a catalog of titles, games, ads (in campaigns) and live events. Ids are JSON-safe by
 * construction (no quotes or backslashes) so events can be written by string templating;
 * a few titles are non-ASCII so UTF-8 handling is exercised end to end.
 */
import { partitionOfKey } from '../key-partitioner.js';
import type { Prng } from './prng.js';

export interface GeneratedDevice {
  readonly id: string;
  /** The device object as a producer would write it (keys deliberately not in canonical order). */
  readonly jsonBefore: string;
  /** After the app upgrade at `upgradeAt` (Infinity: never): props change over time, latest wins. */
  readonly jsonAfter: string;
  readonly upgradeAt: number;
}

export interface Member {
  readonly accountId: string;
  readonly key: Uint8Array;
  readonly partition: number;
  readonly profileIds: readonly string[];
  readonly devices: readonly GeneratedDevice[];
}

export interface Ad {
  readonly id: string;
  readonly campaignId: string;
}

export interface Catalog {
  readonly titles: readonly string[];
  readonly games: readonly string[];
  readonly ads: readonly Ad[];
  readonly liveEvents: readonly string[];
}

const DEVICE_KINDS = [
  { type: 'tv', os: ['tizen', 'webos', 'androidtv', 'tvos'], model: ['QN90B', 'OLED55C2', 'Shield', 'AppleTV4K'] },
  { type: 'mobile', os: ['ios', 'android'], model: ['iPhone15', 'Pixel8', 'GalaxyS23'] },
  { type: 'web', os: ['macos', 'windows', 'linux'], model: ['chrome', 'firefox', 'safari'] },
  { type: 'console', os: ['ps5', 'xbox'], model: ['PS5', 'SeriesX'] },
] as const;

const TITLE_NAMES = ['stranger-things', 'the-crown', 'amélie', '東京物語', 'la-casa-de-papel', 'dark', 'narcos', '🎬-shorts'];

function device(rng: Prng, id: string, baseTs: number, spanMs: number): GeneratedDevice {
  const kind = rng.pick(DEVICE_KINDS);
  const os = rng.pick(kind.os);
  const model = rng.pick(kind.model);
  const major = 7 + rng.int(3);
  const minor = rng.int(20);
  const json = (version: string) => `{"os":"${os}","type":"${kind.type}","model":"${model}","app_version":"${version}"}`;
  return {
    id,
    jsonBefore: json(`${major}.${minor}.0`),
    jsonAfter: json(`${major}.${minor + 1}.0`),
    upgradeAt: rng.chance(0.3) ? baseTs + rng.next() * spanMs : Infinity,
  };
}

export function members(rng: Prng, count: number, partitions: number, baseTs: number, spanMs: number): Member[] {
  const encoder = new TextEncoder();
  return Array.from({ length: count }, (_, n) => {
    const accountId = `a-${n}`;
    const key = encoder.encode(accountId);
    return {
      accountId,
      key,
      partition: partitionOfKey(key, partitions),
      profileIds: Array.from({ length: 1 + rng.int(5) }, (_, k) => `p-${n}-${k}`),
      devices: Array.from({ length: 1 + rng.int(4) }, (_, k) => device(rng, `d-${n}-${k}`, baseTs, spanMs)),
    };
  });
}

export function catalog(rng: Prng): Catalog {
  const campaigns = Array.from({ length: 40 }, (_, i) => `c-${i}`);
  return {
    titles: Array.from({ length: 3000 }, (_, i) => `t-${TITLE_NAMES[i % TITLE_NAMES.length]}-${i}`),
    games: Array.from({ length: 150 }, (_, i) => `g-${i}`),
    ads: Array.from({ length: 600 }, (_, i) => ({ id: `ad-${i}`, campaignId: rng.pick(campaigns) })),
    liveEvents: Array.from({ length: 25 }, (_, i) => `l-${i}`),
  };
}
