// Meridian web app: progressive enhancement. Every page works without this
// script; with it, parts of a page update live and forms preview as you type.
//
// Written for Meridian rather than taken from a library because it is two
// conventions of this app's own markup, in a few dozen lines:
//
//   data-live="chan1,chan2"  on an element with an id: when any of the live
//     channels (Server-Sent Events at /events) says something changed, the
//     page is fetched again and that element replaced by its new version,
//     so the server renders every state (no client-side templates).
//   data-preview="/url" data-preview-target="id"  on a text field: its text
//     is posted (debounced) to the url and the HTML answer shown in the target.
(function () {
  "use strict";

  function csrf() {
    var m = document.cookie.match(/(?:^|;\s*)meridian_csrf=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  // refresh fetches the page again and replaces the elements with these
  // ids. The read models a page is rendered from follow the same events as
  // the live channels and may be a moment behind them, so the request
  // names the event's position (X-Meridian-Position) and the server waits
  // until the page's data has caught up with it before rendering.
  var pending = null, position = 0;
  function refresh(ids) {
    if (pending) { ids.forEach(function (id) { pending.add(id); }); return; }
    pending = new Set(ids);
    setTimeout(function () {
      var want = Array.from(pending);
      pending = null;
      var headers = { "Accept": "text/html" };
      if (position) { headers["X-Meridian-Position"] = String(position); }
      fetch(location.href, { credentials: "same-origin", cache: "no-store", headers: headers })
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, "text/html");
          want.forEach(function (id) {
            var cur = document.getElementById(id), next = doc.getElementById(id);
            if (!cur || !next || cur.innerHTML === next.innerHTML) { return; }
            cur.replaceWith(document.importNode(next, true));
            var el = document.getElementById(id);
            if (el) { el.classList.add("updated"); }
          });
          document.dispatchEvent(new CustomEvent("meridian:updated", { detail: want }));
        })
        .catch(function () { /* the next event tries again */ });
    }, 150);
  }

  // seen notes the position of a live message (its id is "position" or
  // "position.seq"; ephemeral messages such as market ticks have none).
  function seen(e) {
    var p = parseInt(String(e.lastEventId || "").split(".")[0], 10);
    if (p > position) { position = p; }
  }

  function live() {
    var byChannel = {};
    document.querySelectorAll("[data-live][id]").forEach(function (el) {
      el.getAttribute("data-live").split(",").forEach(function (c) {
        c = c.trim();
        if (c) { (byChannel[c] = byChannel[c] || []).push(el.id); }
      });
    });
    var channels = Object.keys(byChannel);
    if (!channels.length || !window.EventSource) { return; }
    var es = new EventSource("/events?channels=" + encodeURIComponent(channels.join(",")));
    channels.forEach(function (c) {
      es.addEventListener(c, function (e) { seen(e); refresh(byChannel[c]); });
    });
    // Messages were lost (reset) or the session ended (error): refresh once;
    // after an error the server closed the stream for good.
    es.addEventListener("reset", function () { refresh([].concat.apply([], Object.values(byChannel))); });
    es.addEventListener("error", function (e) { if (e.data) { es.close(); } });
    document.documentElement.setAttribute("data-live-ready", channels.join(","));
  }

  function previews() {
    document.querySelectorAll("[data-preview]").forEach(function (field) {
      var target = document.getElementById(field.getAttribute("data-preview-target"));
      if (!target) { return; }
      var timer = null, seq = 0;
      function send() {
        var n = ++seq, body = new URLSearchParams();
        body.set("text", field.value);
        fetch(field.getAttribute("data-preview"), {
          method: "POST", credentials: "same-origin", body: body,
          headers: { "X-CSRF-Token": csrf(), "Accept": "text/html" }
        }).then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
          .then(function (html) { if (n === seq) { target.innerHTML = html; } })
          .catch(function () { /* keep the last preview */ });
      }
      field.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(send, 300);
      });
      if (field.value) { send(); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { live(); previews(); });
})();
