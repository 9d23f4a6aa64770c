import { DAY_MS } from '../../domain.js';
import type { MetaChannel } from './inbound.js';

/** Meta's customer-service window: 24 hours after the customer's last message. */
export const WINDOW_MS = DAY_MS;
/** How long after the customer's last message HUMAN_AGENT may carry a person's reply. */
export const HUMAN_AGENT_MS = 7 * DAY_MS;

export interface WindowPolicy {
  /** META_HUMAN_AGENT_TAG: the page has Meta's Human Agent permission. */
  humanAgentTag: boolean;
  /** WHATSAPP_REENGAGE_TEMPLATE is set. */
  reengageTemplate: boolean;
}

/**
 * What may go to a customer who last wrote at `lastInboundAt`:
 * - `update`: within 24 hours, anything;
 * - `human-agent`: Messenger/Instagram, 24 h–7 d, only a person's text, only with the permission;
 * - `template`: WhatsApp after 24 h, a person's text waits behind the approved template;
 * - `closed`: nothing (the bot's own messages after 24 h, or no way allowed).
 */
export function windowFor(
  channel: MetaChannel,
  lastInboundAt: number | undefined,
  now: number,
  human: boolean,
  policy: WindowPolicy,
): 'update' | 'human-agent' | 'template' | 'closed' {
  const age = now - (lastInboundAt ?? Number.NEGATIVE_INFINITY);
  if (age < WINDOW_MS) return 'update';
  if (!human) return 'closed';
  if (channel === 'whatsapp') return policy.reengageTemplate ? 'template' : 'closed';
  return policy.humanAgentTag && age < HUMAN_AGENT_MS ? 'human-agent' : 'closed';
}
