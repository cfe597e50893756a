import { expect, test } from '@playwright/test';

test('the shop page and its api answer', async ({ request }) => {
  const page = await request.get('/'); // baseURL: the web service; with a browser, page.goto('/')
  expect(await page.text()).toContain('<h1>Items</h1>');
  const items = await request.get(`${process.env.CLEANROOM_API_URL}/api/items`);
  expect(await items.json()).toEqual(['apple', 'pear']);
});
