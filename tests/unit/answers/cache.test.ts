import { describe, expect, it } from 'vitest';
import { cachedAsk } from '../../../src/answers/cache.js';
import type { Answer } from '../../../src/answers/engine.js';
import type { Lang } from '../../../src/domain.js';

function countingEngine() {
  const asked: string[] = [];
  return {
    asked,
    ask(text: string, lang: Lang): Answer {
      asked.push(`${lang}:${text}`);
      return { intent: 'none', lang, entry: null, confidence: 0, suggestions: [] };
    },
  };
}

describe('cachedAsk', () => {
  it('asks the engine once per text and language', () => {
    const engine = countingEngine();
    const ask = cachedAsk(engine);
    const first = ask('What data do you keep?', 'en');
    expect(ask('What data do you keep?', 'en')).toBe(first);
    expect(ask('What data do you keep?', 'lv').lang).toBe('lv');
    expect(engine.asked).toEqual(['en:What data do you keep?', 'lv:What data do you keep?']);
  });

  it('does not cache long messages, and forgets the least recently used beyond its size', () => {
    const engine = countingEngine();
    const ask = cachedAsk(engine, 2);
    const long = 'x'.repeat(1000);
    ask(long, 'en');
    ask(long, 'en');
    ask('a', 'en');
    ask('b', 'en');
    ask('a', 'en');
    ask('c', 'en');
    ask('b', 'en');
    expect(engine.asked).toEqual([`en:${long}`, `en:${long}`, 'en:a', 'en:b', 'en:c', 'en:b']);
  });
});
