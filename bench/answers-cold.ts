/*
 * One cold start, measured in a fresh process by bench/answers.ts: load the knowledge base and
 * build the matcher, then answer one question. Module imports are not counted.
 * Prints {"wall": ms, "cpu": ms}.
 */
import Fuse from 'fuse.js';
import { AnswerEngine } from '../src/answers/engine.js';
import { loadKnowledge } from '../src/answers/knowledge.js';

const which = process.argv[2];
const cpuStart = process.cpuUsage();
const started = performance.now();
const kb = loadKnowledge();
if (which === 'baseline') {
  const docs = [...kb.entries.values()].flatMap((e) =>
    [...e.questions.lv, ...e.questions.en, ...e.keywords.lv, ...e.keywords.en].map((text) => ({ id: e.id, text })),
  );
  new Fuse(docs, { keys: ['text'] }).search('dati', { limit: 1 });
} else {
  new AnswerEngine(kb).ask('dati', 'lv');
}
const wall = performance.now() - started;
const cpu = process.cpuUsage(cpuStart);
process.stdout.write(JSON.stringify({ wall, cpu: (cpu.user + cpu.system) / 1000 }));
