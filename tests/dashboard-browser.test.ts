import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentsByModel, categorisedAgent, gate } from './support/browser-agent.ts';
import { scriptedAgent } from './support/scripted-agent.ts';
import { startScriptedAnthropic, type ScriptedAnthropic } from './support/scripted-anthropic.ts';
import { startTestPlatform, testEnv } from './support/test-platform.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.resolve('test-results/screenshots');
const BUILD_URL = /\/builds\/[0-9a-f-]{36}$/;

const SPEC = ['# Notes app', '', 'A small web app to keep notes.', '- Write a note with a title and a body.', '- List notes, newest first.', '- Delete a note.'].join('\n');
const FEATURES = [
  { category: 'notes', description: 'A note can be written with a title and a body', steps: ['Open the app', 'Click "New note"', 'Type a title and a body', 'Save: the note is listed'] },
  { category: 'notes', description: 'Notes are listed newest first', steps: ['Write two notes', 'The newer one is on top'] },
  { category: 'notes', description: 'A note can be deleted', steps: ['Write a note', 'Delete it', 'It is gone from the list'] },
  { category: 'style', description: 'The layout works on a phone', steps: ['Open the app at 390 px wide', 'Nothing scrolls sideways'] },
];

/**
 * The dashboard driven in Debian's Chromium against a real platform, with the scripted model.
 * Each build picks its scripted agent by model name, and the held sessions keep a build
 * mid-session until the test has done what it came to do, so nothing depends on timing.
 */
