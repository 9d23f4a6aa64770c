import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import type { TFunction } from 'i18next';
import { AnswerEngine, type Answer, type Explanation } from '../answers/engine.js';
import { KnowledgeError, loadKnowledge } from '../answers/knowledge.js';
import { ExitCode } from '../core/errors.js';
import { LANGS, type Intent, type Lang, type Right } from '../domain.js';
import { createI18n } from '../i18n/index.js';
import { ConfigError, loadConfig } from '../config/index.js';
import { type Contacts, contactsOf } from '../escalation/contacts.js';
import { exportOverlay } from '../learning/export.js';
import { Store } from '../state/store.js';

/** One line of `thunder ask --json`: the contract the held-out evaluation reads. */
export interface AskRecord {
  q: string;
  lang: Lang;
  entry: string | null;
  confidence: number;
  answer: string;
  suggestions: string[];
  intent: Intent;
  /** The right the user asks to exercise (intent `exercise`). */
  right?: Right;
  /** The language Thunder does not serve that the message is in (intent `other_language`). */
  otherLang?: string;
}

/** What the chat would say: the entry's answer, a conversation intent's own reply, or the fallback when the policy does not answer. */
function answerText(answer: Answer, t: TFunction, contacts: Contacts): string {
  const lng = answer.lang;
  if (answer.entry) return answer.entry.answer[lng];
  switch (answer.intent) {
    case 'greeting':
    case 'thanks':
    case 'help':
      return t(`conversation:${answer.intent}`, { lng });
    case 'human':
    case 'status':
      return t(`answers:intent.${answer.intent}`, { lng });
    case 'other_language':
      // In that language where locales/ has it, else English (i18next's fallback), as the chat says it.
      return t('conversation:otherLanguage', { lng: answer.otherLang ?? 'en', ...contacts });
    default:
      return t('answers:fallback', { lng });
  }
}

function record(q: string, answer: Answer, t: TFunction, contacts: Contacts): AskRecord {
  return {
    q,
    lang: answer.lang,
    entry: answer.entry?.id ?? null,
    confidence: Math.round(answer.confidence * 1000) / 1000,
    answer: answerText(answer, t, contacts),
    suggestions: answer.suggestions.map((s) => s.id),
    intent: answer.intent,
    ...(answer.exercise && { right: answer.exercise }),
    ...(answer.otherLang && { otherLang: answer.otherLang }),
  };
}

function humanText(answer: Answer, t: TFunction, contacts: Contacts): string {
  const lng = answer.lang;
  const lines = [answerText(answer, t, contacts)];
  if (answer.entry) {
    lines.push('', `${t('answers:section', { lng })}: ${answer.entry.section.title[lng]}`);
  }
  lines.push(`${t('answers:confidence', { lng })}: ${answer.confidence.toFixed(2)}`);
  if (answer.suggestions.length > 0) {
    lines.push('', t('answers:didYouMean', { lng }), ...answer.suggestions.map((s) => `  • ${s.questions[lng][0]}`));
  }
  return lines.join('\n');
}

/** `--explain`: the terms as read, the top five candidates, the language and the evidence. Not translated: a tool for whoever tunes the knowledge base. */
function explainText(x: Explanation): string {
  const p = (n: number) => n.toFixed(3);
  const a = x.answer;
  const lines = [
    `terms: ${x.terms.join(' ') || '(none)'}`,
    `languages: ${x.languages
      .slice(0, 3)
      .map((l) => `${l.lang} ${p(l.p)}`)
      .join(', ')}`,
    'candidates:',
    ...x.candidates.map((c) => `  ${p(c.p)}  ${c.label}`),
    'evidence for the top candidate (feature: weight):',
    ...x.evidence.map(([f, w]) => `  ${f}: ${w.toFixed(2)}`),
    `intent: ${a.intent}${a.exercise ? ` (${a.exercise})` : ''}${a.otherLang ? ` (${a.otherLang})` : ''}  entry: ${a.entry?.id ?? 'none'}  confidence: ${p(a.confidence)}  lang: ${a.lang}`,
  ];
  return `${lines.join('\n')}\n`;
}

