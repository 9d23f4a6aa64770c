import type { Channel } from '../core/types.js';
import type { Lang } from '../domain.js';

/** Why a message became a gap (issue #15): the policy did not answer, we were unsure, or the customer said so. */
export type GapReason = 'unanswered' | 'unsure' | 'none_of_these' | 'thumbs_down';

/** A message Thunder could not answer well, before redaction; the learning feature redacts it before anything is kept. */
export interface GapInput {
  text: string;
  lang: Lang;
  channel: Channel;
  reason: GapReason;
  /** The likeliest entries with their probabilities, best first. */
  candidates: { id: string; p: number }[];
}

/** Where the conversation and answer feedback hand gaps (implemented by src/learning). */
export interface GapSink {
  capture(gap: GapInput): Promise<void>;
  /** /forget: drops the gaps these questions of the user made (a gap keeps nothing else that points to them). */
  forget(texts: string[]): Promise<void>;
}
