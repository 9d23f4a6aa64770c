import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RIGHTS, type Right } from '../../src/answers/schema.js';
import { contactsOf } from '../../src/escalation/contacts.js';
import { startStandin, type RunningStandin } from '../../src/requests/standin/server.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { FakeTelegram, type SentMessage } from '../helpers/fake-telegram.js';
import { htmlText, tr } from '../helpers/locales.js';
import { until } from './drive.js';

/** The request flow end to end: real grammY bot, fake Bot API, the stand-in request API over HTTP. */

const TOKEN = 'e2e-request-api-token';
let dir: string;
let api: RunningStandin;
let fake: FakeTelegram;
let t: TestApp;
// long ids: "not in the request" must not be hit by chance digits in a UUID or timestamp
let nextUser = 987_654_000;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'thunder-rq-tg-'));
  api = await startStandin({ file: join(dir, 'api.sqlite'), token: TOKEN });
  fake = await FakeTelegram.start();
  t = await startTestApp({ ...fake.env(), REQUEST_API_URL: api.url, REQUEST_API_TOKEN: TOKEN, WEB_CHAT: 'false' });
});

afterAll(async () => {
  await t?.teardown();
  await fake?.close();
  await api?.close();
  rmSync(dir, { recursive: true, force: true });
});

const text = (m: SentMessage | undefined) => htmlText(m?.text ?? '');
const dataOf = (m: SentMessage | undefined): string[] =>
  (m?.reply_markup?.inline_keyboard ?? []).flat().map((b: { callback_data: string }) => b.callback_data);
const step = (lang: 'lv' | 'en', n: number) => tr(lang, 'requests:step', { n, total: 5 });

async function send(u: number, lang: 'lv' | 'en', input: { text?: string; button?: string }, expect = 1): Promise<SentMessage[]> {
  const next = fake.nextMessages(u, expect);
  if (input.button) fake.pressButton(u, input.button, { lang });
  else fake.sendText(u, input.text!, { lang });
  return next;
}

const cases = (['lv', 'en'] as const).flatMap((lang) => RIGHTS.map((right) => [lang, right] as const));

