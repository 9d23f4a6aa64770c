// Embeds the Thunder chat on a company's site: <script src="https://<thunder host>/embed.js" defer></script>
// The site's origin must be listed in Thunder's WEB_EMBED_ORIGINS (by default only Thunder's own origin may frame it).
(() => {
  'use strict';
  const strings = __STRINGS__;
  const origin = new URL(document.currentScript.src).origin;
  const lang = (document.documentElement.lang || navigator.language || 'lv').slice(0, 2) === 'en' ? 'en' : 'lv';
  const s = strings[lang];
  const SVG = 'http://www.w3.org/2000/svg';
  const PATHS = {
    bolt: 'M13.5 2 4.5 13.5h6L9.5 22l9-11.5h-6z',
    close: 'M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7l-1.4-1.4L9.2 12 2.9 5.7l1.4-1.4 6.3 6.3 6.3-6.3z',
  };

  function icon(name) {
    const svg = document.createElementNS(SVG, 'svg');
    svg.setAttribute('viewBox', '0 0 24 24');
    svg.setAttribute('width', '28');
    svg.setAttribute('height', '28');
    svg.setAttribute('aria-hidden', 'true');
    const path = document.createElementNS(SVG, 'path');
    path.setAttribute('d', PATHS[name]);
    path.setAttribute('fill', 'currentColor');
    svg.append(path);
    return svg;
  }

  const button = document.createElement('button');
  button.type = 'button';
  button.style.cssText =
    'position:fixed;right:20px;bottom:20px;z-index:2147483646;width:60px;height:60px;border-radius:50%;display:flex;' +
    'align-items:center;justify-content:center;border:0;background:#0b3d91;color:#ffcc00;cursor:pointer;' +
    'box-shadow:0 6px 18px rgba(11,61,145,.35)';

  const frame = document.createElement('iframe');
  frame.src = `${origin}/?embed=1`;
  frame.title = s.title;
  frame.hidden = true;
  frame.style.cssText =
    'position:fixed;right:20px;bottom:92px;z-index:2147483647;width:min(400px,calc(100vw - 40px));' +
    'height:min(660px,calc(100vh - 120px));border:0;border-radius:16px;background:#fff;' +
    'box-shadow:0 12px 40px rgba(16,35,73,.28)';

  function render() {
    const open = !frame.hidden;
    button.replaceChildren(icon(open ? 'close' : 'bolt'));
    button.setAttribute('aria-expanded', String(open));
    button.setAttribute('aria-label', open ? s.embedClose : s.embedOpen);
  }

  function toggle(open) {
    frame.hidden = !open;
    render();
    if (open) frame.focus();
    else button.focus();
  }

  button.addEventListener('click', () => toggle(frame.hidden));
  // The chat's own close button and Escape inside it; Escape on the page while the chat is open.
  window.addEventListener('message', (event) => {
    if (event.origin === origin && event.source === frame.contentWindow && event.data?.thunder === 'close') toggle(false);
  });
  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape' && !frame.hidden) toggle(false);
  });
  render();
  document.body.append(button, frame);
})();
