import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * `npm run bench`: runs each benchmark module, prints one table and writes
 * bench/results.json as a flat {"metric": number} object.
 *
 * A module exports `runBench(): Promise<Record<string, number>>`. Adding a
 * benchmark is one line below. A module that is missing or throws is
 * reported (a throw also sets a failing exit code), and the metrics of the
 * others are still written.
 *
 * `npm run bench -- keyPool scheduler` runs only the modules whose names
 * contain one of the words (to iterate on one area faster); results.json is
 * then left alone, so that it always holds one whole run.
 */
const BENCH_MODULES = ["./keyPool.bench", "./scheduler.bench", "./tree.bench", "./redact.bench", "./longTask.bench", "./providers.bench"];

interface BenchModule {
  runBench(): Promise<Record<string, number>>;
}

async function main(): Promise<number> {
  const results: Record<string, number> = {};
  const problems: string[] = [];
  const started = performance.now();
  const only = process.argv.slice(2);
  const chosen = only.length === 0 ? BENCH_MODULES : BENCH_MODULES.filter((spec) => only.some((word) => spec.includes(word)));
  for (const spec of chosen) {
    const name = spec.replace(/^\.\//, "bench/") + ".ts";
    if (!existsSync(join(__dirname, `${spec}.ts`))) {
      // Listed before it is written: say so, but it is not a failure.
      console.error(`bench: ${name} is missing; skipped`);
      continue;
    }
    let module: BenchModule;
    try {
      module = (await import(spec)) as BenchModule;
    } catch (error) {
      problems.push(`${name}: could not be loaded (${firstLine(error)})`);
      continue;
    }
    if (typeof module.runBench !== "function") {
      problems.push(`${name}: exports no runBench()`);
      continue;
    }
    const moduleStart = performance.now();
    try {
      const metrics = await module.runBench();
      for (const [metric, value] of Object.entries(metrics)) {
        if (typeof value === "number" && Number.isFinite(value)) results[metric] = value;
        else problems.push(`${name}: metric ${metric} is not a finite number`);
      }
      console.log(`${name}: ${((performance.now() - moduleStart) / 1000).toFixed(1)} s`);
    } catch (error) {
      problems.push(`${name}: failed (${firstLine(error)})`);
    }
  }
  printTable(results);
  const took = `${((performance.now() - started) / 1000).toFixed(1)} s`;
  if (only.length === 0) {
    writeFileSync(join(__dirname, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log(`\nwrote bench/results.json in ${took}`);
  } else {
    console.log(`\npartial run (${only.join(", ")}) in ${took}; bench/results.json not written`);
  }
  for (const problem of problems) console.error(`bench: ${problem}`);
  return problems.length > 0 ? 1 : 0;
}

function printTable(results: Record<string, number>): void {
  const rows = Object.entries(results);
  const width = Math.max(6, ...rows.map(([metric]) => metric.length));
  console.log(`\n${"metric".padEnd(width)}  value`);
  console.log(`${"-".repeat(width)}  ${"-".repeat(10)}`);
  for (const [metric, value] of rows) console.log(`${metric.padEnd(width)}  ${Number(value.toFixed(4))}`);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  },
);
