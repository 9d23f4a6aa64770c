import type { Features } from './features.js';

/*
 * Multinomial logistic regression (softmax over classes) on sparse features, trained by AdaGrad
 * with L2 regularisation in a seeded order, so the same samples always give the same weights.
 * Only features seen in at least MIN_COUNT samples are kept: a word one sample used says little.
 */

export interface Sample {
  features: Features;
  label: number;
  weight: number;
}

export interface TrainOptions {
  epochs: number;
  rate: number;
  l2: number;
  minCount: number;
  seed: number;
}

/** A class whose gradient for a sample is below this is not updated for it. */
const SKIP_GRADIENT = 1e-4;

export const TRAIN_OPTIONS: TrainOptions = { epochs: 14, rate: 0.3, l2: 1e-6, minCount: 2, seed: 7 };

export interface IndexedSample {
  idx: Int32Array;
  val: Float64Array;
  label: number;
  weight: number;
}

/** Feature → number, for features seen in at least `minCount` samples, in sorted order. */
export function vocabulary(samples: Sample[], minCount: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (const s of samples) for (const key of s.features.keys()) counts.set(key, (counts.get(key) ?? 0) + 1);
  const index = new Map<string, number>();
  for (const key of [...counts.keys()].sort()) if (counts.get(key)! >= minCount) index.set(key, index.size);
  return index;
}

export function indexed(sample: Sample, index: Map<string, number>): IndexedSample {
  const idx: number[] = [];
  const val: number[] = [];
  for (const [key, value] of sample.features) {
    const f = index.get(key);
    if (f !== undefined) {
      idx.push(f);
      val.push(value);
    }
  }
  return { idx: Int32Array.from(idx), val: Float64Array.from(val), label: sample.label, weight: sample.weight };
}

/** The weights as stored: int8 per feature and class with a scale per class. */
export interface StoredModel {
  classes: string[];
  features: string[];
  bias: number[];
  scales: number[];
  /** base64 of Int8Array features × classes, row per feature */
  weights: string;
}

