import { expect, test } from '@playwright/test';

test('the shop page answers', async ({ request }) => {
  const res = await request.get('/');
  expect(await res.text()).toContain('<h1>Items</h1>');
});
