// Thunder web chat: renders the core's replies and sends text or button data back.
// Bot and user text is only ever set with textContent, never parsed as HTML.
(() => {
  'use strict';
  const config = JSON.parse(document.getElementById('thunder-config').textContent);
  const store = tabStorage();
  const POLL_MS = 4000;
  const HISTORY_LIMIT = 100;
  /** The counter shows from this share of the limit on, so short messages stay uncluttered. */
  const COUNTER_FROM = 0.75;
  /** Opened by embed.js inside a company's page: a close button and Escape hand back to the page. */
  const embedded = new URLSearchParams(location.search).has('embed');

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
  const counter = $('counter');
  const limit = $('limit');

  let lang = store.getItem('thunder.lang') || config.lang;
  let sessionId = store.getItem('thunder.session');
  let after = Number(store.getItem('thunder.after') || 0);
  /** What the bot waits for (a form step), so the placeholder asks for it. */
  let expecting = store.getItem('thunder.input') || '';
  /** The awaited step's own limit when it is below a message's (a request's details), else none. */
  let stepMax = Number(store.getItem('thunder.inputMax') || 0);
  const maxChars = () => stepMax || config.maxChars;
  let busy = Promise.resolve();
  /** The visible conversation, kept for this tab only so a reload does not blank it. */
  const history = JSON.parse(store.getItem('thunder.history') || '[]');

  const t = (key, vars = {}, inLang = lang) =>
    (config.strings[inLang][key] || key).replace(/\{\{(\w+)\}\}/g, (_, name) => String(vars[name] ?? ''));

  function icon(name) {
    const svg = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.setAttribute('aria-hidden', 'true');
    const use = document.createElementNS('http://www.w3.org/2000/svg', 'use');
    use.setAttribute('href', `#i-${name}`);
    svg.append(use);
    return svg;
  }

  function applyLanguage() {
    document.documentElement.lang = lang;
    document.title = t('title');
    for (const el of document.querySelectorAll('[data-t]')) el.textContent = t(el.dataset.t);
    for (const el of document.querySelectorAll('[data-t-label]')) el.setAttribute('aria-label', t(el.dataset.tLabel));
    for (const el of document.querySelectorAll('.lang__btn')) el.setAttribute('aria-pressed', String(el.dataset.lang === lang));
    $('note').textContent = t('privacyNote');
    applyPlaceholder();
    updateCounter();
    store.setItem('thunder.lang', lang);
  }

  function applyPlaceholder() {
    input.placeholder = t(expecting && config.strings[lang][`placeholder_${expecting}`] ? `placeholder_${expecting}` : 'placeholder');
  }

  const clock = () => new Intl.DateTimeFormat(lang === 'lv' ? 'lv-LV' : 'en-GB', { hour: '2-digit', minute: '2-digit' });

  /** One message: the bot's with its avatar, each with the time it was sent. */
  function bubble(from, text, at) {
    const msg = document.createElement('div');
    msg.className = `msg msg--${from}`;
    if (from === 'bot') {
      const avatar = document.createElement('span');
      avatar.className = 'avatar avatar--small';
      avatar.setAttribute('aria-hidden', 'true');
      avatar.append(icon('bolt'));
      msg.append(avatar);
    }
    const body = document.createElement('div');
    body.className = 'msg__body';
    const p = document.createElement('p');
    p.className = 'msg__bubble';
    const who = document.createElement('span');
    who.className = 'visually-hidden';
    who.textContent = `${t(from === 'user' ? 'you' : 'bot')}: `;
    p.append(who, document.createTextNode(text));
    body.append(p);
    if (at) {
      const time = document.createElement('time');
      time.className = 'msg__meta';
      time.dateTime = new Date(at).toISOString();
      time.textContent = clock().format(at);
      body.append(time);
    }
    msg.append(body);
    return msg;
  }

  function renderReply(reply) {
    const msg = bubble('bot', reply.text, reply.at);
    const body = msg.querySelector('.msg__body');
    const time = body.querySelector('time');
    if (reply.section) {
      const source = document.createElement('p');
      source.className = 'msg__source';
      // Worded in the language of the section title, which follows the question, not the interface.
      source.textContent = t('source', { section: reply.section }, config.strings[reply.sectionLang] ? reply.sectionLang : lang);
      body.insertBefore(source, time);
    }
    for (const row of reply.buttons || []) {
      const group = document.createElement('div');
      group.className = 'msg__buttons';
      group.setAttribute('role', 'group');
      if (row.some((b) => b.icon)) {
        // Rating buttons are drawn as thumbs beside a question, named for screen readers.
        const ask = document.createElement('span');
        ask.className = 'msg__rate-ask';
        ask.textContent = t('rateAsk');
        group.classList.add('msg__buttons--rate');
        group.append(ask);
      }
      for (const b of row) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = b.icon ? 'msg__button msg__button--icon' : 'msg__button';
        const label = b.icon ? t(`rate_${b.icon}`) : b.label;
        if (b.icon) {
          button.setAttribute('aria-label', label);
          button.title = label;
          button.append(icon(b.icon));
        } else button.textContent = b.label;
        button.addEventListener('click', () => {
          // A language button in a reply switches the page too, as the LV/EN toggle does.
          const chosen = /^lang:(lv|en)$/.exec(b.data)?.[1];
          if (chosen) setLang(chosen);
          if (b.icon) button.setAttribute('aria-pressed', 'true');
          send({ button: b.data }, label);
        });
        group.append(button);
      }
      body.insertBefore(group, time);
    }
    log.append(msg);
  }

  function remember(item) {
    history.push(item);
    history.splice(0, history.length - HISTORY_LIMIT);
    store.setItem('thunder.history', JSON.stringify(history));
  }

  function show(item) {
    if (item.user !== undefined) log.append(bubble('user', item.user, item.at));
    else renderReply(item);
  }

  function add(item) {
    remember(item);
    show(item);
  }

  /** After /forget the tab's copy of the conversation goes too, and the server's inbox starts again at 1. */
  function forgetLocally() {
    history.length = 0;
    store.removeItem('thunder.history');
    log.replaceChildren();
    after = 0;
    store.setItem('thunder.after', '0');
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

  /** A message the server never got: marked on its own bubble with a retry, never added a second time. */
  function markFailed(el, retry) {
    el.classList.remove('msg--pending');
    el.classList.add('msg--failed');
    const line = document.createElement('p');
    line.className = 'msg__failed';
    line.textContent = t('notSent');
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'msg__retry';
    const label = document.createElement('span');
    label.textContent = t('retry');
    button.append(icon('retry'), label);
    button.addEventListener('click', () => {
      line.remove();
      el.classList.replace('msg--failed', 'msg--pending');
      retry();
    });
    line.append(button);
    el.querySelector('.msg__body').append(line);
  }

  /** Sends one message; `shown` is what the visitor sees as their own bubble (kept once it is delivered). */
  function send(payload, shown) {
    const item = shown === undefined ? undefined : { user: shown, at: Date.now() };
    const el = item && bubble('user', item.user, item.at);
    if (el) {
      el.classList.add('msg--pending');
      log.append(el);
      scrollDown();
    }
    const attempt = () => {
      busy = busy.then(() => deliver(payload, item, el, attempt));
      return busy;
    };
    return attempt();
  }

  async function deliver(payload, item, el, retry) {
    showError('');
    typing.hidden = false;
    scrollDown();
    try {
      if (!sessionId) await newSession();
      let res = await api('POST', '/api/chat/messages', { sessionId, locale: lang, ...payload });
      if (res.status === 404) {
        await newSession();
        res = await api('POST', '/api/chat/messages', { sessionId, locale: lang, ...payload });
      }
      if (res.status !== 200) throw new Error(`messages ${res.status}`);
      const forgotten = payload.button === 'forget:yes';
      if (forgotten) forgetLocally();
      else if (item) {
        el.classList.remove('msg--pending');
        remember(item);
      }
      const at = Date.now();
      for (const reply of res.data.replies) add({ ...reply, at });
      followInput(res.data.replies);
      // A fresh start after the erasure: the greeting and its buttons again, without a reload.
      if (forgotten) void send({ button: 'cmd:start' });
      return true;
    } catch {
      if (el) markFailed(el, retry);
      else showError(t('offline'));
      return false;
    } finally {
      typing.hidden = true;
      scrollDown();
    }
  }

  /** The placeholder follows the form: a reply that asks for a name makes the input ask for one. */
  function followInput(replies) {
    if (!replies.length) return;
    const last = replies[replies.length - 1];
    expecting = last.input || '';
    stepMax = last.maxChars || 0;
    store.setItem('thunder.input', expecting);
    store.setItem('thunder.inputMax', String(stepMax));
    input.maxLength = maxChars();
    applyPlaceholder();
    updateCounter();
  }

  async function poll() {
    if (!sessionId || document.hidden) return;
    try {
      const { status, data } = await api('GET', `/api/chat/messages?sessionId=${encodeURIComponent(sessionId)}&after=${after}`);
      if (status !== 200) return;
      for (const m of data.messages) {
        for (const reply of m.replies) add({ ...reply, at: m.at });
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

  /** A live count as the limit nears; at the limit screen readers hear it once. */
  function updateCounter() {
    const count = input.value.length;
    const max = maxChars();
    counter.hidden = count < max * COUNTER_FROM;
    counter.textContent = t('counter', { count, max });
    counter.classList.toggle('is-full', count >= max);
    const full = count >= max ? t('counterLimit', { max }) : '';
    if (limit.textContent !== full) limit.textContent = full;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    if (text.length > maxChars()) {
      showError(t('tooLong', { max: maxChars() }));
      return;
    }
    input.value = '';
    fitInput();
    updateCounter();
    void send({ text }, text).then(() => input.focus());
  });

  /** The input grows with what is typed, up to the CSS max-height. */
  function fitInput() {
    input.style.height = 'auto';
    input.style.height = `${input.scrollHeight}px`;
  }
  input.addEventListener('input', () => {
    fitInput();
    updateCounter();
  });

  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  log.addEventListener('click', (event) => {
    if (event.target.closest('.msg__button')) busy.then(() => input.focus());
  });

  function setLang(value) {
    lang = value;
    applyLanguage();
  }

  for (const el of document.querySelectorAll('.lang__btn')) {
    el.addEventListener('click', () => {
      if (el.dataset.lang === lang) return;
      setLang(el.dataset.lang);
      send({ button: `lang:${lang}` });
    });
  }

  for (const el of document.querySelectorAll('[data-send]')) {
    el.addEventListener('click', async () => {
      await send({ button: el.dataset.send }, el.textContent.trim());
      input.focus();
    });
  }

  $('forget').addEventListener('click', async () => {
    await send({ button: 'cmd:forget' }, t('forget'));
    input.focus();
  });

  if (embedded) {
    document.querySelector('.app').classList.add('is-embedded');
    const close = $('close');
    close.hidden = false;
    // The page that embeds us checks the sender's origin; the message carries nothing else.
    const leave = () => window.parent.postMessage({ thunder: 'close' }, '*');
    close.addEventListener('click', leave);
    document.addEventListener('keydown', (event) => {
      if (event.key === 'Escape') leave();
    });
    // embed.js focuses the frame when it opens: the cursor goes straight to the input.
    window.addEventListener('focus', () => input.focus());
  }

  input.maxLength = maxChars();
  applyLanguage();
  for (const item of history) show(item);
  scrollDown();
  input.focus();
  if (!sessionId || !history.length) send({ button: 'cmd:start' });
  setInterval(poll, POLL_MS);
  document.addEventListener('visibilitychange', poll);
})();