/** Deterministic PRNG (mulberry32): the training order is the same on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class LinearModel {
  readonly classes: string[];
  private readonly index: Map<string, number>;
  /** feature × class, row per feature */
  private readonly w: Float32Array;
  private readonly bias: Float64Array;

  private constructor(classes: string[], index: Map<string, number>, w: Float32Array, bias: Float64Array) {
    this.classes = classes;
    this.index = index;
    this.w = w;
    this.bias = bias;
  }

  has(feature: string): boolean {
    return this.index.has(feature);
  }

  /** The words among the features (`w|word`). */
  words(): string[] {
    return [...this.index.keys()].filter((key) => key.startsWith('w|')).map((key) => key.slice(2));
  }

  /** Raw class scores (logits). */
  logits(features: Features): Float64Array {
    const c = this.classes.length;
    const out = Float64Array.from(this.bias);
    for (const [key, value] of features) {
      const f = this.index.get(key);
      if (f === undefined) continue;
      const row = f * c;
      for (let k = 0; k < c; k++) out[k]! += value * this.w[row + k]!;
    }
    return out;
  }

  /** Per feature present, its contribution to a class's score (for --explain). */
  contributions(features: Features, cls: number): [string, number][] {
    const c = this.classes.length;
    const out: [string, number][] = [];
    for (const [key, value] of features) {
      const f = this.index.get(key);
      if (f !== undefined) out.push([key, value * this.w[f * c + cls]!]);
    }
    return out.sort((a, b) => Math.abs(b[1]) - Math.abs(a[1]));
  }

  static train(classes: string[], samples: Sample[], options: TrainOptions = TRAIN_OPTIONS): LinearModel {
    const index = vocabulary(samples, options.minCount);
    return LinearModel.trainIndexed(
      classes,
      index,
      samples.map((s) => indexed(s, index)),
      options,
    );
  }

  /** Training on samples already mapped to feature numbers (cross-validation maps them once). */
  static trainIndexed(
    classes: string[],
    index: Map<string, number>,
    rows: IndexedSample[],
    options: TrainOptions = TRAIN_OPTIONS,
  ): LinearModel {
    const c = classes.length;
    const w = new Float32Array(index.size * c);
    const g2 = new Float32Array(index.size * c);
    const bias = new Float64Array(c);
    const b2 = new Float64Array(c);
    const order = rows.map((_, i) => i);
    const rand = random(options.seed);
    const p = new Float64Array(c);
    const active = new Int32Array(c);
    const grad = new Float64Array(c);
    const eps = 1e-8;
    for (let epoch = 0; epoch < options.epochs; epoch++) {
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rand() * (i + 1));
        [order[i], order[j]] = [order[j]!, order[i]!];
      }
      for (const r of order) {
        const { idx, val, label, weight } = rows[r]!;
        p.set(bias);
        for (let t = 0; t < idx.length; t++) {
          const row = idx[t]! * c;
          const v = val[t]!;
          for (let k = 0; k < c; k++) p[k]! += v * w[row + k]!;
        }
        let max = -Infinity;
        for (let k = 0; k < c; k++) max = Math.max(max, p[k]!);
        let sum = 0;
        for (let k = 0; k < c; k++) sum += p[k] = Math.exp(p[k]! - max);
        // classes the sample barely touches are skipped: most of a softmax's gradient is ~0
        let n = 0;
        for (let k = 0; k < c; k++) {
          const g = weight * (p[k]! / sum - (k === label ? 1 : 0));
          if (Math.abs(g) < SKIP_GRADIENT) continue;
          active[n] = k;
          grad[n++] = g;
          b2[k]! += g * g;
          bias[k]! -= (options.rate * g) / Math.sqrt(b2[k]! + eps);
        }
        for (let t = 0; t < idx.length; t++) {
          const row = idx[t]! * c;
          const v = val[t]!;
          for (let j = 0; j < n; j++) {
            const at = row + active[j]!;
            const g = grad[j]! * v + options.l2 * w[at]!;
            g2[at]! += g * g;
            w[at]! -= (options.rate * g) / Math.sqrt(g2[at]! + eps);
          }
        }
      }
    }
    return new LinearModel(classes, index, w, bias);
  }

  /** Int8 weights with a scale per class: a quarter of the size, the same answers. */
  store(): StoredModel {
    const c = this.classes.length;
    const n = this.index.size;
    const scales = Array.from({ length: c }, () => 0);
    for (let f = 0; f < n; f++) for (let k = 0; k < c; k++) scales[k] = Math.max(scales[k]!, Math.abs(this.w[f * c + k]!));
    for (let k = 0; k < c; k++) scales[k] = (scales[k]! || 1) / 127;
    const q = new Int8Array(n * c);
    for (let f = 0; f < n; f++) for (let k = 0; k < c; k++) q[f * c + k] = Math.round(this.w[f * c + k]! / scales[k]!);
    return {
      classes: this.classes,
      features: [...this.index.keys()],
      bias: [...this.bias],
      scales,
      weights: Buffer.from(q.buffer).toString('base64'),
    };
  }

  static load(stored: StoredModel): LinearModel {
    const c = stored.classes.length;
    const q = new Int8Array(Buffer.from(stored.weights, 'base64'));
    const w = new Float32Array(q.length);
    for (let i = 0; i < q.length; i++) w[i] = q[i]! * stored.scales[i % c]!;
    const index = new Map(stored.features.map((f, i) => [f, i]));
    return new LinearModel(stored.classes, index, w, Float64Array.from(stored.bias));
  }
}

/** Softmax of logits divided by a temperature. */
export function softmax(logits: Float64Array, temperature = 1): Float64Array {
  let max = -Infinity;
  for (const x of logits) max = Math.max(max, x);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let k = 0; k < logits.length; k++) sum += out[k] = Math.exp((logits[k]! - max) / temperature);
  for (let k = 0; k < logits.length; k++) out[k]! /= sum;
  return out;
}
