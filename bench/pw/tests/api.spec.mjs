import { expect, test } from '@playwright/test';
// A trivial API-only suite (no browser): both services answer.
test('both services answer', async () => {
  for (const port of [process.env.BENCH_API_PORT, process.env.BENCH_WEB_PORT].filter(Boolean)) {
    const res = await fetch(`http://127.0.0.1:${port}/`);
    expect(res.status).toBe(200);
  }
});
