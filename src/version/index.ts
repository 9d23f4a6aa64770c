import type { Feature } from '../core/feature.js';

export interface VersionOptions {
  /** The running build's version (package.json). */
  version: string;
}

/**
 * `/version`: which build answers, for support staff comparing a customer's report with a
 * release. Written on the Feature seam alone: it knows nothing of the app or the other features.
 */
export function createVersion({ version }: VersionOptions): Feature {
  return {
    name: 'version',
    middleware: [
      async (ctx, next) => {
        if (ctx.command !== 'version') return next();
        ctx.reply(ctx.t('version:reply', { version }));
      },
    ],
  };
}
