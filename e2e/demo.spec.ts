import { expect, test } from '@playwright/test';

// cleanroom's Playwright globalSetup exports these to the workers once the
// services are ready; the config cannot use them (it is evaluated earlier).
function serviceUrl(name: 'FRONTEND' | 'BACKEND'): string {
  const key = `CLEANROOM_${name}_URL`;
  const url = process.env[key];
  if (!url) {
    throw new Error(`${key} is not set: run this suite through cleanroom (globalSetup 'cleanroom-e2e/playwright')`);
  }
  return url;
}

test('frontend shows the message fetched from the backend', async ({ page }) => {
  await page.goto(serviceUrl('FRONTEND'));
  await expect(page.getByRole('heading', { name: 'cleanroom demo' })).toBeVisible();
  await expect(page.locator('#message')).toHaveText('hello from the backend');
});

test('backend API answers directly', async ({ request }) => {
  const res = await request.get(new URL('/api/message', serviceUrl('BACKEND')).href);
  expect(res.status()).toBe(200);
  const body: unknown = await res.json();
  expect(body).toEqual({ message: 'hello from the backend', pid: expect.any(Number) });
});
