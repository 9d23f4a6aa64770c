// Thunder web chat: renders the core's replies and sends text or button data back.
// Bot and user text is only ever set with textContent, never parsed as HTML.
(() => {
  'use strict';
  const config = JSON.parse(document.getElementById('thunder-config').textContent);
  const store = tabStorage();
  const POLL_MS = 4000;

  /** sessionStorage, or memory where a browser denies storage to embedded third-party frames. */
  function tabStorage() {
    try {
      const s = window.sessionStorage;
      s.setItem('thunder.probe', '1');
      s.removeItem('thunder.probe');
      return s;
    } catch {
      const memory = new Map();
      return {
        getItem: (k) => (memory.has(k) ? memory.get(k) : null),
        setItem: (k, v) => void memory.set(k, String(v)),
        removeItem: (k) => void memory.delete(k),
      };
    }
  }
  const $ = (id) => document.getElementById(id);
  const log = $('log');
  const form = $('form');
  const input = $('input');
  const typing = $('typing');
  const error = $('error');

  let lang = store.getItem('thunder.lang') || config.lang;
  let sessionId = store.getItem('thunder.session');
  let after = Number(store.getItem('thunder.after') || 0);
  let busy = Promise.resolve();
  /** The visible conversation, kept for this tab only so a reload does not blank it. */
  const history = JSON.parse(store.getItem('thunder.history') || '[]');
  const HISTORY_LIMIT = 100;

  const t = (key, vars = {}, inLang = lang) =>
    (config.strings[inLang][key] || key).replace(/\{\{(\w+)\}\}/g, (_, name) => String(vars[name] ?? ''));

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    for (const el of document.querySelectorAll('[data-t-label]')) el.setAttribute('aria-label', t(el.dataset.tLabel));
    for (const el of document.querySelectorAll('[data-t-placeholder]')) el.placeholder = t(el.dataset.tPlaceholder);
    for (const el of document.querySelectorAll('.lang__btn')) el.setAttribute('aria-pressed', String(el.dataset.lang === lang));
    $('note').textContent = t('privacyNote', { days: config.ttlDays });
    store.setItem('thunder.lang', lang);
  }

  function bubble(from, text) {
    const msg = document.createElement('div');
    msg.className = `msg msg--${from}`;
    const p = document.createElement('p');
    p.className = 'msg__bubble';
    const who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = `${t(from === 'user' ? 'you' : 'bot')}: `;
    p.append(who, document.createTextNode(text));
    msg.append(p);
    return msg;
  }

  function renderReply(reply) {
    const msg = bubble('bot', reply.text);
    if (reply.section) {
      const source = document.createElement('p');
      source.className = 'msg__source';
      // Worded in the language of the section title, which follows the question, not the interface.
      source.textContent = t('source', { section: reply.section }, config.strings[reply.sectionLang] ? reply.sectionLang : lang);
      msg.append(source);
    }
    for (const row of reply.buttons || []) {
      const group = document.createElement('div');
      group.className = 'msg__buttons';
      group.setAttribute('role', 'group');
      for (const b of row) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'msg__button';
        button.textContent = b.label;
        button.addEventListener('click', () => send({ button: b.data }, b.label));
        group.append(button);
      }
      msg.append(group);
    }
    log.append(msg);
  }

  function remember(item) {
    history.push(item);
    history.splice(0, history.length - HISTORY_LIMIT);
    store.setItem('thunder.history', JSON.stringify(history));
  }

  function show(item) {
    if (item.user !== undefined) log.append(bubble('user', item.user));
    else renderReply(item);
  }

  function add(item) {
    remember(item);
    show(item);
  }

  /** After /forget the tab's copy of the conversation goes too. */
  function forgetLocally() {
    history.length = 0;
    store.removeItem('thunder.history');
    log.replaceChildren();
  }

  function scrollDown() {
    log.scrollTop = log.scrollHeight;
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = !text;
  }

  async function api(method, path, body) {
    const res = await fetch(path, {
      method,
      headers: body ? { 'content-type': 'application/json' } : {},
      body: body ? JSON.stringify(body) : undefined,
    });
    const data = await res.json().catch(() => ({}));
    return { status: res.status, data };
  }

  async function newSession() {
    const { status, data } = await api('POST', '/api/chat/session', { locale: lang });
    if (status !== 201) throw new Error(`session ${status}`);
    sessionId = data.sessionId;
    after = 0;
    store.setItem('thunder.session', sessionId);
    store.setItem('thunder.after', '0');
  }

  /** Sends one message; `shown` is what the visitor sees as their own bubble. */
  function send(payload, shown) {
    busy = busy.then(async () => {
      showError('');
      if (shown) {
        add({ user: shown });
        scrollDown();
      }
      typing.hidden = false;
      try {
        if (!sessionId) await newSession();
        let res = await api('POST', '/api/chat/messages', { sessionId, locale: lang, ...payload });
        if (res.status === 404) {
          await newSession();
          res = await api('POST', '/api/chat/messages', { sessionId, locale: lang, ...payload });
        }
        if (res.status !== 200) throw new Error(`messages ${res.status}`);
        if (payload.button === 'forget:yes') forgetLocally();
        for (const reply of res.data.replies) add(reply);
        return true;
      } catch {
        showError(t('offline'));
        return false;
      } finally {
        typing.hidden = true;
        scrollDown();
      }
    });
    return busy;
  }

  async function poll() {
    if (!sessionId || document.hidden) return;
    try {
      const { status, data } = await api('GET', `/api/chat/messages?sessionId=${encodeURIComponent(sessionId)}&after=${after}`);
      if (status !== 200) return;
      for (const m of data.messages) {
        for (const reply of m.replies) add(reply);
        after = Math.max(after, m.id);
      }
      if (data.messages.length) {
        store.setItem('thunder.after', String(after));
        scrollDown();
      }
    } catch {
      // The next poll tries again; sending shows connection errors.
    }
  }

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text.length > config.maxChars) {
      showError(t('tooLong', { max: config.maxChars }));
      return;
    }
    input.value = '';
    fitInput();
    const ok = await send({ text }, text);
    if (!ok && !input.value) input.value = text;
    fitInput();
    input.focus();
  });

  /** The input grows with what is typed, up to the CSS max-height. */
  function fitInput() {
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight + 3}px`;
  }
  input.addEventListener('input', fitInput);

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  log.addEventListener('click', (event) => {
    if (event.target.closest('.msg__button')) busy.then(() => input.focus());
  });

  for (const el of document.querySelectorAll('.lang__btn')) {
    el.addEventListener('click', () => {
      if (el.dataset.lang === lang) return;
      lang = el.dataset.lang;
      applyLanguage();
      send({ button: `lang:${lang}` });
    });
  }

  $('forget').addEventListener('click', async () => {
    await send({ button: 'cmd:forget' }, t('forget'));
    input.focus();
  });

  applyLanguage();
  for (const item of history) show(item);
  scrollDown();
  if (!sessionId || !history.length) send({ button: 'cmd:start' });
  setInterval(poll, POLL_MS);
  document.addEventListener('visibilitychange', poll);
})();
