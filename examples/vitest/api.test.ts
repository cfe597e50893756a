import { expect, inject, test } from 'vitest';

test('the api lists the items', async () => {
  const { api } = inject('cleanroom'); // { url, port, pid } of each service
  const res = await fetch(`${api.url}/api/items`);
  expect(await res.json()).toEqual(['apple', 'pear']);
});

test('the web service is in the environment too', async () => {
  expect(process.env.CLEANROOM_WEB_URL).toBe(inject('cleanroom').web.url);
  const html = await (await fetch(process.env.CLEANROOM_WEB_URL!)).text();
  expect(html).toContain('<h1>Items</h1>');
});
