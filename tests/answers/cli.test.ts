import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../src/paths.js';
import { tr } from '../helpers/locales.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function thunder(args: string[], input = '', env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/thunder.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, LC_ALL: '', LC_MESSAGES: '', LANG: 'C.UTF-8', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const lines = (out: string) =>
  out
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('thunder ask --json', () => {
  it('adds the intent, the right being exercised and a language it does not serve', async () => {
    const input = ['dzēsiet manus datus', 'gribu runāt ar cilvēku', 'Как удалить мои данные?'].join('\n');
    const out = lines((await thunder(['ask', '--json'], `${input}\n`)).stdout);
    expect(out[0]).toMatchObject({ intent: 'exercise', right: 'erasure', entry: 'right-erasure' });
    expect(out[1]).toMatchObject({ intent: 'human', entry: null });
    expect(out[2]).toMatchObject({ intent: 'other_language', otherLang: 'ru', entry: null });
  });

  it('answers one JSON object per input line, in order, blank lines too (line n out answers line n in)', async () => {
    const input = ['kā iesniegt sūdzību', 'How long do you keep my data?', 'What is the capital of France?', '', '   ', '🔥🔥🔥'].join(
      '\n',
    );
    const run = await thunder(['ask', '--json'], `${input}\n`);
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out.map((o) => o.q)).toEqual(input.split('\n'));
    for (const o of out) expect(Object.keys(o).sort()).toEqual(['answer', 'confidence', 'entry', 'intent', 'lang', 'q', 'suggestions']);
    expect(out.map((o) => o.intent)).toEqual(['policy', 'policy', 'none', 'none', 'none', 'none']);
    expect(out[0]).toMatchObject({ lang: 'lv', entry: expect.stringMatching(/^complaint-/) });
    expect(out[1]).toMatchObject({ lang: 'en', entry: 'retention' });
    expect(out[1]!.answer).toMatch(/kept|retention|long/i);
    expect(out[2]).toMatchObject({ entry: null, lang: 'en' });
    expect(out[2]!.answer).toMatch(/doesn't answer/);
    expect(out[3]).toMatchObject({ q: '', entry: null, suggestions: [] });
    expect(out[5]).toMatchObject({ q: '🔥🔥🔥', entry: null, suggestions: [] });
    expect(out[0]!.confidence).toBeGreaterThanOrEqual(0.5);
  });

  it("a conversation intent's answer is its own reply, never the 'policy does not answer' fallback", async () => {
    const input = ['hi', 'gribu runāt ar cilvēku', 'kāds ir mana pieprasījuma statuss', 'Как удалить мои данные?'].join('\n');
    const out = lines((await thunder(['ask', '--json'], `${input}\n`)).stdout);
    expect(out.map((o) => o.intent)).toEqual(['greeting', 'human', 'status', 'other_language']);
    expect(out[0]!.answer).toBe(tr('en', 'conversation:greeting'));
    expect(out[1]!.answer).toBe(tr('lv', 'answers:intent.human'));
    expect(out[2]!.answer).toBe(tr('lv', 'answers:intent.status'));
    expect(out[3]!.answer).toMatch(/^Я отвечаю только на латышском и английском/);
    for (const o of out) {
      expect(o.answer).not.toBe(tr('lv', 'answers:fallback'));
      expect(o.answer).not.toBe(tr('en', 'answers:fallback'));
    }
  });

  it('uses --lang for text whose language cannot be told', async () => {
    const [lvRun, enRun] = await Promise.all([
      thunder(['ask', '--json', '--lang', 'lv'], 'GDPR\n'),
      thunder(['ask', '--json', '--lang', 'en'], 'GDPR\n'),
    ]);
    const lv = lines(lvRun.stdout)[0]!;
    const en = lines(enRun.stdout)[0]!;
    expect(lv.lang).toBe('lv');
    expect(en.lang).toBe('en');
  });

  it('streams thousands of lines', async () => {
    const questions = ['cik ilgi glabājat datus', 'who is the data controller', 'kā dzēst manus datus', 'nonsense qwerty'];
    const input = Array.from({ length: 4000 }, (_, i) => questions[i % questions.length]).join('\n');
    const run = await thunder(['ask', '--json'], input);
    expect(run.code).toBe(0);
    const out = lines(run.stdout);
    expect(out).toHaveLength(4000);
    expect(out[3999]!.q).toBe('nonsense qwerty');
    expect(out[1]!.entry).toBe(out[4001 % 4]!.entry);
  });
});

describe('thunder ask', () => {
  it('prints the answer, its section and the confidence', async () => {
    const run = await thunder(['ask', 'Kam var iesniegt sūdzību par datu apstrādi?']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Politikas sadaļa: .+/);
    expect(run.stdout).toMatch(/Pārliecība: (0|1)\.\d\d/);
  });

  it('prints the fallback for a question the policy does not answer', async () => {
    const run = await thunder(['ask', '--lang', 'en', 'tell me a joke']);
    expect(run.stdout).toMatch(/privacy policy doesn't answer/);
  });

  it("prints one help for no arguments and --help, in the environment's language or English", async () => {
    const [none, help, lv, lvNone] = await Promise.all([
      thunder([]),
      thunder(['--help']),
      thunder(['--help'], '', { LANG: 'lv_LV.UTF-8' }),
      thunder([], '', { LC_ALL: 'lv_LV.UTF-8', LANG: 'en_GB.UTF-8' }),
    ]);
    expect(none.code).toBe(0);
    expect(none.stdout).toBe(help.stdout);
    expect(help.stdout).toMatch(/^Usage:/);
    expect(lv.stdout).toMatch(/^Lietošana:/);
    expect(lvNone.stdout).toBe(lv.stdout);
  });

  it('rejects bad usage with exit code 64', async () => {
    const runs = await Promise.all([thunder(['frobnicate']), thunder(['ask', '--lang', 'de', 'x']), thunder(['ask', '--bogus'])]);
    expect(runs.map((r) => r.code)).toEqual([64, 64, 64]);
    expect(runs[0]!.stderr).toMatch(/thunder ask/);
    // Each names what was wrong before the usage.
    expect(runs[0]!.stderr.startsWith(tr('en', 'answers:cliUnknownCommand', { command: 'frobnicate' }))).toBe(true);
    expect(runs[1]!.stderr.startsWith(tr('en', 'answers:cliBadLang', { lang: 'de' }))).toBe(true);
    expect(runs[2]!.stderr).toMatch(/bogus/);
  });

  it('an empty question says so and exits 64, in ask and ask --explain, and in Latvian for a Latvian environment', async () => {
    const runs = await Promise.all([
      thunder(['ask', '']),
      thunder(['ask', '--explain', '  ']),
      thunder(['ask', ''], '', { LANG: 'lv_LV.UTF-8' }),
    ]);
    expect(runs.map((r) => r.code)).toEqual([64, 64, 64]);
    expect(runs.map((r) => r.stdout)).toEqual(['', '', '']);
    expect(runs[0]!.stderr.startsWith(tr('en', 'answers:cliEmptyQuestion'))).toBe(true);
    expect(runs[1]!.stderr.startsWith(tr('en', 'answers:cliEmptyQuestion'))).toBe(true);
    expect(runs[2]!.stderr.startsWith(tr('lv', 'answers:cliEmptyQuestion'))).toBe(true);
  });
});
