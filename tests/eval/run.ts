/*
 * npm run eval — how the model does on the labelled questions of knowledge/training when each
 * writer's file is held out in turn (5-fold cross-validation by file), with a reliability table;
 * then the knowledge base's own samples that sit between two entries. These figures are on
 * training data: the honest ones come from `npm run eval:val` (sets never tuned on).
 */
import { AnswerEngine } from '../../src/answers/engine.js';
import { loadKnowledge } from '../../src/answers/knowledge.js';
import { crossValidate, fitCalibration, report } from '../../src/answers/train.js';
import { labelledSamples, readTrainingFiles } from '../../src/answers/training.js';

/** Two entries this close (calibrated probability) for a sample are reported as a near tie. */
const NEAR = 0.25;

const kb = loadKnowledge();
const files = readTrainingFiles();
const samples = labelledSamples(kb, files);
const oof = crossValidate(kb, samples, (s) => s.file !== undefined);
console.log(`cross-validated on ${oof.length} labelled training questions (folds hold out whole files)`);
console.log(report(oof, kb, fitCalibration(oof, kb)));

const engine = new AnswerEngine(kb, { training: files });
const between = samples
  .filter((s) => s.file === undefined && kb.entries.has(s.label) && s.weight >= 1)
  .map((s) => ({ s, top: engine.explain(s.text, s.lang as 'lv' | 'en').candidates.filter((c) => kb.entries.has(c.label)) }))
  .filter(({ top }) => top.length >= 2 && top[0]!.p - top[1]!.p < NEAR);
console.log(`\nknowledge-base samples between two entries (top two within ${NEAR}): ${between.length}`);
for (const { s, top } of between)
  console.log(
    `  ${s.label}: ${JSON.stringify(s.text)} — ${top[0]!.label} ${top[0]!.p.toFixed(2)}, ${top[1]!.label} ${top[1]!.p.toFixed(2)}`,
  );
