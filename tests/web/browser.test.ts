import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { tr } from '../helpers/locales.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

/** Debian's chromium (apt-get install chromium); never a downloaded browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const EMAIL = 'info@kilowats.lv';
const PHONE = '+371 29736211';

/** The company's site, on another origin than Thunder: it embeds the chat with embed.js. */
let site: Server;
let siteUrl: string;
let t: TestApp;
/** A strict rate limit, for the flood test. */
let strict: TestApp;
let browser: Browser;

beforeAll(async () => {
  site = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(
      `<!doctype html><html lang="en"><body><h1>Company site</h1><a href="#">Prices</a><script src="${t.url}/embed.js"></script></body></html>`,
    );
  });
  await new Promise<void>((done) => site.listen(0, '127.0.0.1', done));
  siteUrl = `http://localhost:${(site.address() as AddressInfo).port}`;
  [t, strict] = await Promise.all([
    startTestApp({ RATE_LIMIT_PER_MINUTE: '1000', WEB_EMBED_ORIGINS: `'self' ${siteUrl}` }, { listen: true }),
    startTestApp({ RATE_LIMIT_PER_MINUTE: '3' }, { listen: true }),
  ]);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await Promise.all([t?.teardown(), strict?.teardown()]);
  site?.closeAllConnections();
  await new Promise((done) => site?.close(done));
});

async function open(locale: string, viewport: { width: number; height: number }, url = t.url): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ locale, viewport, deviceScaleFactor: 1, reducedMotion: 'reduce' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text());
  });
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto(`${url}/`);
  return { page, problems };
}

const botMessages = (page: Page) => page.locator('.msg--bot');
const lastBot = (page: Page) => botMessages(page).last().locator('.msg__bubble');

async function ask(page: Page, question: string): Promise<void> {
  const before = await botMessages(page).count();
  await page.locator('#input').fill(question);
  await page.keyboard.press('Enter');
  await expect.poll(() => botMessages(page).count()).toBeGreaterThan(before);
  await expect.poll(() => page.locator('#typing').isHidden()).toBe(true);
}

const pictographs = /\p{Extended_Pictographic}/u;

