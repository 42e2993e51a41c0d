/**
 * Issue 6: every analysis notebook runs headless with papermill (the venv's kernel) against
 * a warehouse a real `lakegraph demo` made, without a cell error, and shows its figures and
 * non-empty tables. lake_health runs before and after `lakegraph compact`, so both its
 * "no compaction yet" and its compaction branch are exercised. lake_health also runs on a
 * lake in object storage behind a REST catalog (the test's own), as `warehouse=<catalog URI>`.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { PrivateS3Lake } from '../support/private-s3-lake.js';
import { REPO_ROOT, VENV_PYTHON } from '../support/services.js';

const exec = promisify(execFile);
const CLI = join(REPO_ROOT, 'dist/src/cli/main.js');
const VENV = dirname(dirname(VENV_PYTHON));

interface NotebookSummary {
  figures: string[];
  tables: Record<string, number>;
  [fact: string]: unknown;
}

interface NotebookRun {
  summary: NotebookSummary;
  pngOutputs: number;
  text: string;
  figuresDir: string;
}

interface NotebookJson {
  cells: Array<{ outputs?: Array<{ output_type: string; data?: Record<string, unknown>; text?: string | string[] }> }>;
}

let work: string;
let warehouse: string;

async function lakegraph(...args: string[]): Promise<void> {
  await exec(process.execPath, [CLI, ...args], { maxBuffer: 16 << 20 });
}

/**
 * Executes notebooks/<name>.ipynb with papermill on `lake` (the demo warehouse unless
 * given; `env` reaches its store); papermill exits non-zero on any cell error.
 */
async function runNotebook(name: string, label: string, lake = warehouse, env: Readonly<Record<string, string>> = {}): Promise<NotebookRun> {
  const output = join(work, `${label}.ipynb`);
  const summaryPath = join(work, `${label}.summary.json`);
  const figuresDir = join(work, 'figures', label);
  await exec(
    join(VENV, 'bin/python'),
    ['-m', 'papermill', `${name}.ipynb`, output, '--kernel', 'python3', '--cwd', join(REPO_ROOT, 'notebooks'),
      '-p', 'warehouse', lake, '-p', 'figures_dir', figuresDir, '-p', 'summary_path', summaryPath],
    {
      cwd: join(REPO_ROOT, 'notebooks'),
      maxBuffer: 16 << 20,
      // The venv's own kernelspec first, whatever the user's Jupyter config holds.
      env: { ...process.env, ...env, JUPYTER_PATH: join(VENV, 'share/jupyter') },
    },
  );
  const notebook = JSON.parse(await readFile(output, 'utf8')) as NotebookJson;
  const outputs = notebook.cells.flatMap((cell) => cell.outputs ?? []);
  assert.equal(outputs.filter((o) => o.output_type === 'error').length, 0, `${label}: error outputs`);
  return {
    summary: JSON.parse(await readFile(summaryPath, 'utf8')) as NotebookSummary,
    pngOutputs: outputs.filter((o) => o.data?.['image/png'] !== undefined).length,
    text: outputs.map((o) => [o.text ?? ''].flat().join('')).join(''),
    figuresDir,
  };
}

async function assertShown(label: string, run: NotebookRun, figures: string[], tables: string[]): Promise<void> {
  assert.deepEqual(run.summary.figures, figures, `${label}: figures`);
  assert.equal(run.pngOutputs, figures.length, `${label}: figures shown in the notebook`);
  for (const name of figures) {
    const path = join(run.figuresDir, `${name}.png`);
    const png = await readFile(path);
    assert.deepEqual([...png.subarray(1, 4)], [...Buffer.from('PNG')], `${path} is a PNG`);
    assert.ok(png.length > 10_000, `${path} has a picture in it (${png.length} bytes)`);
  }
  assert.deepEqual(Object.keys(run.summary.tables), tables, `${label}: tables`);
  for (const [table, rows] of Object.entries(run.summary.tables)) assert.ok(rows > 0, `${label}: table ${table} is empty`);
}

