import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { CHANNELS } from '../core/types.js';
import { LANGS, RIGHTS } from '../domain.js';

/** The request API contract (docs/request-api.openapi.yaml) as zod schemas, shared by the client and the stand-in. */

export const REQUEST_STATUSES = ['received', 'in_progress', 'completed', 'rejected'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

export const MAX_DETAILS = 1000;

/**
 * An e-mail address (RFC 6531 allows letters of any script: "jānis@piemērs.lv"): the local part
 * letters, digits and . _ % + - ' ; the domain, in its ASCII (punycode) form, a valid host name.
 */
export const emailSchema = z
  .string()
  .max(254)
  .refine((s) => {
    const at = s.lastIndexOf('@');
    const local = s.slice(0, at);
    const domain = domainToASCII(s.slice(at + 1));
    return (
      at > 0 &&
      local.length <= 64 &&
      /^[\p{L}\p{N}_%+'-]+(?:\.[\p{L}\p{N}_%+'-]+)*$/u.test(local) &&
      domain !== '' &&
      z.email().safeParse(`a@${domain}`).success
    );
  }, 'Invalid email address');

export const newRequestSchema = z
  .object({
    type: z.enum(RIGHTS),
    subject: z
      .object({
        name: z.string().trim().min(1).max(100),
        email: emailSchema.optional(),
        phone: z
          .string()
          .regex(/^\+[1-9]\d{6,14}$/)
          .optional(),
      })
      .refine((s) => s.email !== undefined || s.phone !== undefined, 'email or phone is required'),
    details: z.string().max(MAX_DETAILS).optional(),
    language: z.enum(LANGS),
    channel: z.enum(CHANNELS),
    /** HMAC-SHA256 (hex) of `channel:userId`: lets the company link requests of one chat user without the raw id. */
    channelRef: z.string().regex(/^[a-f0-9]{64}$/),
    submittedAt: z.iso.datetime({ offset: true }),
  })
  .strict();
export type NewRequest = z.infer<typeof newRequestSchema>;

export const createdSchema = z.object({
  id: z.string().min(1).max(64),
  status: z.enum(REQUEST_STATUSES),
  dueAt: z.iso.datetime({ offset: true }),
});
export type Created = z.infer<typeof createdSchema>;

export const requestStateSchema = z.object({
  id: z.string().min(1).max(64),
  type: z.enum(RIGHTS),
  status: z.enum(REQUEST_STATUSES),
  dueAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});
export type RequestState = z.infer<typeof requestStateSchema>;

export const errorSchema = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

/** GDPR Art. 12(3): one month from receipt; a day missing in the next month falls back to its last day. */
export function addCalendarMonth(from: Date): Date {
  const y = from.getUTCFullYear();
  const m = from.getUTCMonth() + 1;
  const lastDay = new Date(Date.UTC(y, m + 1, 0)).getUTCDate();
  const due = new Date(from);
  due.setUTCDate(1);
  due.setUTCMonth(m);
  due.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return due;
}
