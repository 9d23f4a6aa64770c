import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { loadKnowledge } from '../answers/knowledge.js';
import { buildArtefact, crossValidate, fitCalibration, report } from '../answers/train.js';
import { labelledSamples, MODEL_FILE, readTrainingFiles } from '../answers/training.js';

/*
 * npm run train: cross-validates on knowledge/training, fits the calibration, trains the models on
 * everything and writes knowledge/model/answers.json. Deterministic: the same inputs give the same file.
 */
const kb = loadKnowledge();
const files = readTrainingFiles();
const samples = labelledSamples(kb, files);
const oof = crossValidate(kb, samples, (s) => s.file !== undefined);
const calibration = fitCalibration(oof, kb);
console.log(report(oof, kb, calibration));
const artefact = buildArtefact(kb, files, samples, calibration);
mkdirSync(dirname(MODEL_FILE), { recursive: true });
writeFileSync(MODEL_FILE, `${JSON.stringify(artefact)}\n`);
console.log(`wrote ${MODEL_FILE} (${artefact.intent.features.length} features, hash ${artefact.hash})`);