before(async () => {
  await exec(join(REPO_ROOT, 'infra/python/setup'), [], { maxBuffer: 16 << 20 });
  work = await mkdtemp(join(tmpdir(), 'lakegraph-notebooks-'));
  warehouse = join(work, 'warehouse');
  // A short commit interval gives the lake-health figures a few dozen snapshots to show.
  await lakegraph('demo', '--events', '60000', '--seed', '11', '--start-time', '2026-11-26T12:00:00Z', '--commit-interval-ms', '250', '--warehouse', warehouse);
});

after(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

const LAKE_FIGURES = ['commits', 'data_files', 'compaction', 'rejected_by_reason'];

test('figures draw the generated CJK and emoji ids with real glyphs (a missing glyph is an error, not a box)', { timeout: 60_000 }, async () => {
  const draw = [
    'import lakegraph_nb, matplotlib.pyplot as plt',
    'fig, ax = plt.subplots()',
    "ax.barh(['t-東京物語-3', 't-🎬-shorts-7', 't-amélie-2'], [3, 2, 1])",
    "fig.savefig('/dev/null', format='png')",
  ].join('\n');
  await exec(join(VENV, 'bin/python'), ['-c', draw], { cwd: join(REPO_ROOT, 'notebooks') });
  const missing = exec(join(VENV, 'bin/python'), ['-c', draw.replace('import lakegraph_nb, ', "import lakegraph_nb, matplotlib; matplotlib.rcParams['font.family'] = ['DejaVu Sans']; import ")], {
    cwd: join(REPO_ROOT, 'notebooks'),
  });
  await assert.rejects(missing, /Glyph \d+ .* missing/);
});

test('lake_health before any compaction says so and shows the rest', { timeout: 120_000 }, async () => {
  const run = await runNotebook('lake_health', 'lake_health_uncompacted');
  await assertShown('lake_health (uncompacted)', run, LAKE_FIGURES, ['snapshots_by_operation', 'files_by_partition', 'rejected_by_reason']);
  assert.equal(run.summary['compactions'], 0);
  assert.match(run.text, /No compaction has run on this warehouse yet/);
});

test('every notebook runs on a compacted demo warehouse and shows its figures and tables', { timeout: 240_000 }, async () => {
  await lakegraph('compact', '--warehouse', warehouse);

  const journey = await runNotebook('member_journey', 'member_journey');
  await assertShown('member_journey', journey, ['member_timeline', 'member_neighbourhood'], ['member_activity', 'device_timeline', 'device_props', 'neighbourhood_edges']);
  assert.match(String(journey.summary['account_id']), /^a-\d+$/);
  assert.ok(Number(journey.summary['devices']) >= 2, 'the picked member used several devices');

  const graph = await runNotebook('graph_health', 'graph_health');
  await assertShown('graph_health', graph, ['growth_by_type', 'degree_distribution', 'busiest_titles_devices', 'dedup_funnel'],
    ['counts_by_type', 'mean_degree_by_type', 'top_titles', 'top_devices', 'dedup_by_topic']);
  assert.ok(Number(graph.summary['duplicates']) > 0, 'the demo delivers duplicates and dedup removes them');

  const lake = await runNotebook('lake_health', 'lake_health');
  await assertShown('lake_health', lake, LAKE_FIGURES, ['snapshots_by_operation', 'files_by_partition', 'compactions', 'rejected_by_reason']);
  assert.equal(lake.summary['compactions'], 3, 'one replace snapshot per graph table');
});

test('lake_health runs on a lake in object storage behind a REST catalog', { timeout: 480_000 }, async () => {
  const lake = await PrivateS3Lake.create({ events: 20_000, seed: 12, partitions: 4, baseTs: Date.UTC(2026, 10, 26, 12) }, 250);
  // The AWS variables name the private store for PyIceberg and DuckDB (duckdb_iceberg.s3_properties, connect).
  const run = await runNotebook('lake_health', 'lake_health_rest_s3', lake.services.catalogUri, lake.env);
  await assertShown('lake_health (REST + S3)', run, LAKE_FIGURES, ['snapshots_by_operation', 'files_by_partition', 'rejected_by_reason']);
  assert.match(run.text, new RegExp(`warehouse ${lake.services.catalogUri}`));
  lake.passed();
});
