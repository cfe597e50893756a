// Imports one module specifier in this fresh process and prints the time and the RSS it added.
// `node bench/drivers/import.mjs none` is the baseline. Run from inside the package, so that
// 'cleanroom-e2e/…' resolves to this package itself (self-reference through "exports").
const spec = process.argv[2];
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
if (spec !== 'none') await import(spec);
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, rssKb: (process.memoryUsage().rss - rss0) / 1024 }));
