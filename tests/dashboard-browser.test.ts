import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic } from './support/scripted-anthropic.ts';
import { startTestPlatform, testEnv } from './support/test-platform.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-results/screenshots');

describe('the dashboard in a real browser', () => {
  let model: ScriptedAnthropic;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let browser: Browser;

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium), or set CHROMIUM_PATH.`);
    model = await startScriptedAnthropic(scriptedAgent({ features: 3 }));
    platform = await startTestPlatform(testEnv(model.url));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await model?.close();
  });

  it('signs up, starts a build, and watches it complete by polling', async () => {
    const page = await browser.newPage({ reducedMotion: 'reduce' });
    await page.goto(`${platform.url}/`);
    await page.waitForURL(/\/signin/);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(`browser-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();

    await page.getByRole('link', { name: 'New build' }).first().click();
    await page.getByLabel('App spec').fill('# Notes app\n\nWrite, list and delete notes.');
    await page.getByRole('button', { name: 'Start build' }).click();
    await page.waitForURL(/\/builds\/[0-9a-f-]{36}$/);

    // No reload: the page polls until the build is done.
    await expect.poll(() => page.getByTestId('build-status').first().textContent(), { timeout: 90_000, interval: 500 }).toMatch(/completed/i);
    await expect.poll(() => page.getByTestId('features-passing').first().textContent(), { timeout: 10_000 }).toMatch(/3\s*\/\s*3/);
    expect(await page.getByTestId('feature-item').count()).toBe(3);
    await page.screenshot({ path: path.join(SCREENSHOTS, 'build-completed.png'), fullPage: true });

    await page.getByRole('link', { name: /builds/i }).first().click();
    await expect.poll(() => page.getByTestId('build-row').count(), { timeout: 10_000 }).toBe(1);
    expect(await page.getByTestId('build-row').first().textContent()).toContain('Notes app');
    await page.screenshot({ path: path.join(SCREENSHOTS, 'build-list.png'), fullPage: true });
    await page.close();
  });
});