async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

/** Answers stdin line by line as it arrives, so thousands of lines stream in constant memory. */
async function askLines(engine: AnswerEngine, lang: Lang, t: TFunction, json: boolean): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  const contacts = contactsOf(engine.kb);
  for await (const line of lines) {
    // A blank line asks nothing; with --json it still gets its record, so output line n answers input line n.
    if (!line.trim() && !json) continue;
    const answer = engine.ask(line, lang);
    await write(json ? `${JSON.stringify(record(line, answer, t, contacts))}\n` : `${humanText(answer, t, contacts)}\n\n`);
  }
}

/** The help's language: the environment's (LC_ALL, LC_MESSAGES, LANG, as POSIX orders them) when Latvian, else English. */
export function helpLang(env: NodeJS.ProcessEnv = process.env): Lang {
  const locale = env.LC_ALL || env.LC_MESSAGES || env.LANG || '';
  return /^lv([_.@-]|$)/i.test(locale) ? 'lv' : 'en';
}

async function main(argv: string[]): Promise<number> {
  const t = createI18n().t;
  const help = t('answers:cliUsage', { lng: helpLang() });
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        explain: { type: 'boolean', default: false },
        lang: { type: 'string', default: 'lv' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n${help}\n`);
    return ExitCode.Usage;
  }
  const { values, positionals } = parsed;
  const lang = values.lang as Lang;
  const usage = (problem: string) => {
    process.stderr.write(`${problem}\n\n${help}\n`);
    return ExitCode.Usage;
  };
  const lng = helpLang();
  // One help: `thunder`, `thunder --help` and `thunder -h` print the same text.
  if (values.help || argv.length === 0) {
    process.stdout.write(`${help}\n`);
    return ExitCode.Ok;
  }
  if (positionals[0] === 'kb' && positionals[1] === 'export') return kbExport(values.out);
  if (positionals[0] !== 'ask') return usage(t('answers:cliUnknownCommand', { lng, command: positionals[0] ?? '' }));
  if (!LANGS.includes(lang)) return usage(t('answers:cliBadLang', { lng, lang }));
  const question = positionals.slice(1).join(' ').trim();
  // `ask ""` is a question that is not there, not "read stdin".
  if (positionals.length > 1 && !question) return usage(t('answers:cliEmptyQuestion', { lng }));
  let engine: AnswerEngine;
  try {
    engine = new AnswerEngine(loadKnowledge());
  } catch (err) {
    if (!(err instanceof KnowledgeError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return ExitCode.DataError;
  }
  if (question && values.explain) {
    await write(explainText(engine.explain(question, lang)));
  } else if (question) {
    const answer = engine.ask(question, lang);
    const contacts = contactsOf(engine.kb);
    await write(values.json ? `${JSON.stringify(record(question, answer, t, contacts))}\n` : `${humanText(answer, t, contacts)}\n`);
  } else {
    await askLines(engine, lang, t, values.json);
  }
  return ExitCode.Ok;
}

/** `thunder kb export [--out file]`: the knowledge overlay from the store the configuration names (DATA_DIR or REDIS_URL). */
async function kbExport(out: string | undefined): Promise<number> {
  await import('dotenv/config');
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${err.message}\n`);
    return ExitCode.Config;
  }
  const store = new Store({ redisUrl: config.REDIS_URL, dataDir: config.DATA_DIR, prefix: config.STORE_PREFIX });
  try {
    const yaml = await exportOverlay(store);
    if (out) writeFileSync(out, yaml);
    else await write(yaml);
  } finally {
    await store.close();
  }
  return ExitCode.Ok;
}

process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  // the reader went away (`thunder ask --json < big | head`): stop quietly
  if (err.code === 'EPIPE') process.exit(ExitCode.Ok);
  throw err;
});
process.exitCode = await main(process.argv.slice(2));
