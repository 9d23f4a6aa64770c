/** Drives a Thunder process's web chat over HTTP, as the page does. */

export interface WebReplyOut {
  text: string;
}

export async function newSession(url: string): Promise<string> {
  const res = await fetch(`${url}/api/chat/session`, { method: 'POST' });
  if (res.status !== 201) throw new Error(`session: ${res.status}`);
  return ((await res.json()) as { sessionId: string }).sessionId;
}

export async function send(url: string, sessionId: string, m: { text?: string; button?: string }): Promise<WebReplyOut[]> {
  const res = await fetch(`${url}/api/chat/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId, locale: 'en', ...m }),
  });
  if (!res.ok) throw new Error(`message: ${res.status}`);
  return ((await res.json()) as { replies: WebReplyOut[] }).replies;
}

/** Texts pushed to the chat outside a turn (the reference, agent replies). */
export async function inbox(url: string, sessionId: string): Promise<string[]> {
  const res = await fetch(`${url}/api/chat/messages?sessionId=${sessionId}&after=0`);
  if (!res.ok) return [];
  const { messages } = (await res.json()) as { messages: { replies: WebReplyOut[] }[] };
  return messages.flatMap((m) => m.replies.map((r) => r.text));
}

/** Fills a rights request up to its summary (Confirm not yet pressed). */
export async function toSummary(url: string, sessionId: string, name: string, details?: string): Promise<void> {
  await send(url, sessionId, { text: '/rights' });
  await send(url, sessionId, { button: 'rq:right:erasure' });
  await send(url, sessionId, { text: name });
  await send(url, sessionId, { text: `${name.split(' ')[0]!.toLowerCase()}@example.lv` });
  if (details) await send(url, sessionId, { text: details });
  else await send(url, sessionId, { button: 'rq:skip' });
}

export const confirm = (url: string, sessionId: string) => send(url, sessionId, { button: 'rq:confirm' });
