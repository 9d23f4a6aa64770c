/**
 * Handles each chat's messages one at a time, in the order their senders wrote them: Meta does not
 * guarantee delivery order, so messages that arrive within `windowMs` of each other, or while the
 * chat is busy, are sorted by their timestamp first. Chats never wait for each other.
 */
export class ChatSequencer<T extends { at: number }> {
  private readonly chats = new Map<string, { pending: T[]; timer?: NodeJS.Timeout; running?: Promise<void> }>();

  constructor(
    private readonly handle: (item: T) => Promise<void>,
    private readonly onError: (err: unknown) => void,
    private readonly windowMs = 0,
  ) {}

  add(chat: string, item: T): void {
    const state = this.chats.get(chat) ?? { pending: [] };
    this.chats.set(chat, state);
    // Insertion keeps equal timestamps in arrival order (WhatsApp's are whole seconds).
    const i = state.pending.findIndex((p) => p.at > item.at);
    state.pending.splice(i < 0 ? state.pending.length : i, 0, item);
    if (!state.running && !state.timer) state.timer = setTimeout(() => this.drain(chat), this.windowMs);
  }

  /** Resolves when every chat has handled what it was given (graceful shutdown, tests). */
  async idle(): Promise<void> {
    while (this.chats.size) {
      await Promise.all([...this.chats.values()].map((s) => s.running ?? new Promise((r) => setTimeout(r, this.windowMs + 1))));
    }
  }

  private drain(chat: string): void {
    const state = this.chats.get(chat);
    if (!state) return;
    state.timer = undefined;
    state.running = (async () => {
      for (let item = state.pending.shift(); item; item = state.pending.shift()) {
        try {
          await this.handle(item);
        } catch (err) {
          this.onError(err);
        }
      }
      this.chats.delete(chat);
    })();
  }
}
