// kbfresh search: reads the index under search/<lang>/ (see docs/search.md), fetching only the
// shards a query needs. Terms are made exactly as src/search.rs makes them.
(function () {
  "use strict";

  var DROPPED = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f\u064b-\u065f\u0670\u0640\u00ad\u200c\u200d'\u2019\u02bb\u02bc]/g;
  var WORD = /[\p{Alphabetic}\p{N}\p{M}]+/gu;
  var BIGRAM = /[\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{3ffff}\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff]/u;
  var EN_STOP = ("a an and are as at be but by for from if in into is it its of on or so than that the " +
    "their then there these they this to was were will with").split(" ");
  var MAX_TERM = 40;

  function normalize(s) {
    return s.toLowerCase().normalize("NFKD").replace(DROPPED, "")
      .replace(/ς/g, "σ").replace(/[\u064a\u0649]/g, "\u06cc").replace(/\u0643/g, "\u06a9");
  }

  function hasVowel(s) { return /[aeiouy]/.test(s); }

  // The same rules as stem_en in src/search.rs.
  function stemEn(w) {
    if (w.length <= 3 || !/^[a-z]+$/.test(w)) return w;
    var s = w;
    var end = function (x) { return s.length >= x.length && s.slice(-x.length) === x; };
    if (end("ies") && s.length > 4) s = s.slice(0, -3) + "y";
    else if (end("sses")) s = s.slice(0, -2);
    else if (end("s") && !end("ss") && !end("us") && !end("is")) s = s.slice(0, -1);
    var sufs = ["ing", "ed"];
    for (var k = 0; k < sufs.length; k++) {
      var x = sufs[k];
      if (end(x) && s.length - x.length >= 3 && hasVowel(s.slice(0, -x.length))) {
        s = s.slice(0, -x.length);
        var n = s.length;
        if (n >= 2 && s[n - 1] === s[n - 2] && "aeioulsz".indexOf(s[n - 1]) < 0) s = s.slice(0, -1);
        break;
      }
    }
    if (end("ly") && s.length >= 5) s = s.slice(0, -2);
    if (end("e") && s.length > 4) s = s.slice(0, -1);
    return s;
  }

  function wordTerms(word, english, out) {
    var chars = Array.from(word);
    var i = 0;
    while (i < chars.length) {
      var bi = BIGRAM.test(chars[i]);
      var j = i;
      while (j < chars.length && BIGRAM.test(chars[j]) === bi) j++;
      var seg = chars.slice(i, j);
      if (bi) {
        if (seg.length === 1) out.push(seg[0]);
        else for (var k = 0; k + 1 < seg.length; k++) out.push(seg[k] + seg[k + 1]);
      } else if (seg.length <= MAX_TERM) {
        var s = seg.join("");
        if (!english) out.push(s);
        else if (EN_STOP.indexOf(s) < 0) out.push(stemEn(s));
      }
      i = j;
    }
  }

  function terms(text, english) {
    var out = [];
    var m = normalize(text).match(WORD) || [];
    for (var i = 0; i < m.length; i++) wordTerms(m[i], english, out);
    return out;
  }

  // Postings: varints of `doc_delta * 16 + score`, 5 bits per character (see src/search.rs).
  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var DIGIT = {};
  for (var di = 0; di < 64; di++) DIGIT[DIGITS[di]] = di;

  function decode(s, fn) {
    var doc = 0, v = 0, mul = 1;
    for (var i = 0; i < s.length; i++) {
      var d = DIGIT[s[i]];
      v += (d & 31) * mul;
      if (d & 32) { mul *= 32; continue; }
      doc += Math.floor(v / 16);
      fn(doc, v % 16);
      v = 0;
      mul = 1;
    }
  }

  // UTF-16 order, as the manifest is sorted.
  function cmp(a, b) { return a < b ? -1 : a > b ? 1 : 0; }

  function Index(base) {
    this.base = base;
    this.cache = {};
    this.bytes = 0;
    this.manifest = this.get("manifest.json");
  }

  Index.prototype.get = function (path) {
    var self = this;
    if (!this.cache[path]) {
      this.cache[path] = fetch(this.base + path).then(function (r) {
        if (!r.ok) throw new Error("search index: " + path + ": " + r.status);
        return r.text();
      }).then(function (t) { self.bytes += t.length; return JSON.parse(t); });
    }
    return this.cache[path];
  };

  // Shards holding terms that start with `q`: from the one q sorts into, while the next starts with q.
  // A very short prefix on a big site spans many shards: then only the first is read.
  Index.prototype.shardsFor = function (m, q) {
    var firsts = m.shards;
    var lo = 0, hi = firsts.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (cmp(firsts[mid], q) <= 0) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    var list = [at];
    for (var i = at + 1; i < firsts.length && firsts[i].lastIndexOf(q, 0) === 0; i++) list.push(i);
    return list.length > 3 ? [at] : list;
  };

  // Documents matching every term (by prefix), best first: title hits, then exact terms, then counts.
  Index.prototype.search = function (query) {
    var self = this;
    return this.manifest.then(function (m) {
      var english = m.stem === "en";
      var qs = terms(query, english);
      // A stop word still being typed may be the start of a word (`to` as in `token`): it is searched
      // by prefix too, but articles need not match it.
      var words = normalize(query).match(WORD) || [];
      var last = words[words.length - 1], optional = null;
      if (english && last && !/\s$/.test(query) && EN_STOP.indexOf(last) >= 0) {
        optional = last;
        qs.push(last);
      }
      // On a split index a one-letter word would read a shard of mostly unrelated terms: wait for more.
      if (m.shards.length > 1) {
        qs = qs.filter(function (q) { return Array.from(q).length > 1 || BIGRAM.test(q); });
      }
      if (!qs.length) return { m: m, hits: [], qs: qs, wait: true };
      var unique = qs.filter(function (q, i) { return qs.indexOf(q) === i; });
      return Promise.all(unique.map(function (q) {
        return Promise.all(self.shardsFor(m, q).map(function (n) {
          return self.get("t/" + n + ".json");
        })).then(function (shards) {
          var scores = {};
          shards.forEach(function (shard) {
            for (var term in shard) {
              if (term.lastIndexOf(q, 0) !== 0) continue;
              var exact = term === q ? 2 : 0;
              decode(shard[term], function (doc, s) {
                var v = (s >= 8 ? 100 : 0) + (s % 8) * 3 + exact;
                if (!(doc in scores) || scores[doc] < v) scores[doc] = v;
              });
            }
          });
          return scores;
        });
      })).then(function (per) {
        var total = {}, count = {}, required = 0;
        per.forEach(function (scores, k) {
          var req = unique[k] !== optional;
          if (req) required++;
          for (var d in scores) {
            total[d] = (total[d] || 0) + scores[d];
            count[d] = (count[d] || 0) + (req ? 1 : 0);
          }
        });
        var docs = Object.keys(total).map(Number);
        var all = docs.filter(function (d) { return count[d] === required; });
        if (all.length) docs = all;
        docs.sort(function (a, b) {
          return (count[b] - count[a]) || (total[b] - total[a]) || (a - b);
        });
        return { m: m, hits: docs, qs: unique };
      });
    });
  };

  Index.prototype.docs = function (m, ids) {
    var self = this;
    var chunks = {};
    ids.forEach(function (d) { chunks[Math.floor(d / m.chunk)] = true; });
    return Promise.all(Object.keys(chunks).map(function (c) {
      return self.get("d/" + c + ".json").then(function (rows) { return [Number(c), rows]; });
    })).then(function (loaded) {
      var byChunk = {};
      loaded.forEach(function (x) { byChunk[x[0]] = x[1]; });
      return ids.map(function (d) {
        var r = byChunk[Math.floor(d / m.chunk)][d % m.chunk];
        return { id: d, title: r[0], url: r[1], section: m.sections[r[2]], status: r[3], expires: r[4], text: r[5] };
      });
    });
  };

  function escapeHtml(s) {
    return s.replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c];
    });
  }

  function matches(word, qs, english) {
    var ts = terms(word, english);
    for (var i = 0; i < ts.length; i++) {
      for (var j = 0; j < qs.length; j++) if (ts[i].lastIndexOf(qs[j], 0) === 0) return true;
    }
    return false;
  }

  // `text` with the words that match the query in <mark>; with `around`, a window near the first match.
  function highlight(text, qs, english, around) {
    var re = /[\p{Alphabetic}\p{N}\p{M}'\u2019\u02bb\u02bc\u200c\u200d]+/gu;
    var spans = [], m;
    while ((m = re.exec(text))) {
      if (matches(m[0], qs, english)) spans.push([m.index, m.index + m[0].length]);
    }
    var from = 0, to = text.length;
    if (around) {
      var first = spans.length ? spans[0][0] : 0;
      from = Math.max(0, first - 60);
      if (from > 0) { var sp = text.indexOf(" ", from); if (sp >= 0 && sp < first) from = sp + 1; }
      to = Math.min(text.length, from + around);
      if (to < text.length) { var back = text.lastIndexOf(" ", to); if (back > first) to = back; }
    }
    var out = from > 0 ? "… " : "", at = from;
    spans.forEach(function (s) {
      if (s[0] < from || s[1] > to) return;
      out += escapeHtml(text.slice(at, s[0])) + "<mark>" + escapeHtml(text.slice(s[0], s[1])) + "</mark>";
      at = s[1];
    });
    out += escapeHtml(text.slice(at, to));
    return to < text.length ? out + " …" : out;
  }

  function isStale(doc) {
    if (doc.status === "stale") return true;
    return !!doc.expires && new Date().toISOString().slice(0, 10) > doc.expires;
  }

  function render(form, list, res, docs, limit) {
    var english = res.m.stem === "en";
    var html = "";
    if (!docs.length) {
      html = '<p class="search-empty">' + escapeHtml(form.getAttribute("data-t-no-results")) + "</p>";
    } else {
      html = '<ul class="search-list" role="listbox">';
      docs.forEach(function (d, i) {
        var stale = isStale(d);
        html += '<li class="search-hit' + (stale ? " search-hit-stale" : "") + '" role="option" id="kb-hit-' + i + '">' +
          '<a class="search-hit-link" href="' + escapeHtml(d.url) + '">' +
          '<span class="search-hit-title">' + highlight(d.title, res.qs, english, 0) + "</span>" +
          '<span class="search-hit-meta"><span class="search-hit-section">' + escapeHtml(d.section || "") + "</span>" +
          (stale ? ' <span class="badge badge-stale search-hit-badge">' + escapeHtml(form.getAttribute("data-t-stale")) + "</span>" : "") +
          "</span>" +
          '<span class="search-hit-snippet">' + highlight(d.text, res.qs, english, 180) + "</span>" +
          "</a></li>";
      });
      html += "</ul>";
      if (res.hits.length > limit && !form.hasAttribute("data-kb-search-page")) {
        var input = form.querySelector("input");
        html += '<a class="search-more" href="' + escapeHtml(form.getAttribute("action")) + "?q=" +
          encodeURIComponent(input.value) + '">' + escapeHtml(form.getAttribute("data-t-more")) +
          " (" + res.hits.length + ")</a>";
      }
    }
    list.innerHTML = html;
  }

  var indexes = {};

  function setup(form) {
    var input = form.querySelector("input[type=search]");
    var list = form.parentNode.querySelector(".search-results") || form.querySelector(".search-results");
    if (form.hasAttribute("data-kb-search-page")) list = document.getElementById("kb-search-results");
    var page = form.hasAttribute("data-kb-search-page");
    var limit = page ? 50 : 8;
    var base = form.getAttribute("data-kb-search");
    var seq = 0, timer = null, active = -1;

    function index() {
      if (!indexes[base]) indexes[base] = new Index(base);
      return indexes[base];
    }

    function show(open) {
      if (page) return;
      list.hidden = !open;
      input.setAttribute("aria-expanded", open ? "true" : "false");
    }

    function run() {
      var q = input.value;
      var mine = ++seq;
      if (!q.trim()) { list.innerHTML = ""; show(false); return; }
      var idx = index();
      if (page && !list.querySelector(".search-hit")) {
        list.innerHTML = '<p class="search-empty search-loading">' + escapeHtml(form.getAttribute("data-t-loading")) + "</p>";
      }
      idx.search(q).then(function (res) {
        if (mine !== seq || res.wait) return null;
        return idx.docs(res.m, res.hits.slice(0, limit)).then(function (docs) {
          if (mine !== seq) return;
          render(form, list, res, docs, limit);
          active = -1;
          show(true);
          if (page && history.replaceState) {
            history.replaceState(null, "", "?q=" + encodeURIComponent(q));
          }
        });
      }).catch(function (e) {
        list.innerHTML = '<p class="search-empty">' + escapeHtml(String(e.message || e)) + "</p>";
        show(true);
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    });
    input.addEventListener("focus", function () { index(); if (list.innerHTML) show(true); });
    input.addEventListener("keydown", function (e) {
      var items = list.querySelectorAll(".search-hit-link");
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!items.length) return;
        e.preventDefault();
        active = (active + (e.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
        items.forEach(function (a, i) { a.parentNode.classList.toggle("search-hit-active", i === active); });
        input.setAttribute("aria-activedescendant", "kb-hit-" + active);
      } else if (e.key === "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        location.href = items[active].href;
      } else if (e.key === "Escape") {
        show(false);
        input.blur();
      }
    });
    document.addEventListener("click", function (e) {
      if (!form.contains(e.target)) show(false);
    });
    if (page) {
      var q = new URLSearchParams(location.search).get("q");
      if (q) { input.value = q; run(); }
    }
  }

  function init() {
    var forms = document.querySelectorAll("form[data-kb-search]");
    forms.forEach(setup);
    document.addEventListener("keydown", function (e) {
      if (e.key !== "/" || e.ctrlKey || e.metaKey || e.altKey) return;
      var t = e.target;
      if (t && (t.isContentEditable || /^(input|textarea|select)$/i.test(t.tagName))) return;
      var input = document.getElementById("kb-search-input");
      if (input) { e.preventDefault(); input.focus(); input.select(); }
    });
  }

  window.kbfreshSearch = { terms: terms, stemEn: stemEn, Index: Index };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();

// Content tabs with a sync key (Docusaurus `groupId`, Starlight `syncKey`, `:::tabs key=`): choosing
// a tab chooses the tab of the same value in every group with that key, now and on later pages.
(function () {
  "use strict";
  function choose(key, value) {
    var groups = document.querySelectorAll('.tabs[data-sync="' + key.replace(/["\\]/g, "\\$&") + '"]');
    for (var i = 0; i < groups.length; i++) {
      var inputs = groups[i].querySelectorAll(":scope > .tab-input");
      for (var j = 0; j < inputs.length; j++) {
        if (inputs[j].getAttribute("data-value") === value) inputs[j].checked = true;
      }
    }
  }
  function init() {
    var groups = document.querySelectorAll(".tabs[data-sync]");
    for (var i = 0; i < groups.length; i++) {
      var key = groups[i].getAttribute("data-sync");
      try {
        var saved = localStorage.getItem("kb-tabs-" + key);
        if (saved) choose(key, saved);
      } catch (e) { /* storage blocked: tabs still work, unsynced across pages */ }
    }
    document.addEventListener("change", function (e) {
      var t = e.target;
      if (!t.classList || !t.classList.contains("tab-input")) return;
      var group = t.parentElement;
      var key = group && group.getAttribute("data-sync");
      if (!key) return;
      var value = t.getAttribute("data-value");
      choose(key, value);
      try { localStorage.setItem("kb-tabs-" + key, value); } catch (err) { /* see above */ }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