describe('the dashboard in a real browser', () => {
  const midBuild = gate();
  const pauseHold = gate();
  const cancelHold = gate();
  let model: ScriptedAnthropic;
  let platform: Awaited<ReturnType<typeof startTestPlatform>>;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let specUrl = '';
  let firstBuildUrl = '';
  /** Requests for one build's state, to check conditional polling and that it stops. */
  /** Uncaught exceptions in the page: there must be none. */
  const pageErrors: string[] = [];
  const buildPolls: Array<{ request: Request; ifNoneMatch: boolean; status?: number | string }> = [];

  beforeAll(async () => {
    if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium is needed at ${CHROMIUM} (apt-get install chromium), or set CHROMIUM_PATH.`);
    model = await startScriptedAnthropic(
      agentsByModel(
        {
          'scripted-pause': scriptedAgent({ features: 2, hold: { codingSession: 1, until: pauseHold.promise } }),
          'scripted-cancel': scriptedAgent({ features: 2, hold: { codingSession: 1, until: cancelHold.promise } }),
        },
        categorisedAgent(FEATURES, { hold: { codingSession: 2, until: midBuild.promise } }),
      ),
    );
    platform = await startTestPlatform(testEnv(model.url));
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'],
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, reducedMotion: 'reduce', acceptDownloads: true });
    page = await context.newPage();
    page.on('request', (request) => {
      if (/\/api\/builds\/[0-9a-f-]{36}$/.test(new URL(request.url()).pathname)) {
        buildPolls.push({ request, ifNoneMatch: request.headers()['if-none-match'] !== undefined });
      }
    });
    page.on('response', (response) => {
      const poll = buildPolls.find((p) => p.request === response.request());
      if (poll) poll.status = response.status();
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('requestfailed', (request) => {
      const poll = buildPolls.find((p) => p.request === request);
      if (poll) poll.status = request.failure()?.errorText ?? 'failed';
    });
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
  });
  afterAll(async () => {
    midBuild.release();
    pauseHold.release();
    cancelHold.release();
    await browser?.close();
    await platform?.stop();
    await model?.close();
  });

  const status = () => page.getByTestId('build-status').first().textContent();
  const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true });

  it('signs up and lands on an empty dashboard', async () => {
    await page.goto(`${platform.url}/`);
    await page.waitForURL(/\/signin/);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await page.getByLabel('Email').fill(`browser-${Date.now()}@example.com`);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Dashboard');
    await expect.poll(() => page.getByText('No builds yet').count()).toBe(1);
    expect(await page.getByTestId('stat-running').textContent()).toContain('0');
  });

  it('saves a spec, showing its size and line count', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Specs' }).click();
    await page.getByRole('link', { name: 'New spec' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Notes app');
    await page.getByLabel('Spec', { exact: true }).fill(SPEC);
    expect(await page.getByTestId('spec-editor-meta').textContent()).toMatch(/6 lines/);
    await page.getByRole('button', { name: 'Save spec' }).click();
    await page.waitForURL(/\/specs\/[0-9a-f-]{36}$/);
    specUrl = page.url();
    expect(await page.getByTestId('spec-meta').first().textContent()).toMatch(new RegExp(`${Buffer.byteLength(SPEC)} B · 6 lines`));
    expect(await page.getByTestId('spec-content').textContent()).toContain('Delete a note.');
    await shot('spec');
  });

  it('starts a build from the spec and watches it complete: checklist, chart, sessions, log', async () => {
    await page.getByRole('link', { name: 'Start build' }).click();
    await page.waitForURL(/\/builds\/new\?specId=/);
    expect(await page.getByRole('radio', { name: 'Saved spec' }).isChecked()).toBe(true);
    await expect.poll(() => page.getByRole('combobox', { name: 'Spec', exact: true }).inputValue()).toBe(specUrl.split('/').pop());
    await shot('new-build');
    await page.getByRole('button', { name: 'Start build' }).click();
    await page.waitForURL(BUILD_URL);
    firstBuildUrl = page.url();

    // Mid-build: the second coding session is held, so one feature of four passes.
    await expect.poll(() => page.getByTestId('features-passing').first().textContent(), { timeout: 90_000, interval: 250 }).toMatch(/1\s*\/\s*4/);
    await expect.poll(() => page.getByTestId('iteration-row').count(), { timeout: 10_000 }).toBe(2);
    await expect.poll(() => page.getByTestId('current-activity').textContent(), { timeout: 10_000 }).toMatch(/waiting for the model/);
    expect(await status()).toMatch(/running/i);
    expect(await page.getByTestId('feature-item').count()).toBe(4);
    expect(await page.locator('[data-testid="feature-item"][data-passes="true"]').count()).toBe(1);
    await page.getByTestId('burnup-chart').waitFor();
    expect(Number(await page.getByTestId('burnup-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(3);
    expect(await page.getByTestId('event').count()).toBeGreaterThan(5);
    await shot('build-mid-build');
    // While the session is held the build does not change: its polls cost a 304 each.
    await expect.poll(() => buildPolls.some((p) => p.ifNoneMatch && p.status === 304), { timeout: 15_000, interval: 250 }).toBe(true);
    midBuild.release();

    // No reload: the page polls until the build is done.
    await expect.poll(status, { timeout: 90_000, interval: 500 }).toMatch(/completed/i);
    await expect.poll(() => page.getByTestId('features-passing').first().textContent(), { timeout: 10_000 }).toMatch(/4\s*\/\s*4/);
    await expect.poll(() => page.locator('[data-testid="feature-item"][data-passes="true"]').count(), { timeout: 10_000 }).toBe(4);
    await expect.poll(() => page.getByTestId('iteration-row').count(), { timeout: 10_000 }).toBe(5);
    expect(Number(await page.getByTestId('burnup-chart').getAttribute('data-points'))).toBeGreaterThanOrEqual(6);
    expect(await page.locator('[data-testid="burnup-chart"] .recharts-area-area').count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid="event"][data-type="completed"]').count(), { timeout: 10_000 }).toBe(1);

    // Steps expand; the checklist groups by category.
    await page.getByText('4 steps').first().click();
    expect(await page.getByText('Click "New note"').isVisible()).toBe(true);
    expect(await page.getByRole('region', { name: 'style features' }).count()).toBe(1);

    // The log filters: tool calls only.
    await page.getByRole('radio', { name: /Tool calls/ }).check();
    const shownTypes = await page.getByTestId('event').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-type')));
    expect(shownTypes.length).toBeGreaterThan(0);
    expect(shownTypes.every((type) => type === 'tool_call' || type === 'tool_result' || type === 'file_changed')).toBe(true);
    await page.getByRole('radio', { name: /^All/ }).check();

    expect(await page.getByTestId('temporal-link').getAttribute('href')).toMatch(/\/namespaces\/default\/workflows\/build-/);
    await page.getByTestId('download-tar').waitFor({ timeout: 30_000 });
    await shot('build-completed');

    // Polling stops once the build has finished.
    await expect
      .poll(
        async () => {
          const before = buildPolls.length;
          await page.waitForTimeout(4500); // more than two polling intervals
          return buildPolls.length - before;
        },
        { timeout: 30_000, interval: 0 },
      )
      .toBe(0);
  });

  it('downloads the workspace as tar.gz and zip, and shows its files', async () => {
    const [tarDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-tar').click()]);
    const tarPath = await tarDownload.path();
    expect(tarDownload.suggestedFilename()).toMatch(/\.tar\.gz$/);
    expect([...fs.readFileSync(tarPath).subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(execFileSync('tar', ['-tzf', tarPath], { encoding: 'utf8' })).toMatch(/feature_list\.json/);

    const [zipDownload] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-zip').click()]);
    expect(zipDownload.suggestedFilename()).toMatch(/\.zip$/);
    expect(fs.readFileSync(await zipDownload.path()).subarray(0, 2).toString('latin1')).toBe('PK');

    await page.getByTestId('file-entry').filter({ hasText: 'feature_list.json' }).click();
    await expect.poll(() => page.getByTestId('file-content').textContent(), { timeout: 10_000 }).toContain('"passes": true');
  });

  it('pauses a second build and resumes it with the buttons, from the keyboard', async () => {
    await page.goto(specUrl);
    await page.getByRole('link', { name: 'Start build' }).click();
    await page.getByLabel('Model', { exact: true }).fill('scripted-pause');
    await page.getByRole('button', { name: 'Start build' }).click();
    await page.waitForURL(BUILD_URL);
    expect(page.url()).not.toBe(firstBuildUrl);
    // The first coding session (iteration 2) is held: the agent is mid-session.
    await expect.poll(() => page.getByTestId('build-iteration').textContent(), { timeout: 60_000, interval: 250 }).toMatch(/^2\b/);
    expect(await status()).toMatch(/running/i);

    await page.getByRole('button', { name: 'Pause', exact: true }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Pause this build?' });
    await dialog.waitFor();
    // The safe choice has focus first; Tab reaches the confirmation.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Go back');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    // Immediate feedback: the request is acknowledged on the page before the agent has stopped.
    await expect.poll(async () => (await page.getByTestId('pending-action').count()) > 0 || /paused/i.test((await status()) ?? ''), { timeout: 10_000 }).toBe(true);
    await expect.poll(status, { timeout: 60_000, interval: 250 }).toMatch(/paused/i);
    expect(await page.getByTestId('current-activity').textContent()).toMatch(/Paused/);
    pauseHold.release();

    await page.getByRole('button', { name: 'Resume', exact: true }).click();
    await page.getByRole('dialog', { name: 'Resume this build?' }).getByRole('button', { name: 'Resume build' }).click();
    await expect.poll(status, { timeout: 90_000, interval: 250 }).toMatch(/completed/i);
    await expect.poll(() => page.locator('[data-testid="event"][data-type="resumed"]').count(), { timeout: 10_000 }).toBe(1);
  });

  it('cancels a third build, which can then be resumed from its checkpoint', async () => {
    await page.goto(specUrl);
    await page.getByRole('link', { name: 'Start build' }).click();
    await page.getByLabel('Model', { exact: true }).fill('scripted-cancel');
    await page.getByRole('button', { name: 'Start build' }).click();
    await page.waitForURL(BUILD_URL);
    await expect.poll(() => page.getByTestId('build-iteration').textContent(), { timeout: 60_000, interval: 250 }).toMatch(/^2\b/);
    await shot('build-running');

    // A lost connection is shown, retried, and forgotten once the server answers again.
    await context.setOffline(true);
    await page.getByTestId('connection-lost').waitFor({ timeout: 10_000 });
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Could not refresh this build' }).count(), { timeout: 10_000 }).toBe(1);
    await context.setOffline(false);
    await page.getByTestId('connection-lost').waitFor({ state: 'detached', timeout: 30_000 });
    await page.getByRole('alert').filter({ hasText: 'Could not refresh this build' }).waitFor({ state: 'detached', timeout: 30_000 });
    expect(await status()).toMatch(/running/i);

    await page.getByRole('button', { name: 'Cancel build' }).click();
    const dialog = page.getByRole('dialog', { name: 'Cancel this build?' });
    await dialog.getByRole('button', { name: 'Cancel build' }).click();
    await expect.poll(status, { timeout: 60_000, interval: 250 }).toMatch(/cancelled/i);
    expect(await page.getByRole('button', { name: 'Resume from checkpoint' }).isVisible()).toBe(true);
    expect(await page.getByRole('button', { name: 'Pause', exact: true }).count()).toBe(0);
    await expect.poll(() => page.getByTestId('download-tar').count(), { timeout: 30_000 }).toBe(1);
  });

  it('shows the counts and recent work on the dashboard, on a desktop and a phone', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Dashboard' }).click();
    await expect.poll(() => page.getByTestId('stat-completed').textContent(), { timeout: 10_000 }).toMatch(/Completed\s*2/);
    expect(await page.getByTestId('stat-week').textContent()).toMatch(/3\s*started/);
    expect(await page.getByTestId('build-row').count()).toBe(3);
    expect(await page.getByTestId('recent-spec').count()).toBe(1);
    expect(await page.getByRole('button', { name: 'Build last spec' }).isVisible()).toBe(true);
    await shot('dashboard');

    await page.setViewportSize({ width: 390, height: 844 });
    const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot('dashboard-phone');
    await page.goto(firstBuildUrl);
    await page.getByTestId('burnup-chart').waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await shot('build-completed-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it('builds the last spec again from the dashboard in one click', async () => {
    await page.goto(`${platform.url}/`);
    await page.getByRole('button', { name: 'Build last spec' }).click();
    await page.waitForURL(BUILD_URL);
    expect(page.url()).not.toBe(firstBuildUrl);
    expect(await page.getByRole('link', { name: 'spec', exact: true }).getAttribute('href')).toBe(new URL(specUrl).pathname);
    await expect.poll(status, { timeout: 90_000, interval: 500 }).toMatch(/completed/i);
  });

  it('creates a project, and an API token that is shown once and can be revoked', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Client work');
    await page.getByLabel(/Description/).fill('Apps built for the Acme account');
    await page.getByRole('button', { name: 'Create project' }).click();
    await expect.poll(() => page.getByTestId('project-card').count(), { timeout: 10_000 }).toBe(1);
    await page.getByRole('link', { name: 'Client work' }).click();
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/);
    await page.getByText('No builds in this project yet').waitFor();
    expect(await page.getByRole('link', { name: 'New build here' }).getAttribute('href')).toMatch(/\/builds\/new\?projectId=/);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await page.getByLabel('Token name').fill('CI');
    await page.getByRole('button', { name: 'Create token' }).click();
    await expect.poll(() => page.getByLabel('New API token').inputValue(), { timeout: 10_000 }).toMatch(/^aap_/);
    await expect.poll(() => page.getByTestId('token-row').count(), { timeout: 10_000 }).toBe(1);
    await shot('settings');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.getByLabel('New API token').count()).toBe(0);
    await page.getByRole('button', { name: 'Revoke CI' }).click();
    await page.getByRole('dialog', { name: 'Revoke this token?' }).getByRole('button', { name: 'Revoke token' }).click();
    await expect.poll(() => page.getByTestId('token-row').count(), { timeout: 10_000 }).toBe(0);
  });

  it('signs out, after which the dashboard asks to sign in again', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/signin$/);
    await page.goto(`${platform.url}/builds`);
    await page.waitForURL(/\/signin\?next=%2Fbuilds$/);
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
