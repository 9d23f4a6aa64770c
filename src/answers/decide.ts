import { softmax } from './model.js';
import { EXERCISE, NONE, type Calibration } from './training.js';

export interface Decision {
  /** The class that answers, or `none`. */
  label: string;
  /** Calibrated probability of what was decided. */
  confidence: number;
  /** Classes by calibrated probability, best first. */
  ranked: { label: string; p: number }[];
}

/**
 * A wish to exercise a right is chosen over a question about the right's entry when it holds at
 * least this share of their joint probability ("I want to see my data" is both).
 */
const EXERCISE_SHARE = 0.25;

/**
 * The top class answers when its calibrated probability reaches `answerAt` (`intentAt` for a
 * conversation intent: "tnx" has few words to be sure on, and a thanks taken for a refusal costs
 * little either way); otherwise nothing does. A right's entry and the wish to exercise that right
 * count together (`partners`: entry id ↔ exercise class), so a message split between asking and
 * acting is not refused.
 */
export function decide(
  logits: Float64Array,
  classes: string[],
  calibration: Calibration,
  partners = new Map<string, string>(),
  intents: ReadonlySet<string> = new Set(),
): Decision {
  const p = softmax(logits, calibration.temperature);
  const ranked = classes.map((label, i) => ({ label, p: p[i]! })).sort((a, b) => b.p - a.p || (a.label < b.label ? -1 : 1));
  const top = ranked[0]!;
  const partner = partners.get(top.label);
  const other = partner === undefined ? 0 : p[classes.indexOf(partner)]!;
  const joint = top.p + other;
  const at = intents.has(top.label) ? calibration.intentAt : calibration.answerAt;
  if (top.label === NONE || joint < at) return { label: NONE, confidence: top.p, ranked };
  if (partner === undefined) return { label: top.label, confidence: top.p, ranked };
  const exercise = isExercise(top.label) ? top.p : other;
  return {
    label: exercise >= EXERCISE_SHARE * joint ? (isExercise(top.label) ? top.label : partner) : top.label,
    confidence: joint,
    ranked,
  };
}

export const isExercise = (label: string): boolean => label.startsWith(EXERCISE);
