import { expect, test } from '@playwright/test';

test('the api lists the items', async ({ request }) => {
  const res = await request.get(`${process.env.CLEANROOM_API_URL}/api/items`);
  expect(await res.json()).toEqual(['apple', 'pear']);
});
