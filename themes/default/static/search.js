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
  Index.prototype.shardsFor = function (m, q, limit) {
    var firsts = m.shards;
    var lo = 0, hi = firsts.length - 1, at = 0;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (cmp(firsts[mid], q) <= 0) { at = mid; lo = mid + 1; } else hi = mid - 1;
    }
    var list = [at];
    for (var i = at + 1; i < firsts.length && firsts[i].lastIndexOf(q, 0) === 0; i++) list.push(i);
    if (limit) return list.slice(0, limit);
    return list.length > 3 ? [at] : list;
  };

  // The query's terms: `{t, optional, typing}`. Question words ("how do I") and an English stop word
  // still being typed (`to` as in `token`) are optional: they add to the score, but articles need not
  // match them, unless nothing else is left.
  function queryTerms(query, m) {
    var english = m.stem === "en";
    var ignore = {};
    (m.ignore || []).forEach(function (w) { ignore[w] = true; });
    var words = normalize(query).match(WORD) || [];
    var typing = !/\s$/.test(query);
    var list = [];
    words.forEach(function (w, i) {
      var out = [];
      wordTerms(w, english, out);
      var last = typing && i === words.length - 1;
      var optional = ignore[w] === true;
      if (!out.length && english && last && EN_STOP.indexOf(w) >= 0) { out = [w]; optional = true; }
      out.forEach(function (t) { list.push({ t: t, optional: optional, typing: last, word: w }); });
    });
    if (list.every(function (x) { return x.optional; })) list.forEach(function (x) { x.optional = false; });
    // One entry per term; required wins over optional.
    var by = {}, unique = [];
    list.forEach(function (x) {
      if (!(x.t in by)) { by[x.t] = x; unique.push(x); } else if (!x.optional) by[x.t].optional = false;
    });
    // On a split index a one-letter word would read a shard of mostly unrelated terms: wait for more.
    if (m.shards.length > 1) {
      unique = unique.filter(function (x) { return Array.from(x.t).length > 1 || BIGRAM.test(x.t); });
    }
    return unique;
  }

  // Optimal string alignment distance of a and b (arrays of characters), or max + 1 when over max.
  function distance(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], i, j;
    for (j = 0; j <= b.length; j++) prev.push(j);
    for (i = 1; i <= a.length; i++) {
      var cur = [i], low = i;
      for (j = 1; j <= b.length; j++) {
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur.push(v);
        if (v < low) low = v;
      }
      if (low > max) return max + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  // Typos allowed in a word of n characters: none up to 3, one up to 7, two from 8.
  function allowed(n) { return n < 4 ? 0 : n < 8 ? 1 : 2; }

  // Best score per document of the postings of `terms` (`{term: [distance, exact]}`).
  function scoreTerms(shards, pick) {
    var scores = {};
    shards.forEach(function (shard) {
      for (var term in shard) {
        var bonus = pick(term);
        if (bonus === null) continue;
        decode(shard[term], function (doc, s) {
          var v = (s >= 8 ? 100 : 0) + (s % 8) * 3 + bonus;
          if (!(doc in scores) || scores[doc] < v) scores[doc] = v;
        });
      }
    });
    return scores;
  }

  Index.prototype.shards = function (list) {
    var self = this;
    return Promise.all(list.map(function (n) { return self.get("t/" + n + ".json"); }));
  };

  // Terms within the allowed typos of `x.t` (of a prefix of them while the word is being typed), from
  // the shards of terms that start with its first two letters (a typo there is not corrected): each
  // with its distance and how many articles have it.
  Index.prototype.fuzzy = function (m, x) {
    var q = Array.from(x.t), max = allowed(q.length);
    if (!max || BIGRAM.test(x.t)) return Promise.resolve([]);
    var list = this.shardsFor(m, q.slice(0, 2).join(""), 3);
    return this.shards(list).then(function (shards) {
      var found = [];
      shards.forEach(function (shard) {
        for (var term in shard) {
          if (term.lastIndexOf(x.t, 0) === 0) continue;
          var t = Array.from(term), d = max + 1;
          if (x.typing) {
            for (var n = Math.max(1, q.length - max); n <= Math.min(t.length, q.length + max); n++) {
              d = Math.min(d, distance(q, t.slice(0, n), max));
            }
          } else d = distance(q, t, max);
          if (d <= max) found.push({ term: term, d: d, df: shard[term].replace(/[g-zA-Z0-9\-_]/g, "").length });
        }
      });
      return found;
    });
  };

  // Documents matching every required term (by prefix), best first: title hits, then exact terms,
  // then counts. When no document has them all, terms within a typo or two of a required term are
  // tried too (`fixes` then says which words were read as which terms, for "Did you mean").
  Index.prototype.search = function (query) {
    var self = this;
    return this.manifest.then(function (m) {
      var qs = queryTerms(query, m);
      if (!qs.length) return { m: m, hits: [], qs: [], wait: true };
      return Promise.all(qs.map(function (x) {
        return self.shards(self.shardsFor(m, x.t)).then(function (shards) {
          return scoreTerms(shards, function (term) {
            return term.lastIndexOf(x.t, 0) !== 0 ? null : term === x.t ? 2 : 0;
          });
        });
      })).then(function (per) {
        var res = rank(m, qs, per);
        var missing = qs.filter(function (x, k) { return !x.optional && !Object.keys(per[k]).length; });
        if (res.complete && !(missing.length && res.hits.length < 3)) return res;
        // Too little: try the words with a typo or two.
        return Promise.all(qs.map(function (x) {
          return x.optional ? Promise.resolve([]) : self.fuzzy(m, x);
        })).then(function (cands) {
          var fixes = [];
          return Promise.all(qs.map(function (x, k) {
            if (!cands[k].length) return Promise.resolve(per[k]);
            var best = {};
            cands[k].forEach(function (c) { best[c.term] = c.d; });
            cands[k].sort(function (a, b) { return (a.d - b.d) || (b.df - a.df) || cmp(a.term, b.term); });
            fixes.push({ word: x.word, term: cands[k][0].term, typing: x.typing });
            return self.shards(self.shardsFor(m, x.t, 3).concat(self.shardsFor(m, Array.from(x.t).slice(0, 2).join(""), 3)))
              .then(function (shards) {
                var fuzzy = scoreTerms(shards, function (term) {
                  return term in best ? -4 * best[term] : null;
                });
                var merged = {};
                for (var d in per[k]) merged[d] = per[k][d];
                for (d in fuzzy) if (!(d in merged) || merged[d] < fuzzy[d]) merged[d] = fuzzy[d];
                return merged;
              });
          })).then(function (per2) {
            var again = rank(m, qs, per2);
            if (!fixes.length || again.hits.length <= res.hits.length && !(!res.complete && again.complete)) return res;
            again.fixes = fixes;
            again.qs = again.qs.concat(fixes.map(function (f) { return f.term; }));
            return again;
          });
        });
      });
    });
  };

  function rank(m, qs, per) {
    var total = {}, count = {}, required = 0;
    per.forEach(function (scores, k) {
      var req = !qs[k].optional;
      if (req) required++;
      for (var d in scores) {
        total[d] = (total[d] || 0) + scores[d];
        count[d] = (count[d] || 0) + (req ? 1 : 0);
      }
    });
    var docs = Object.keys(total).map(Number);
    var all = docs.filter(function (d) { return count[d] === required; });
    var complete = all.length > 0;
    if (complete) docs = all;
    docs.sort(function (a, b) {
      return (count[b] - count[a]) || (total[b] - total[a]) || (a - b);
    });
    return { m: m, hits: docs, qs: qs.map(function (x) { return x.t; }), complete: complete };
  }

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
        return {
          id: d, title: r[0], url: r[1], section: m.sections[r[2]], status: r[3], expires: r[4], text: r[5],
          description: r[6] || ""
        };
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

  // The snippet: from the text around the first match, else the description when it has one.
  function snippet(d, qs, english) {
    var text = highlight(d.text, qs, english, 180);
    if (text.indexOf("<mark>") < 0 && d.description) {
      var desc = highlight(d.description, qs, english, 180);
      if (desc.indexOf("<mark>") >= 0 || !d.text) return desc;
    }
    return text;
  }

  // The word of the shown results that a fixed term stands for ("instll" read as `install`), so
  // that "Did you mean" shows a word, not a stem.
  function surface(fix, docs, english) {
    var re = /[\p{Alphabetic}\p{N}\p{M}'\u2019\u02bb\u02bc\u200c\u200d]+/gu;
    for (var i = 0; i < docs.length; i++) {
      var all = (docs[i].title + " " + docs[i].description + " " + docs[i].text).match(re) || [];
      for (var j = 0; j < all.length; j++) {
        var ts = terms(all[j], english);
        if (ts.length === 1 && (ts[0] === fix.term || (fix.typing && ts[0].lastIndexOf(fix.term, 0) === 0))) {
          return normalize(all[j]);
        }
      }
    }
    return fix.term;
  }

  function words(form, name, n, query) {
    var lang = document.documentElement.lang || undefined;
    var s = form.getAttribute("data-t-" + name) || "";
    return s.replace("{n}", n === undefined ? "" : Number(n).toLocaleString(lang)).replace("{query}", query || "");
  }

  function render(ui, res, docs, query) {
    var form = ui.form, english = res.m.stem === "en";
    var html = "";
    docs.forEach(function (d, i) {
      var stale = isStale(d);
      html += '<li role="none" class="search-hit' + (stale ? " search-hit-stale" : "") + '">' +
        '<a class="search-hit-link" role="option" tabindex="-1" aria-selected="false" id="' + ui.id + "-hit-" + i +
        '" href="' + escapeHtml(d.url) + '">' +
        '<span class="search-hit-title">' + highlight(d.title, res.qs, english, 0) + "</span>" +
        '<span class="search-hit-meta"><span class="search-hit-section">' + escapeHtml(d.section || "") + "</span>" +
        (stale ? ' <span class="badge badge-stale search-hit-badge">' + escapeHtml(words(form, "stale")) + "</span>" : "") +
        "</span>" +
        '<span class="search-hit-snippet">' + snippet(d, res.qs, english) + "</span>" +
        "</a></li>";
    });
    ui.listbox.innerHTML = html;
    ui.listbox.hidden = !docs.length;
    var n = res.hits.length;
    var count = n === 1 ? words(form, "count-one") : n ? words(form, "count", n) : "";
    ui.count.textContent = count;
    var extra = "";
    if (res.fixes && res.fixes.length) {
      var fixed = {};
      res.fixes.forEach(function (f) { fixed[f.word] = surface(f, docs, english); });
      var q = (normalize(query).match(WORD) || []).map(function (w) { return fixed[w] || w; }).join(" ");
      extra += '<p class="search-fix">' + escapeHtml(words(form, "did-you-mean")) + ' <a class="search-fix-link" href="' +
        escapeHtml(form.getAttribute("action")) + "?q=" + encodeURIComponent(q) + '" data-q="' + escapeHtml(q) + '">' +
        escapeHtml(q) + "</a>?</p>";
    }
    if (!n) {
      extra += '<p class="search-empty">' + escapeHtml(words(form, "no-results-for", 0, query.trim())) + "</p>";
      var channels = document.querySelector("#kb-support .channels");
      if (channels) {
        extra += '<div class="search-ask"><p>' + escapeHtml(words(form, "ask")) + '</p><ul class="search-ask-list">';
        channels.querySelectorAll(".channel-link").forEach(function (a) {
          extra += '<li><a href="' + escapeHtml(a.getAttribute("href")) + '">' + escapeHtml(a.textContent) + "</a></li>";
        });
        extra += "</ul></div>";
      }
    } else if (n > docs.length && !ui.page) {
      extra += '<a class="search-more" href="' + escapeHtml(form.getAttribute("action")) + "?q=" +
        encodeURIComponent(query) + '">' + escapeHtml(words(form, "more")) + " (" +
        Number(n).toLocaleString(document.documentElement.lang || undefined) + ")</a>";
    }
    ui.extra.innerHTML = extra;
    // Said once the results settle, not on every keystroke.
    clearTimeout(ui.said);
    ui.said = setTimeout(function () {
      ui.status.textContent = n ? count : words(form, "no-results");
    }, 400);
  }

  var indexes = {};

  function setup(form) {
    var page = form.hasAttribute("data-kb-search-page");
    var input = form.querySelector("input[type=search]");
    var box = page ? document.getElementById("kb-search-results") : form.querySelector(".search-results");
    var ui = {
      form: form, page: page, id: input.id.replace(/-input$/, ""),
      listbox: box.querySelector("[role=listbox]"), count: box.querySelector(".search-count"),
      extra: box.querySelector(".search-extra"), status: form.querySelector(".search-status")
    };
    var limit = page ? 50 : 8;
    var base = form.getAttribute("data-kb-search");
    var seq = 0, timer = null, active = -1, shown = null;

    function index() {
      if (!indexes[base]) indexes[base] = new Index(base);
      return indexes[base];
    }

    function show(open) {
      if (!page) box.hidden = !open;
      input.setAttribute("aria-expanded", open && !ui.listbox.hidden ? "true" : "false");
      if (!open) select(-1);
    }

    function select(i) {
      var items = ui.listbox.querySelectorAll(".search-hit-link");
      active = i;
      items.forEach(function (a, k) {
        a.setAttribute("aria-selected", k === i ? "true" : "false");
        a.parentNode.classList.toggle("search-hit-active", k === i);
      });
      if (i >= 0 && items[i]) {
        input.setAttribute("aria-activedescendant", items[i].id);
        items[i].scrollIntoView({ block: "nearest" });
      } else input.removeAttribute("aria-activedescendant");
    }

    function clear() {
      ui.listbox.innerHTML = "";
      ui.listbox.hidden = true;
      ui.count.textContent = "";
      ui.extra.innerHTML = "";
      ui.status.textContent = "";
      shown = null;
      show(false);
    }

    function run() {
      var q = input.value;
      var mine = ++seq;
      if (!q.trim()) { clear(); return; }
      var idx = index();
      if (page && !ui.listbox.querySelector(".search-hit")) {
        ui.extra.innerHTML = '<p class="search-empty search-loading">' + escapeHtml(words(form, "loading")) + "</p>";
      }
      idx.search(q).then(function (res) {
        if (mine !== seq || res.wait) return null;
        return idx.docs(res.m, res.hits.slice(0, limit)).then(function (docs) {
          if (mine !== seq) return;
          render(ui, res, docs, q);
          shown = q;
          select(-1);
          show(true);
          if (page && history.replaceState) {
            history.replaceState(null, "", "?q=" + encodeURIComponent(q));
          }
        });
      }).catch(function (e) {
        ui.extra.innerHTML = '<p class="search-empty">' + escapeHtml(String(e.message || e)) + "</p>";
        show(true);
      });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 60);
    });
    // Results are only shown again for the query they belong to (Escape may have cleared the box).
    input.addEventListener("focus", function () {
      index();
      if (!input.value.trim()) clear();
      else if (shown === input.value) show(true);
      else run();
    });
    input.addEventListener("keydown", function (e) {
      var items = ui.listbox.querySelectorAll(".search-hit-link");
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        if (!items.length) return;
        e.preventDefault();
        show(true);
        select((active + (e.key === "ArrowDown" ? 1 : -1) + items.length + (active < 0 && e.key === "ArrowUp" ? 1 : 0)) % items.length);
      } else if (e.key === "Enter" && active >= 0 && items[active]) {
        e.preventDefault();
        location.href = items[active].href;
      } else if (e.key === "Escape") {
        if (!page && !box.hidden) { e.preventDefault(); show(false); } else if (!page) { input.value = ""; clear(); }
      }
    });
    box.addEventListener("click", function (e) {
      var fix = e.target.closest && e.target.closest(".search-fix-link");
      if (!fix) return;
      e.preventDefault();
      input.value = fix.getAttribute("data-q");
      input.focus();
      run();
    });
    document.addEventListener("click", function (e) {
      if (!form.contains(e.target) && !box.contains(e.target)) show(false);
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

  window.kbfreshSearch = { terms: terms, stemEn: stemEn, Index: Index, highlight: highlight, snippet: snippet };
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

// "Was this helpful?": the form posts to `[feedback] endpoint` without script; with it, "No" first
// asks what was wrong, and the answer goes by sendBeacon (no page change, no third-party script).
(function () {
  "use strict";
  function setup(form) {
    var why = form.querySelector(".feedback-why");
    var answers = form.querySelector(".feedback-answers");
    var thanks = form.querySelector(".feedback-thanks");
    var t = document.querySelector("script[data-t-copy]") || form;
    if (why) why.hidden = true;
    function send(helpful) {
      var data = new URLSearchParams(new FormData(form));
      data.set("helpful", helpful);
      var sent = false;
      try { sent = navigator.sendBeacon && navigator.sendBeacon(form.action, data); } catch (e) { sent = false; }
      if (!sent) {
        // No beacon (or refused): the plain form post still works.
        var input = document.createElement("input");
        input.type = "hidden"; input.name = "helpful"; input.value = helpful;
        form.appendChild(input);
        form.submit();
        return;
      }
      answers.hidden = true;
      if (why) why.hidden = true;
      thanks.textContent = form.getAttribute("data-t-thanks") || t.getAttribute("data-t-thanks") || "";
    }
    form.addEventListener("submit", function (e) {
      var button = e.submitter;
      e.preventDefault();
      if (button && button.classList.contains("feedback-no") && why) {
        why.hidden = false;
        button.setAttribute("aria-expanded", "true");
        var first = why.querySelector("input");
        if (first) first.focus();
        return;
      }
      send(button && button.value === "yes" ? "yes" : "no");
    });
  }
  function init() { document.querySelectorAll("form[data-kb-feedback]").forEach(setup); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
