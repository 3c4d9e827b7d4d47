// Chat page of the WeChat simulator. Everything shown comes from the bot
// or the person, so it is put on the page with textContent only.
'use strict';

(function () {
  const base = document.body.dataset.base;
  const chat = document.getElementById('chat');
  const openidInput = document.getElementById('openid');
  const composer = document.getElementById('composer');
  const textInput = document.getElementById('text');
  const modeButton = document.getElementById('mode');
  const photoInput = document.getElementById('photo');
  const maxPhoto = 5 * 1024 * 1024;
  const photoTypes = ['image/jpeg', 'image/png', 'image/gif'];
  const brokenNotice = '该公众号暂时无法提供服务，请稍后再试';
  const typeNames = { image: '图片', voice: '语音', video: '视频', music: '音乐', news: '图文', mpnews: '图文', msgmenu: '菜单' };

  let openid = localStorage.getItem('wechatsim.openid') || document.body.dataset.openid;
  let lastSeq = 0;
  let voiceMode = false;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function append(node) {
    chat.appendChild(node);
    chat.scrollTop = chat.scrollHeight;
  }

  function bubble(side, text) {
    const row = el('div', 'row ' + side);
    row.appendChild(el('div', 'bubble', text));
    append(row);
  }

  function imageBubble(side, mediaId) {
    const row = el('div', 'row ' + side);
    const box = el('div', 'bubble');
    const img = el('img');
    img.alt = '图片';
    img.src = base + '/media/' + encodeURIComponent(mediaId);
    box.appendChild(img);
    row.appendChild(box);
    append(row);
  }

  function notice(text, isError) {
    append(el('div', isError ? 'notice error' : 'notice', text));
  }

  // templateCard shows a template message as WeChat's service-notice card:
  // a title, then one "label：value" line per field (编号、状态、时间…).
  function templateCard(m) {
    const row = el('div', 'row account');
    const card = el('div', 'card');
    card.appendChild(el('div', 'card-title', '服务通知'));
    if (m.templateId) card.appendChild(el('div', 'card-template', '模板 ' + m.templateId));
    (m.fields || []).forEach(function (f) {
      const line = el('div', 'card-field');
      if (f.label) line.appendChild(el('span', 'card-key', f.label + '：'));
      line.appendChild(document.createTextNode(f.value));
      card.appendChild(line);
    });
    if (m.url) card.appendChild(el('div', 'card-link', '详情 ' + m.url));
    row.appendChild(card);
    append(row);
  }

  function showAccountMessage(msgType, content) {
    if (msgType === 'text' || (content && msgType === 'msgmenu')) {
      bubble('account', content);
    } else {
      bubble('account', '[' + (typeNames[msgType] || msgType) + ']');
    }
  }

  function showReply(data) {
    if (!data.ok && data.relayed) {
      notice(brokenNotice, true);
      if (data.error) notice(data.error, true);
      return;
    }
    if (!data.ok) {
      notice(data.error || '发送失败', true);
      return;
    }
    if (!data.success) showAccountMessage(data.msgType, data.content);
  }

  async function readJSON(res) {
    try {
      return await res.json();
    } catch (e) {
      return { ok: false, error: 'HTTP ' + res.status };
    }
  }

  async function send(payload) {
    payload.openid = openid;
    try {
      const res = await fetch(base + '/api/send', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'X-Sim': '1' },
        body: JSON.stringify(payload),
      });
      showReply(await readJSON(res));
    } catch (e) {
      notice('网络错误：' + e.message, true);
    }
    poll();
  }

  async function sendPhoto(file) {
    if (photoTypes.indexOf(file.type) < 0) {
      notice('只能发送 JPEG、PNG 或 GIF 图片', true);
      return;
    }
    if (file.size > maxPhoto) {
      notice('图片不能超过 5 MB', true);
      return;
    }
    const form = new FormData();
    form.append('openid', openid);
    form.append('photo', file);
    try {
      const res = await fetch(base + '/api/photo', { method: 'POST', headers: { 'X-Sim': '1' }, body: form });
      const data = await readJSON(res);
      if (data.sentMediaId) imageBubble('me', data.sentMediaId);
      showReply(data);
    } catch (e) {
      notice('网络错误：' + e.message, true);
    }
    poll();
  }

  async function poll() {
    const current = openid;
    try {
      const url = base + '/api/pushed?openid=' + encodeURIComponent(current) + '&after=' + lastSeq;
      const res = await fetch(url);
      const data = await res.json();
      if (current !== openid) return;
      data.messages.forEach(function (m) {
        if (m.seq <= lastSeq) return;
        lastSeq = m.seq;
        if (m.kind === 'template') templateCard(m);
        else showAccountMessage(m.msgType, m.content);
      });
    } catch (e) {
      // The next poll tries again.
    }
  }

  function setOpenID(value) {
    openid = value;
    localStorage.setItem('wechatsim.openid', value);
    openidInput.value = value;
    chat.textContent = '';
    lastSeq = 0;
    notice('当前用户 ' + value);
    poll();
  }

  function randomOpenID() {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const bytes = new Uint8Array(27);
    crypto.getRandomValues(bytes);
    let id = 'o';
    bytes.forEach(function (b) { id += alphabet[b & 63]; });
    return id;
  }

  composer.addEventListener('submit', function (ev) {
    ev.preventDefault();
    const text = textInput.value.trim();
    if (!text) return;
    textInput.value = '';
    if (voiceMode) {
      bubble('me', '[语音] ' + text);
      send({ type: 'voice', content: text });
    } else {
      bubble('me', text);
      send({ type: 'text', content: text });
    }
  });

  modeButton.addEventListener('click', function () {
    voiceMode = !voiceMode;
    modeButton.setAttribute('aria-pressed', String(voiceMode));
    composer.classList.toggle('voice', voiceMode);
    textInput.placeholder = voiceMode ? '输入你“说”的话，作为语音识别结果发送' : '输入消息';
    modeButton.textContent = voiceMode ? '文字' : '语音';
    textInput.focus();
  });

  photoInput.addEventListener('change', function () {
    const file = photoInput.files[0];
    photoInput.value = '';
    if (file) sendPhoto(file);
  });

  document.getElementById('location').addEventListener('click', function () {
    const place = { lat: 23.134521, lng: 113.358803, label: '广东省广州市天河区天河路208号' };
    bubble('me', '[位置] ' + place.label);
    send({ type: 'location', lat: place.lat, lng: place.lng, label: place.label });
  });

  document.getElementById('follow').addEventListener('click', function () {
    notice('你关注了公众号');
    send({ type: 'event', event: 'subscribe' });
  });

  document.getElementById('new-user').addEventListener('click', function () {
    setOpenID(randomOpenID());
  });

  openidInput.addEventListener('change', function () {
    const value = openidInput.value.trim();
    if (/^[A-Za-z0-9_-]{1,64}$/.test(value)) setOpenID(value);
    else {
      notice('openid 只能包含字母、数字、- 和 _', true);
      openidInput.value = openid;
    }
  });

  function bindMenu() {
    document.querySelectorAll('.menu button').forEach(function (button) {
      button.addEventListener('click', function () {
        notice('点击菜单：' + button.textContent);
        send({ type: 'event', event: 'CLICK', key: button.dataset.key });
      });
    });
  }

  // Show the menu the account installed (menu/create), as a phone would.
  function loadMenu() {
    fetch(base + '/api/menu').then(function (r) { return r.json(); }).then(function (buttons) {
      if (!Array.isArray(buttons) || buttons.length === 0) return;
      const nav = document.querySelector('.menu');
      nav.replaceChildren();
      buttons.forEach(function (b) {
        const button = document.createElement('button');
        button.type = 'button';
        button.dataset.key = b.key;
        button.textContent = b.name;
        nav.appendChild(button);
      });
      bindMenu();
    }).catch(function () { /* keep the built-in menu */ });
  }

  bindMenu();
  loadMenu();

  setOpenID(openid);
  setInterval(poll, 2000);
})();
