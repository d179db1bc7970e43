/**
 * `npm run bench`: builds, packs the package users install, measures every target of issue 22 in
 * one run (size, Chromium CPU, Node CPU, events/s and idle heap, with their baselines), prints each
 * as PASS or MISS and writes BENCHMARKS.md. Targets are goals, not tests: a MISS does not fail.
 *
 *   npm run bench                  the honest run (about 15 minutes on 2 shared cores)
 *   npm run bench:quick            a smaller run for development (bench/.out/BENCHMARKS.quick.md)
 *   npm run bench -- --no-build    measure the dist/ already built
 *   npm run bench -- --from=FILE   write the Markdown again from a run's figures, measuring nothing
 *
 * A run's figures are kept in bench/.out/last-run.json (or last-quick-run.json).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { measure, PLANS, type Results } from './measure.js';
import { issueTargets, targetLines } from './targets.js';
import { renderMarkdown } from './write.js';

const args = process.argv.slice(2);
const unknown = args.filter((a) => !['--quick', '--no-build'].includes(a) && !a.startsWith('--from='));
if (unknown.length) {
  process.stderr.write(`bench: unknown argument(s) ${unknown.join(' ')} (--quick, --no-build, --from=FILE)\n`);
  process.exit(2);
}
const plan = PLANS[args.includes('--quick') ? 'quick' : 'full'];
const from = args.find((a) => a.startsWith('--from='))?.slice('--from='.length);
const repo = fileURLToPath(new URL('..', import.meta.url));
const out = new URL('./.out/', import.meta.url);
const log = (s: string) => process.stderr.write(`${s}\n`);

async function run(): Promise<Results> {
  let buildSeconds = 0;
  if (!args.includes('--no-build')) {
    log('build (npm run build)...');
    const t0 = Date.now();
    execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'build', '--silent'], {
      cwd: repo,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    buildSeconds = (Date.now() - t0) / 1000;
    log(`  build: ${buildSeconds.toFixed(0)} s`);
  }
  return measure(plan, buildSeconds);
}

const results = from ? (JSON.parse(readFileSync(from, 'utf8')) as Results) : await run();
mkdirSync(out, { recursive: true });
if (!from)
  writeFileSync(new URL(`last-${plan.name === 'quick' ? 'quick-' : ''}run.json`, out), JSON.stringify(results));
const md = renderMarkdown(results);
const target =
  results.plan.name === 'quick' ? new URL('BENCHMARKS.quick.md', out) : new URL('../BENCHMARKS.md', import.meta.url);
writeFileSync(target, md);
log(`\n${targetLines(issueTargets(results))}\n`);
log(`${fileURLToPath(target)} written; the run took ${(results.seconds / 60).toFixed(1)} minutes.`);
process.exit(0);
