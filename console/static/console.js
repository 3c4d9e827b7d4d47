// The console's script. Loaded from a file (the CSP forbids inline script).
"use strict";

// ---- auth: copying the new API token (tokens_created.html) ----
// A button with data-copy="ID" copies the text of element ID. Wired here because
// the CSP forbids inline handlers. (Forms with data-confirm on the staff and
// token pages are handled by the case desk block below, for every page.)
document.addEventListener("click", (e) => {
  const btn = e.target.closest && e.target.closest("button[data-copy]");
  if (!btn) return;
  const el = document.getElementById(btn.dataset.copy);
  if (!el || !navigator.clipboard) return;
  navigator.clipboard.writeText(el.textContent.trim()).then(() => { btn.textContent = "已复制"; });
});
// ---- end auth ----

/* ---- Case desk pages (console/page_*.go): canned replies, confirmations and the
   live timeline of a case page. New entries are built with textContent, never
   innerHTML: everything in them may come from a consumer. ---- */
(function () {
  "use strict";

  var pollInterval = 5000; // ms

  // el makes an element with a class and a text.
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }

  // insertCanned puts the chosen canned reply into its textarea at the cursor.
  function insertCanned(select) {
    var area = document.getElementById(select.dataset.target);
    var text = select.value;
    if (!area || !text) { return; }
    var start = area.selectionStart, end = area.selectionEnd;
    if (typeof start === "number" && typeof end === "number") {
      area.value = area.value.slice(0, start) + text + area.value.slice(end);
      area.selectionStart = area.selectionEnd = start + text.length;
    } else {
      area.value += text;
    }
    select.value = "";
    area.focus();
  }

  // deliveryNode shows how far a notice got (see the "case_delivery" template).
  function deliveryNode(d) {
    var span = el("span", "delivery " + d["class"], d.label);
    if (d.title) { span.title = d.title; }
    return span;
  }

  // evidenceNode shows a photo thumbnail or its download state.
  function evidenceNode(e) {
    var url = typeof e.url === "string" && e.url.indexOf("/console/evidence/") === 0 ? e.url : "";
    if (!url) { return el("span", "evidence-state", "证据 #" + e.id + " " + e.state); }
    var a = el("a", e.kind === "voice" ? "voice" : "thumb");
    a.href = url;
    if (e.kind === "voice") { a.textContent = "语音证据 #" + e.id; return a; }
    a.target = "_blank";
    a.rel = "noopener";
    var img = el("img");
    img.src = url;
    img.alt = "证据照片 #" + e.id;
    a.appendChild(img);
    return a;
  }

  // itemNode builds a timeline entry like the "case_timeline_item" template.
  function itemNode(item) {
    var li = el("li", "msg msg-" + item.side);
    li.dataset.event = String(item.id);
    if (item.side === "status") {
      var line = el("p", "status-line");
      line.appendChild(el("span", "body", item.body));
      line.appendChild(document.createTextNode(" "));
      line.appendChild(el("span", "meta", item.author + " · " + item.at));
      if (item.delivery) { line.appendChild(deliveryNode(item.delivery)); }
      li.appendChild(line);
      return li;
    }
    var bubble = el("div", "bubble");
    if (item.side === "note") { bubble.appendChild(el("p", "note-label", "内部备注，消费者看不到")); }
    if (item.body) { bubble.appendChild(el("p", "body", item.body)); }
    if (item.evidence && item.evidence.length) {
      var ev = el("p", "evidence");
      item.evidence.forEach(function (e) { ev.appendChild(evidenceNode(e)); });
      bubble.appendChild(ev);
    }
    var meta = el("p", "meta");
    meta.appendChild(el("span", "author", item.author));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("time", null, item.at));
    if (item.delivery) { meta.appendChild(deliveryNode(item.delivery)); }
    bubble.appendChild(meta);
    li.appendChild(bubble);
    return li;
  }

  // updateDeliveries refreshes the delivery state of entries already shown.
  function updateDeliveries(list, deliveries) {
    Object.keys(deliveries || {}).forEach(function (id) {
      var li = list.querySelector('li[data-event="' + String(Number(id)) + '"]');
      if (!li) { return; }
      var node = deliveryNode(deliveries[id]);
      var old = li.querySelector(".delivery");
      if (old) { old.replaceWith(node); return; }
      var host = li.querySelector("p.meta") || li.querySelector("p.status-line");
      if (host) { host.appendChild(node); }
    });
  }

  // startPolling asks for new entries every few seconds while the page is
  // visible, appends them, and shows the unread banner when the consumer wrote.
  function startPolling(list) {
    var after = list.dataset.after || "0", busy = false;
    var banner = document.getElementById("unread-banner");
    function tick() {
      if (busy || document.hidden) { return; }
      busy = true;
      fetch(list.dataset.poll + "?after=" + encodeURIComponent(after), {
        // X-Background: a poll is not use of the session; it must not keep an
        // unattended desk signed in.
        credentials: "same-origin", headers: { "Accept": "application/json", "X-Background": "1" }
      }).then(function (r) {
        var type = r.headers.get("Content-Type") || "";
        if (!r.ok || type.indexOf("application/json") !== 0) { throw new Error("poll failed"); }
        return r.json();
      }).then(function (data) {
        var nearBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
        (data.events || []).forEach(function (item) {
          if (!list.querySelector('li[data-event="' + String(Number(item.id)) + '"]')) {
            list.appendChild(itemNode(item));
          }
        });
        if (nearBottom) { list.scrollTop = list.scrollHeight; }
        after = String(data.last_id || after);
        updateDeliveries(list, data.deliveries);
        if (banner) { banner.hidden = !data.unread; }
      }).catch(function () {
        // A failed poll (offline, signed out) is retried at the next tick.
      }).then(function () { busy = false; });
    }
    setInterval(tick, pollInterval);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("select.canned-picker").forEach(function (s) {
      s.addEventListener("change", function () { insertCanned(s); });
    });
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (!window.confirm(f.dataset.confirm)) { ev.preventDefault(); }
      });
    });
    // A form marked data-once (the reply and the note) is sent once: its
    // buttons are disabled as it goes, so a double click cannot post it twice.
    // (The server drops a second post of the same form anyway, by its idem key.)
    document.querySelectorAll("form[data-once]").forEach(function (f) {
      f.addEventListener("submit", function (ev) {
        if (ev.defaultPrevented) { return; }
        if (f.dataset.sent) { ev.preventDefault(); return; }
        f.dataset.sent = "1";
        f.querySelectorAll("button[type=submit], input[type=submit]").forEach(function (b) {
          b.disabled = true;
        });
      });
    });
    // A page brought back by the Back button holds forms already sent (their
    // buttons disabled, their idem keys used): load it afresh.
    window.addEventListener("pageshow", function (ev) {
      if (ev.persisted && document.querySelector("form[data-once]")) { window.location.reload(); }
    });
    var list = document.getElementById("timeline");
    if (list && list.dataset.poll) {
      list.scrollTop = list.scrollHeight;
      startPolling(list);
    }
  });
})();
/* ---- end of case desk pages ---- */
