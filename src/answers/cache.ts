import { createHash } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Lang } from '../domain.js';
import type { Answer, AnswerEngine } from './engine.js';

/** Long messages rarely repeat word for word; caching them would only push out the common ones. */
const MAX_CACHED_CHARS = 300;

/**
 * `engine.ask` is pure (the same text and language give the same answer) and is the largest cost
 * of a message; customers send the common questions and greetings word for word again and again.
 * Keys are hashes, so the cache keeps no customer text (nothing to erase on /forget); answers are
 * shared between callers, who only read them.
 */
export function cachedAsk(engine: Pick<AnswerEngine, 'ask'>, max = 5000): (text: string, lang: Lang) => Answer {
  const cache = new LRUCache<string, Answer>({ max });
  return (text, lang) => {
    if (text.length > MAX_CACHED_CHARS) return engine.ask(text, lang);
    const key = createHash('sha256').update(lang).update('\0').update(text).digest('base64');
    let answer = cache.get(key);
    if (!answer) {
      answer = engine.ask(text, lang);
      cache.set(key, answer);
    }
    return answer;
  };
}
