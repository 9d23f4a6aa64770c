import type { TestApp } from '../helpers/app.js';

/** The app's /metrics text (the app must listen). */
export async function metrics(t: TestApp): Promise<string> {
  const res = await fetch(`${t.url}/metrics`);
  return res.text();
}

/** The value of one sample line, e.g. metric(m, 'thunder_answer_feedback_total{entry="retention",vote="up",channel="web"}'); NaN when absent. */
export function metric(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : Number.NaN;
}
