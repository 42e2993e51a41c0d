/** Issue 15: text tables line up when ids hold CJK, emoji or combining marks. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { displayWidth } from '../../src/cli/display-width.js';
import { formatTable } from '../../src/cli/format-table.js';

test('display width: wide and fullwidth 2, emoji 2, combining marks 0, the rest 1', () => {
  const cases: Array<[string, number]> = [
    ['', 0],
    ['t-dark-12', 9],
    ['東京物語', 8],
    ['한국어', 6],
    ['ＡＢ', 4], // fullwidth Latin
    ['ｶﾀ', 2], // halfwidth katakana stays narrow
    ['　', 2], // ideographic space
    ['amélie', 6], // precomposed é
    ['ame\u0301lie', 6], // e + combining acute
    ['🎬', 2],
    ['t-🎬-shorts', 11],
    ['👨\u200d👩\u200d👧', 2], // one ZWJ family glyph
    ['🇯🇵', 2], // a flag: two regional indicators
    ['\u2764\ufe0f', 2], // heart asked to be emoji (VS16)
    ['\u2764', 1], // the same heart as text
    ['1\ufe0f\u20e3', 2], // keycap
    ['a\u200bb', 2], // zero-width space
    ['Привет', 6],
  ];
  for (const [text, width] of cases) assert.equal(displayWidth(text), width, JSON.stringify(text));
});

test('formatTable pads by display width, so every column starts at the same column on every line', () => {
  const rows = [
    { title_id: 't-東京物語-2907', events: 11 },
    { title_id: 't-🎬-shorts-1135', events: 9 },
    { title_id: 't-amélie-2130', events: 10 },
    { title_id: 't-ame\u0301lie-7', events: 1 },
    { title_id: 'plain', events: 1234 },
  ];
  const lines = formatTable(rows).split('\n');
  assert.equal(lines.length, rows.length + 2);
  /** Display column at which the events cell starts: the width of what precedes it. */
  const eventsColumn = (line: string) => displayWidth(line.slice(0, line.search(/\S+$/)));
  const columns = lines.map(eventsColumn);
  assert.deepEqual(columns, columns.map(() => columns[0]), lines.join('\n'));
  assert.equal(columns[0], displayWidth('t-🎬-shorts-1135') + 2, 'the widest id sets the column, plus the two-space gap');
});