describe('web chat in a real browser', () => {
  it('on a desktop: greeting, keyboard follow-up, honest hand-off, language switch, and a layout that uses the screen', async () => {
    const { page, problems } = await open('lv-LV', { width: 1280, height: 860 });

    // Accessible structure: a live log, a labelled input with the cursor in it, the language in <html>.
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('lv');
    expect(await page.getAttribute('#log', 'role')).toBe('log');
    expect(await page.getAttribute('#log', 'aria-live')).toBe('polite');
    expect(await page.getByLabel('Jūsu jautājums').count()).toBe(1);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('input');
    // Accessible names begin with what the buttons show (WCAG 2.5.3 label in name).
    const languages = page.getByRole('group', { name: 'Sarunas valoda' });
    expect(await languages.getByRole('button', { name: /^LV – Latviešu$/ }).count()).toBe(1);
    expect(await languages.getByRole('button', { name: /^EN – English$/ }).count()).toBe(1);
    expect(await page.getByRole('button', { name: /^Sūtīt$/ }).count()).toBe(1);

    // The greeting points to the page's own "delete my chat" link, not to a command.
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0);
    const greeting = (await lastBot(page).textContent()) ?? '';
    expect(greeting).toContain(`„${tr('lv', 'web:forget')}”`);
    expect(greeting).not.toContain('/forget');
    expect(await page.getByRole('button', { name: tr('lv', 'web:forget') }).isVisible()).toBe(true);
    // Avatar and time on each bot message.
    expect(await botMessages(page).first().locator('.avatar').count()).toBe(1);
    expect(await botMessages(page).first().locator('time').textContent()).toMatch(/^\d{2}:\d{2}$/);
    // The greeting's own language buttons switch the page as the header toggle does.
    await botMessages(page).first().getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await expect.poll(() => lastBot(page).textContent()).toBe(`${tr('en', 'web:bot')}: ${tr('en', 'conversation:languageSet')}`);
    await botMessages(page).first().getByRole('button', { name: 'Latviešu' }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('lv');
    await expect.poll(() => lastBot(page).textContent()).toBe(`${tr('lv', 'web:bot')}: ${tr('lv', 'conversation:languageSet')}`);

    await ask(page, 'Cik ilgi jūs glabājat manus personas datus?');
    expect(await page.locator('.msg__source').last().textContent()).toMatch(/^Avots: privātuma politika, sadaļa „.+”$/);

    // A curated follow-up, pressed from the keyboard: its label is the entry's title, not a customer's sentence.
    const followUp = botMessages(page).last().locator('.msg__button').first();
    const label = (await followUp.textContent()) ?? '';
    const titles = [...t.app.engine.kb.entries.values()].map((e) => e.title.lv);
    expect(titles).toContain(label);
    const before = await botMessages(page).count();
    await followUp.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(before);
    expect(await page.locator('.msg--user .msg__bubble').last().textContent()).toContain(label);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('input');

    // No desk here: asking for a person in free text gives the company's e-mail and phone, and no person button anywhere.
    await ask(page, 'gribu runāt ar cilvēku');
    const handoff = (await lastBot(page).textContent()) ?? '';
    expect(handoff).toContain(EMAIL);
    expect(handoff).toContain(PHONE);
    await ask(page, 'Kāda būs laika prognoze rīt Ventspilī?');
    await ask(page, 'Cik maksā elektrība pa nakti?');
    expect(await lastBot(page).textContent()).toContain(EMAIL);
    expect(await page.locator('.msg__button', { hasText: /cilvēk|person/i }).count()).toBe(0);

    // Switch to English: the message says answers stay in English, and a Latvian question then gets English.
    await languages.getByRole('button', { name: /^EN/ }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await expect.poll(() => lastBot(page).textContent()).toContain(tr('en', 'conversation:languageSet'));
    expect(await page.getByLabel('Your question').count()).toBe(1);
    await ask(page, 'Cik ilgi jūs glabājat manus personas datus?');
    expect(await lastBot(page).textContent()).toContain(t.app.engine.kb.entries.get('retention')!.answer.en);
    expect(await page.locator('.msg__source').last().textContent()).toMatch(/^Source: privacy policy, section “.+”$/);

    // The desktop is used: the side card is shown (the phone's action bar is not) and the conversation is wider than a phone column.
    expect(await page.locator('.side').isVisible()).toBe(true);
    expect(await page.locator('.quick').isVisible()).toBe(false);
    expect((await page.locator('.chat').boundingBox())?.width).toBeGreaterThan(800);
    // Icons are inline SVG: no emoji in any label.
    for (const text of await page.locator('button').allTextContents()) expect(text).not.toMatch(pictographs);
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-desktop.png') });

    // User text is shown as text, never parsed as HTML.
    await ask(page, '<img src=x onerror="document.title=\'pwned\'"><b>bold</b>');
    expect(await page.locator('.msg--user img, .msg--user b').count()).toBe(0);
    expect(await page.title()).not.toBe('pwned');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('on a phone: the input limit with a live counter, a placeholder that follows the form, a retry without duplicates', async () => {
    const { page, problems } = await open('en-GB', { width: 390, height: 844 });
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0);
    const input = page.locator('#input');
    const counter = page.locator('#counter');
    expect(await input.getAttribute('maxlength')).toBe('4000');
    await input.fill('How long do you keep my data?');
    expect(await counter.isHidden()).toBe(true);
    await input.fill('x'.repeat(3500));
    expect(await counter.textContent()).toBe('3500 / 4000');
    await input.fill('x'.repeat(4000));
    await page.keyboard.type('more');
    expect(await counter.textContent()).toBe('4000 / 4000');
    expect(await counter.getAttribute('class')).toContain('is-full');
    expect(await page.locator('#limit').textContent()).toBe(tr('en', 'web:counterLimit', { max: 4000 }));
    expect((await input.inputValue()).length).toBe(4000);
    // The Send button keeps its size however tall the text box grows.
    const send = await page.locator('.chat__send').boundingBox();
    expect(send?.height).toBe(44);
    await input.fill('');

    // The placeholder asks for what the form asks for.
    expect(await input.getAttribute('placeholder')).toBe(tr('en', 'web:placeholder'));
    await ask(page, 'please delete all my personal data');
    expect(await input.getAttribute('placeholder')).toBe(tr('en', 'web:placeholder_name'));
    await page
      .getByRole('button', { name: tr('en', 'requests:button.cancel') })
      .last()
      .click();
    await expect.poll(() => input.getAttribute('placeholder')).toBe(tr('en', 'web:placeholder'));

    // While a reply is on its way, the typing indicator shows.
    let release = () => {};
    const held = new Promise<void>((done) => (release = done));
    await page.route('**/api/chat/messages', async (route) => {
      if (route.request().method() === 'POST') await held;
      await route.continue();
    });
    await input.fill('Who is the data controller?');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#typing').isVisible()).toBe(true);
    expect(await page.locator('.msg--pending').count()).toBe(1);
    release();
    await expect.poll(() => page.locator('#typing').isHidden()).toBe(true);
    expect(await page.locator('.msg--pending').count()).toBe(0);
    await page.unroute('**/api/chat/messages');

    // The server is unreachable for one message: it is marked on its bubble, and sent again once, in place.
    const users = page.locator('.msg--user');
    await page.route('**/api/chat/messages', (route) =>
      route.request().method() === 'POST' ? route.abort('connectionrefused') : route.continue(),
    );
    await input.fill('What rights do I have?');
    await page.keyboard.press('Enter');
    const retry = page.getByRole('button', { name: tr('en', 'web:retry') });
    await expect.poll(() => retry.count()).toBe(1);
    const sent = await users.count();
    await page.unroute('**/api/chat/messages');
    const answers = await botMessages(page).count();
    await retry.click();
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(answers);
    expect(await users.count()).toBe(sent);
    expect(await users.filter({ hasText: 'What rights do I have?' }).count()).toBe(1);
    expect(await page.locator('.msg--failed').count()).toBe(0);
    // After a reload the message is there once.
    await page.reload();
    await expect.poll(() => users.filter({ hasText: 'What rights do I have?' }).count()).toBe(1);

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(ROOT, 'docs', 'screenshot-phone.png') });

    // "Delete my chat data" asks first; confirming erases the server's and the tab's copy.
    await page.getByRole('button', { name: 'Delete my chat data' }).click();
    await page.getByRole('button', { name: 'Yes, erase' }).last().click();
    await expect.poll(() => users.count()).toBe(0);
    expect(await page.evaluate(() => sessionStorage.getItem('thunder.history') ?? '')).not.toContain('What rights do I have?');
    // …and starts again without a reload: the erasure is confirmed, then the greeting comes back with its buttons.
    await expect.poll(() => botMessages(page).count()).toBe(2);
    expect(await botMessages(page).first().locator('.msg__bubble').textContent()).toBe(
      `${tr('en', 'web:bot')}: ${tr('en', 'conversation:forgotten')}`,
    );
    expect(await lastBot(page).textContent()).toContain(tr('en', 'conversation:start'));
    expect(
      await botMessages(page)
        .last()
        .getByRole('button', { name: tr('en', 'conversation:browseTopics') })
        .count(),
    ).toBe(1);
    expect(problems.filter((p) => !/ERR_CONNECTION_REFUSED|Failed to fetch|net::/.test(p))).toEqual([]);
    await page.context().close();
  });

  for (const [device, viewport] of [
    ['a phone', { width: 375, height: 740 }],
    ['a tablet', { width: 820, height: 1180 }],
  ] as const) {
    it(`on ${device}: browsing the policy, a data request and my requests are one tap away in the header bar`, async () => {
      const { page, problems } = await open('lv-LV', viewport);
      await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0);
      expect(await page.locator('.side').isVisible()).toBe(false);
      const bar = page.getByRole('navigation', { name: tr('lv', 'web:quickLabel') });
      // One row of chips, so the conversation keeps the screen.
      expect((await bar.boundingBox())!.height).toBeLessThan(60);
      for (const key of ['quickTopics', 'quickRights', 'quickStatus']) {
        const action = bar.getByRole('button', { name: tr('lv', `web:${key}`) });
        expect(await action.isVisible(), key).toBe(true);
        // Fully on the screen, not cut off at the edge.
        const box = (await action.boundingBox())!;
        expect(box.x + box.width, key).toBeLessThanOrEqual(viewport.width);
      }
      await bar.getByRole('button', { name: tr('lv', 'web:quickRights') }).click();
      await expect.poll(() => lastBot(page).textContent()).toContain(tr('lv', 'requests:askRight'));
      await page
        .getByRole('button', { name: tr('lv', 'requests:button.cancel') })
        .last()
        .click();
      await expect.poll(() => lastBot(page).textContent()).toContain(tr('lv', 'requests:cancelled'));
      await bar.getByRole('button', { name: tr('lv', 'web:quickStatus') }).click();
      await expect.poll(() => lastBot(page).textContent()).toContain(tr('lv', 'requests:statusNone'));
      await bar.getByRole('button', { name: tr('lv', 'web:quickTopics') }).click();
      await expect.poll(() => lastBot(page).textContent()).toContain(tr('lv', 'conversation:topicsPrompt'));
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  }

  it('rates an answer with the thumbs: icons named for screen readers, thanked, counted once', async () => {
    const { page, problems } = await open('lv-LV', { width: 1280, height: 860 });
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0);
    await ask(page, 'Kas ir manu personas datu pārzinis?');
    // Pinned by index: `.last()` would follow the thank-you.
    const answer = botMessages(page).nth((await botMessages(page).count()) - 1);
    const rate = answer.getByRole('group').filter({ hasText: tr('lv', 'web:rateAsk') });
    const up = rate.getByRole('button', { name: tr('lv', 'web:rate_up') });
    expect(await rate.getByRole('button', { name: tr('lv', 'web:rate_down') }).count()).toBe(1);
    // Drawn as SVG, not emoji.
    expect(await up.locator('svg use').getAttribute('href')).toBe('#i-up');
    expect(await up.textContent()).not.toMatch(pictographs);

    await up.click();
    await expect.poll(() => lastBot(page).textContent()).toBe(`${tr('lv', 'web:bot')}: ${tr('lv', 'feedback:thanksUp')}`);
    expect(await up.getAttribute('aria-pressed')).toBe('true');
    expect(await page.locator('.msg--user .msg__bubble').last().textContent()).toContain(tr('lv', 'web:rate_up'));
    await up.click();
    await expect.poll(() => lastBot(page).textContent()).toBe(`${tr('lv', 'web:bot')}: ${tr('lv', 'feedback:already')}`);
    const text = await (await fetch(`${t.url}/metrics`)).text();
    expect(text).toContain('thunder_answer_feedback_total{entry="controller",vote="up",channel="web"} 1\n');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('after "delete my chat", messages pushed later still reach the page (the inbox starts again at 1)', async () => {
    const { page, problems } = await open('en-GB', { width: 1280, height: 860 });
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0);
    const sessionId = await page.evaluate(() => sessionStorage.getItem('thunder.session'));
    await t.app.core.push('web', sessionId!, [{ text: 'A note before the erasure' }, { text: 'And a second one' }]);
    await expect.poll(() => page.getByText('And a second one').count(), { timeout: 15_000 }).toBe(1);

    await page.getByRole('button', { name: tr('en', 'web:forget') }).click();
    await page.getByRole('button', { name: tr('en', 'conversation:forgetYes') }).click();
    await expect.poll(() => page.getByText('And a second one').count()).toBe(0);
    // What a request's reference or an agent's reply would be: pushed after the erasure.
    const now = await page.evaluate(() => sessionStorage.getItem('thunder.session'));
    await t.app.core.push('web', now!, [{ text: 'Your reference: KW-TEST' }]);
    await expect.poll(() => page.getByText('Your reference: KW-TEST').count(), { timeout: 15_000 }).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("at a request's details step the input takes only what the step takes, and the counter says so", async () => {
    const { page, problems } = await open('en-GB', { width: 1280, height: 860 });
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0);
    const input = page.locator('#input');
    await ask(page, 'please delete all my personal data');
    await expect.poll(() => input.getAttribute('placeholder')).toBe(tr('en', 'web:placeholder_name'));
    await ask(page, 'Anna Ozola');
    await ask(page, 'anna.ozola@example.com');
    await expect.poll(() => input.getAttribute('placeholder')).toBe(tr('en', 'web:placeholder_details'));
    expect(await input.getAttribute('maxlength')).toBe('1000');
    await input.fill('x'.repeat(950));
    expect(await page.locator('#counter').textContent()).toBe('950 / 1000');
    await input.fill('');
    await page
      .getByRole('button', { name: tr('en', 'requests:button.cancel') })
      .last()
      .click();
    await expect.poll(() => input.getAttribute('maxlength')).toBe('4000');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('answers every message over the rate limit, saying when to try again', async () => {
    const { page, problems } = await open('en-GB', { width: 390, height: 844 }, strict.url);
    await expect.poll(() => botMessages(page).count()).toBeGreaterThan(0); // the greeting took one of three
    await ask(page, 'hi');
    await ask(page, 'thanks');
    for (let i = 0; i < 2; i++) {
      await ask(page, `one more ${i}`);
      expect(await lastBot(page).textContent()).toMatch(/Please wait \d+ seconds? and try again\.$/);
    }
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it('embeds on another site: the launcher opens the chat, Escape and the close button close it', async () => {
    const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    await page.goto(`${siteUrl}/`);
    const launcher = page.getByRole('button', { name: 'Open the privacy assistant' });
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await launcher.click();
    const frameEl = page.locator('iframe[title="KILOWATS privacy assistant"]');
    await expect.poll(() => frameEl.isVisible()).toBe(true);
    const frame = page.frameLocator('iframe[title="KILOWATS privacy assistant"]');
    await expect.poll(() => frame.locator('.msg--bot').count()).toBeGreaterThan(0);
    expect(await frame.locator('.chat__title').textContent()).toBe('KILOWATS privacy assistant');
    // Embedded: no side card but its actions in the header bar, the cursor in the input, a close button.
    expect(await frame.locator('.side').isVisible()).toBe(false);
    await frame.getByRole('button', { name: tr('en', 'web:quickRights') }).click();
    await expect.poll(() => frame.locator('.msg--bot').last().textContent()).toContain(tr('en', 'requests:askRight'));
    await expect.poll(() => frame.locator('#input').evaluate((el) => el === document.activeElement)).toBe(true);

    await page.keyboard.press('Escape');
    await expect.poll(() => frameEl.isVisible()).toBe(false);
    expect(await launcher.getAttribute('aria-expanded')).toBe('false');
    await expect.poll(() => launcher.evaluate((el) => el === document.activeElement)).toBe(true);

    await launcher.click();
    await expect.poll(() => frameEl.isVisible()).toBe(true);
    await frame.getByRole('button', { name: 'Close the chat' }).click();
    await expect.poll(() => frameEl.isVisible()).toBe(false);
    await context.close();
  });
});
