/** A small client of the web chat JSON API, as the page uses it. */
export interface WebReply {
  text: string;
  section?: string;
  sectionLang?: 'lv' | 'en';
  buttons?: { label: string; data: string; icon?: 'up' | 'down' }[][];
}

export class ChatClient {
  constructor(readonly url: string) {}

  async session(locale?: string): Promise<string> {
    const res = await fetch(`${this.url}/api/chat/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(locale ? { locale } : {}),
    });
    if (res.status !== 201) throw new Error(`session: ${res.status}`);
    return ((await res.json()) as { sessionId: string }).sessionId;
  }

  post(body: unknown, headers: Record<string, string> = { 'content-type': 'application/json' }): Promise<Response> {
    return fetch(`${this.url}/api/chat/messages`, {
      method: 'POST',
      headers,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  async say(sessionId: string, message: { text?: string; button?: string; locale?: string }): Promise<WebReply[]> {
    const res = await this.post({ sessionId, ...message });
    if (res.status !== 200) throw new Error(`messages: ${res.status} ${await res.text()}`);
    return ((await res.json()) as { replies: WebReply[] }).replies;
  }

  async pushed(sessionId: string, after = 0): Promise<{ id: number; at: number; replies: WebReply[] }[]> {
    const res = await fetch(`${this.url}/api/chat/messages?sessionId=${sessionId}&after=${after}`);
    if (res.status !== 200) throw new Error(`poll: ${res.status}`);
    return ((await res.json()) as { messages: { id: number; at: number; replies: WebReply[] }[] }).messages;
  }
}

export const buttonsOf = (replies: WebReply[]) => replies.flatMap((r) => r.buttons?.flat() ?? []);
