import { fileURLToPath } from 'node:url';
import { dirname, resolve } from 'node:path';

/** Project root, the same from src/ (tsx, vitest) and from dist/ (built). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const KNOWLEDGE_DIR = resolve(ROOT, 'knowledge');
export const LOCALES_DIR = resolve(ROOT, 'locales');
