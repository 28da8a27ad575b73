// Runs themes/default/static/search.js in Node on a built site's index, as the browser would:
// `node search_harness.js SEARCH_JS INDEX_DIR < queries.json` (an array of {q, typed?}), prints one
// JSON line per query: the ranked URLs (first 10), the bytes the query downloaded (letter by letter
// when `typed`), whether the shown snippets contain a highlighted word, and any suggestion.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

const [script, dir] = process.argv.slice(2);
globalThis.window = globalThis;
globalThis.document = {
  readyState: "complete",
  querySelectorAll: () => [],
  addEventListener: () => {},
  getElementById: () => null,
};
globalThis.fetch = (url) => {
  const file = path.join(dir, url);
  return new Promise((resolve) => {
    fs.readFile(file, "utf8", (err, text) => {
      resolve(err ? { ok: false, status: 404, text: () => Promise.resolve("") }
        : { ok: true, status: 200, text: () => Promise.resolve(text) });
    });
  });
};
vm.runInThisContext(fs.readFileSync(script, "utf8"), { filename: script });
const S = window.kbfreshSearch;

async function one(query) {
  const idx = new S.Index("");
  let res = null;
  const steps = query.typed ? Array.from(query.q).map((_, i, a) => a.slice(0, i + 1).join("")) : [query.q];
  for (const q of steps) res = await idx.search(q);
  const hits = res.wait ? [] : res.hits.slice(0, 10);
  const docs = hits.length ? await idx.docs(res.m, hits.slice(0, 8)) : [];
  const english = res.m.stem === "en";
  const show = S.snippet || ((d, qs, en) => S.highlight(d.text, qs, en, 180));
  const marked = docs.filter((d) => show(d, res.qs, english).indexOf("<mark>") >= 0).length;
  const all = hits.length ? await idx.docs(res.m, hits) : [];
  return {
    q: query.q,
    urls: all.map((d) => d.url),
    bytes: idx.bytes,
    shown: docs.length,
    marked,
    suggestion: res.suggestion || null,
  };
}

(async () => {
  const queries = JSON.parse(fs.readFileSync(0, "utf8"));
  for (const q of queries) process.stdout.write(JSON.stringify(await one(q)) + "\n");
})().catch((e) => { console.error(e); process.exit(1); });
