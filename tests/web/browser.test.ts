import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** Debian's chromium (apt-get install chromium); never a downloaded browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '1000' }, { listen: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 30_000);
afterAll(async () => {
  await browser?.close();
  await t?.teardown();
});

async function open(locale: string, viewport: { width: number; height: number }): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale, viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${t.url}/`);
  return { page, problems };
}

const botMessages = (page: Page) => page.locator('.msg--bot');

async function ask(page: Page, question: string): Promise<void> {
  const before = await botMessages(page).count();
  await page.locator('#input').fill(question);
  await page.keyboard.press('Enter');
  await expect.poll(() => botMessages(page).count()).toBeGreaterThan(before);
  await expect.poll(() => page.locator('#typing').isHidden()).toBe(true);
}

describe('web chat in a real browser', () => {
  it('asks in Latvian and English, follows a suggestion, switches language, and looks right', async () => {
    const { page, problems } = await open('lv-LV', { width: 560, height: 940 });

    // Accessible structure: a live log, a labelled input, named buttons, the language in <html>.
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.getAttribute('#log', 'role')).toBe('log');
    expect(await page.getAttribute('#log', 'aria-live')).toBe('polite');
    const input = page.getByLabel('Jūsu jautājums');
    expect(await input.count()).toBe(1);
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0); // the greeting
    expect(await page.getAttribute('.lang__btn[data-lang="lv"]', 'aria-pressed')).toBe('true');

    await ask(page, 'Cik ilgi jūs glabājat manus personas datus?');
    const lvSource = await page.locator('.msg__source').last().textContent();
    expect(lvSource).toMatch(/^Avots: privātuma politika, sadaļa „.+”$/);

    await ask(page, 'Who can I contact about my data?');
    const lastAnswer = botMessages(page).filter({ has: page.locator('.msg__source') }).last();
    expect(await lastAnswer.locator('.msg__bubble').textContent()).toMatch(/SIA KILOWATS Latvija/);
    // The citation follows the answer's language even while the interface is Latvian.
    expect(await lastAnswer.locator('.msg__source').textContent()).toMatch(/^Source: privacy policy, section “.+”$/);

    // A follow-up ("related" / "did you mean") button, pressed from the keyboard.
    const followUp = page.locator('.msg__button').filter({ hasNotText: /^(LV|EN)$/ }).last();
    const label = (await followUp.textContent()) ?? '';
    expect(label.length).toBeGreaterThan(0);
    const before = await botMessages(page).count();
    await followUp.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(before);
    expect(await page.locator('.msg--user .msg__bubble').last().textContent()).toContain(label);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('input');

    // Switch the language: the interface changes at once and the bot follows.
    await page.getByRole('group', { name: 'Sarunas valoda' }).getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    expect(await page.getAttribute('.lang__btn[data-lang="en"]', 'aria-pressed')).toBe('true');
    expect(await page.getByLabel('Your question').count()).toBe(1);
    expect(await page.locator('.chat__send').textContent()).toBe('Send');
    await expect.poll(() => page.locator('#typing').isHidden()).toBe(true);

    await ask(page, 'Can I ask you to delete my data?');
    expect(await page.locator('.msg__source').last().textContent()).toMatch(/^Source: privacy policy, section “.+”$/);
    mkdirSync(join(ROOT, 'tests', 'web', 'screenshots'), { recursive: true });
    // Written beside the test (git-ignored); docs/screenshot-web-chat.png is a reviewed copy of it.
    await page.screenshot({ path: join(ROOT, 'tests', 'web', 'screenshots', 'web-chat.png') });

    // User text is shown as text, never parsed as HTML.
    await ask(page, '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>');
    expect(await page.locator('.msg--user img, .msg--user b').count()).toBe(0);
    expect(await page.locator('.msg--user .msg__bubble').last().textContent()).toContain('<b>bold</b>');
    expect(await page.title()).not.toBe('pwned');

    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('fits a phone screen, keeps the conversation on reload, and forgets it on request', async () => {
    const { page, problems } = await open('en-GB', { width: 360, height: 640 });
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await ask(page, 'What rights do I have?');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    const box = await page.locator('.chat__send').boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    const count = await page.locator('.msg').count();
    await page.reload();
    await expect.poll(() => page.locator('.msg').count()).toBe(count);

    // "Delete my chat data" asks first; confirming erases the server's and the tab's copy.
    await page.getByRole('button', { name: 'Delete my chat data' }).click();
    await page.getByRole('button', { name: 'Yes, erase' }).last().click();
    await expect.poll(() => page.locator('.msg--user').count()).toBe(0);
    const kept = await page.evaluate(() => sessionStorage.getItem('thunder.history') ?? '');
    expect(kept).not.toContain('What rights do I have?');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('embeds on another site as a launcher button that opens the chat in a frame', async () => {
    const context = await browser.newContext({ locale: 'en-GB', reducedMotion: 'reduce' });
    const page = await context.newPage();
    // The company's site: another origin on loopback.
    const site = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><html lang="en"><body><h1>Company site</h1><script src="${t.url}/embed.js"></script></body></html>`);
    });
    await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
    await page.goto(`http://localhost:${(site.address() as AddressInfo).port}/`);
    const launcher = page.getByRole('button', { name: 'Open the privacy assistant' });
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await launcher.click();
    const closer = page.getByRole('button', { name: 'Close the privacy assistant' });
    expect(await closer.getAttribute('aria-expanded')).toBe('true');
    const frame = page.frameLocator('iframe[title="KILOWATS privacy assistant"]');
    await expect.poll(() => frame.locator('.msg--bot').count()).toBeGreaterThan(0);
    expect(await frame.locator('.chat__title').textContent()).toBe('KILOWATS privacy assistant');
    await context.close();
    site.closeAllConnections();
    await new Promise((done) => site.close(done));
  });
});
