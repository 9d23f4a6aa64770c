// Embeds the Thunder chat on any site: <script src="https://<thunder host>/embed.js" defer></script>
(() => {
  'use strict';
  const strings = __STRINGS__;
  const origin = new URL(document.currentScript.src).origin;
  const lang = (document.documentElement.lang || navigator.language || 'lv').slice(0, 2) === 'en' ? 'en' : 'lv';
  const s = strings[lang];

  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = '⚡';
  button.setAttribute('aria-label', s.embedOpen);
  button.setAttribute('aria-expanded', 'false');
  button.style.cssText =
    'position:fixed;right:20px;bottom:20px;z-index:2147483646;width:56px;height:56px;border-radius:50%;' +
    'border:0;background:#0b3d91;color:#ffcc00;font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.3)';

  const frame = document.createElement('iframe');
  frame.src = `${origin}/`;
  frame.title = s.title;
  frame.hidden = true;
  frame.style.cssText =
    'position:fixed;right:20px;bottom:88px;z-index:2147483647;width:min(400px,calc(100vw - 40px));' +
    'height:min(640px,calc(100vh - 120px));border:1px solid #c9d1dc;border-radius:12px;background:#fff;' +
    'box-shadow:0 8px 28px rgba(0,0,0,.25)';

  button.addEventListener('click', () => {
    frame.hidden = !frame.hidden;
    button.setAttribute('aria-expanded', String(!frame.hidden));
    button.setAttribute('aria-label', frame.hidden ? s.embedOpen : s.embedClose);
    if (!frame.hidden) frame.focus();
  });
  document.body.append(button, frame);
})();