describe('rights requests on Telegram', () => {
  it.each(cases)('%s: files a %s request and tells the reference and due date', async (lang, right: Right) => {
    const u = nextUser++;
    const [choose] = await send(u, lang, { text: '/rights' });
    expect(text(choose)).toContain(step(lang, 1));
    expect(dataOf(choose)).toEqual([...RIGHTS.map((r) => `rq:right:${r}`), 'rq:cancel']);
    const [askName] = await send(u, lang, { button: `rq:right:${right}` });
    expect(text(askName)).toContain(tr(lang, 'requests:chosenRight', { right: tr(lang, `requests:right.${right}`) }));
    expect(text(askName)).toContain(tr(lang, 'requests:askName'));
    const [askContact] = await send(u, lang, { text: 'Jana Bērziņa' });
    expect(text(askContact)).toContain(tr(lang, 'requests:askContact'));
    const [bad] = await send(u, lang, { text: '12345' });
    expect(text(bad)).toContain(tr(lang, 'requests:invalidContact'));
    const [askDetails] = await send(u, lang, { text: 'jana@example.lv, 2612 3456' });
    // Rectification cannot be acted on without saying what is wrong: no skipping there.
    const required = right === 'rectification';
    expect(dataOf(askDetails)).toEqual(required ? ['rq:cancel'] : ['rq:skip', 'rq:cancel']);
    expect(text(askDetails)).toContain(tr(lang, 'requests:detailsLimit', { max: 1000 }));
    const details = lang === 'lv' || required ? 'Par 2024. gada rēķiniem' : undefined;
    const [notice, summary] = await send(u, lang, details ? { text: details } : { button: 'rq:skip' }, 2);
    expect(text(notice)).toContain(tr(lang, 'requests:notice'));
    expect(text(summary)).toContain(
      tr(lang, 'requests:summary', {
        right: tr(lang, `requests:right.${right}`),
        name: 'Jana Bērziņa',
        email: 'jana@example.lv',
        phone: '+37126123456',
        details: details ?? tr(lang, 'requests:none'),
      }),
    );
    expect(dataOf(summary)).toEqual(['rq:confirm', 'rq:edit', 'rq:cancel']);
    const [recorded, accepted] = await send(u, lang, { button: 'rq:confirm' }, 2);
    expect(text(recorded)).toBe(tr(lang, 'requests:recorded'));

    const filed = (await api.list()).filter((r) => r.request.channel === 'telegram' && r.type === right && r.request.language === lang);
    expect(filed).toHaveLength(1);
    const [req] = filed;
    expect(req!.request.subject).toEqual({ name: 'Jana Bērziņa', email: 'jana@example.lv', phone: '+37126123456' });
    expect(req!.request.details).toBe(details);
    expect(JSON.stringify(req)).not.toContain(String(u));
    const due = new Intl.DateTimeFormat(lang === 'lv' ? 'lv-LV' : 'en-GB', { dateStyle: 'long', timeZone: 'Europe/Riga' }).format(
      new Date(req!.dueAt),
    );
    expect(text(accepted)).toBe(tr(lang, 'requests:accepted', { right: tr(lang, `requests:right.${right}`), ref: req!.id, due }));
  });

  it.each(['lv', 'en'] as const)('%s: cancel works at every step, by button and by word', async (lang) => {
    const word = lang === 'lv' ? 'atcelt' : 'cancel';
    const u = nextUser++;
    const before = (await api.list()).length;
    const ways: { text?: string; button?: string }[] = [
      { button: 'rq:cancel' },
      { text: word },
      { text: '/cancel' },
      { text: word.toUpperCase() },
    ];
    const toStep: { text?: string; button?: string }[] = [
      { button: 'rq:right:access' },
      { text: 'Anna Ozola' },
      { text: 'anna@example.lv' },
      { button: 'rq:skip' },
    ];
    for (let at = 0; at <= 4; at++) {
      const [first] = await send(u, lang, { button: 'rq:start' });
      expect(text(first)).toContain(step(lang, 1));
      for (const input of toStep.slice(0, at)) await send(u, lang, input, input.button === 'rq:skip' ? 2 : 1);
      const [cancelled] = await send(u, lang, ways[at % ways.length]!);
      expect(text(cancelled)).toBe(tr(lang, 'requests:cancelled'));
      expect((await t.app.core.sessions.get(`telegram:${u}`))?.flow).toBeUndefined();
    }
    expect((await api.list()).length).toBe(before);
  });

  it.each(['lv', 'en'] as const)('%s: edits a field from the summary, then files the edited request', async (lang) => {
    const u = nextUser++;
    await send(u, lang, { button: 'rq:start:rectification' });
    await send(u, lang, { text: 'Pēteris Kalniņš' });
    const [askWhat] = await send(u, lang, { text: 'peteris@example.lv' });
    expect(text(askWhat)).toContain(tr(lang, 'requests:askDetailsFor.rectification'));
    expect(dataOf(askWhat)).toEqual(['rq:cancel']);
    const [required] = await send(u, lang, { button: 'rq:skip' });
    expect(text(required)).toContain(tr(lang, 'requests:detailsRequired'));
    await send(u, lang, { text: 'Adrese: Brīvības iela 10, nevis 1' }, 2);
    const [fields] = await send(u, lang, { button: 'rq:edit' });
    expect(dataOf(fields)).toEqual(['rq:edit:right', 'rq:edit:name', 'rq:edit:contact', 'rq:edit:details', 'rq:back', 'rq:cancel']);
    const [askContact] = await send(u, lang, { button: 'rq:edit:contact' });
    expect(text(askContact)).toContain(tr(lang, 'requests:askContact'));
    const [, summary] = await send(u, lang, { text: '+44 20 7946 0958' }, 2);
    expect(text(summary)).toContain('+442079460958');
    expect(text(summary)).not.toContain('peteris@example.lv');
    await send(u, lang, { button: 'rq:edit' });
    await send(u, lang, { button: 'rq:edit:right' });
    await send(u, lang, { button: 'rq:right:objection' }, 2);
    await send(u, lang, { button: 'rq:confirm' }, 2);
    const mine = (await api.list()).filter((r) => r.request.subject.name === 'Pēteris Kalniņš' && r.request.language === lang);
    expect(mine.map((r) => [r.type, r.request.subject])).toEqual([['objection', { name: 'Pēteris Kalniņš', phone: '+442079460958' }]]);
  });

  it('starts from the button under an answer and from free text asking to exercise a right', async () => {
    const u = nextUser++;
    const [m] = await send(u, 'lv', { text: 'gribu, lai izdzēšat manus datus' });
    expect(text(m)).toContain(tr('lv', 'requests:chosenRight', { right: tr('lv', 'requests:right.erasure') }));
    expect(text(m)).toContain(step('lv', 2));
    await send(u, 'lv', { button: 'rq:cancel' });
    const [b] = await send(u, 'lv', { button: 'rq:start:portability' });
    expect(text(b)).toContain(tr('lv', 'requests:chosenRight', { right: tr('lv', 'requests:right.portability') }));
  });

  it('a request asked for in free text is run in the language it was written in, until the user chooses one', async () => {
    const u = nextUser++;
    const [m] = await send(u, 'en', { text: 'lūdzu, izdzēsiet visus manus personas datus' });
    expect(text(m)).toContain(tr('lv', 'requests:chosenRight', { right: tr('lv', 'requests:right.erasure') }));
    await send(u, 'lv', { button: 'rq:cancel' });
    const [e] = await send(u, 'lv', { text: 'please delete all my personal data' });
    expect(text(e)).toContain(tr('en', 'requests:chosenRight', { right: tr('en', 'requests:right.erasure') }));
    await send(u, 'lv', { button: 'rq:cancel' });
    // Chosen with the language buttons: the form keeps to it.
    await send(u, 'en', { button: 'lang:lv' });
    const [kept] = await send(u, 'en', { text: 'please delete all my personal data' });
    expect(text(kept)).toContain(tr('lv', 'requests:chosenRight', { right: tr('lv', 'requests:right.erasure') }));
  });

  it('refuses a personal code and documents, and lets other commands through mid-flow', async () => {
    const u = nextUser++;
    await send(u, 'lv', { button: 'rq:start:access' });
    const [noCode] = await send(u, 'lv', { text: '320190-12345' });
    expect(text(noCode)).toContain(tr('lv', 'requests:personalCode'));
    await send(u, 'lv', { text: 'Jana Bērziņa' });
    await send(u, 'lv', { text: 'jana@example.lv' });
    const [refused] = await send(u, 'lv', { text: 'mans personas kods ir 010190-12345' });
    expect(text(refused)).toContain(tr('lv', 'requests:askDetails'));
    expect(text(refused)).toContain(tr('lv', 'requests:personalCode'));
    const photo = fake.nextMessages(u, 1);
    fake.sendPhoto(u, { lang: 'lv' });
    expect(text((await photo)[0])).toContain(tr('lv', 'requests:noDocuments'));
    const [help, paused] = await send(u, 'lv', { text: '/help' }, 2);
    expect(text(help)).not.toContain(step('lv', 4));
    expect(text(paused)).toBe(tr('lv', 'requests:paused', { n: 4, total: 5 }));
    expect(dataOf(paused)).toEqual(['rq:resume', 'rq:cancel']);
    const [back] = await send(u, 'lv', { text: '/rights' });
    expect(text(back)).toContain(tr('lv', 'requests:resumed'));
    expect(text(back)).toContain(step('lv', 4));
    const [notice] = await send(u, 'lv', { text: 'Par manu klienta kontu' }, 2);
    expect(text(notice)).toContain(tr('lv', 'requests:notice'));
    const session = await t.app.core.sessions.get(`telegram:${u}`);
    expect(session?.flow?.data).toMatchObject({ right: 'access', details: 'Par manu klienta kontu' });
    expect(JSON.stringify(session)).not.toContain('010190');
  });

  it('/status lists the requests with their status from the API', async () => {
    const u = nextUser++;
    await send(u, 'en', { button: 'rq:start:restriction' });
    await send(u, 'en', { text: 'Jana Bērziņa' });
    await send(u, 'en', { text: 'jana@example.lv' });
    await send(u, 'en', { button: 'rq:skip' }, 2);
    await send(u, 'en', { button: 'rq:confirm' }, 2);
    const ids = (await t.app.core.sessions.get(`telegram:${u}`))!.requestIds;
    const item = await until(async () => (await t.app.requests!.outbox.get(ids[0]!))?.ref);
    await api.setStatus(item, 'completed');
    const [status] = await send(u, 'en', { text: '/status' });
    expect(text(status)).toContain(`${tr('en', 'requests:right.restriction')} — ${tr('en', 'requests:status.completed')}, ref. ${item}`);
  });

  it('/forget erases the draft and the local copies of filed requests', async () => {
    const u = nextUser++;
    await send(u, 'en', { button: 'rq:start:access' });
    await send(u, 'en', { text: 'Jana Bērziņa' });
    await send(u, 'en', { text: 'jana@example.lv' });
    await send(u, 'en', { button: 'rq:skip' }, 2);
    await send(u, 'en', { button: 'rq:confirm' }, 2);
    const [id] = (await t.app.core.sessions.get(`telegram:${u}`))!.requestIds;
    expect((await t.app.requests!.outbox.get(id!))?.state).toBe('accepted');
    const ref = (await t.app.requests!.outbox.get(id!))?.ref;
    await send(u, 'en', { button: 'rq:start:erasure' });
    // The open request's number is shown before the erasure: this chat will not know it afterwards.
    const [note, confirm] = await send(u, 'en', { text: '/forget' }, 2);
    expect(text(note)).toContain(tr('en', 'requests:forgetRequests'));
    expect(text(note)).toContain(tr('en', 'requests:forgetRequestLine', { right: tr('en', 'requests:right.access'), ref: ref! }));
    expect(text(note)).toContain(tr('en', 'requests:forgetRequestsAsk', { email: contactsOf(t.app.engine.kb).email }));
    expect(text(confirm)).toBe(tr('en', 'conversation:forgetConfirm'));
    await send(u, 'en', { button: 'forget:yes' });
    expect(await t.app.requests!.outbox.get(id!)).toBeUndefined();
    expect((await t.app.core.sessions.get(`telegram:${u}`))?.flow).toBeUndefined();
    expect((await t.app.core.sessions.get(`telegram:${u}`))?.requestIds ?? []).toEqual([]);
  });
});
