// Query a built search index with the real static/search.js, as a browser would.
// Usage: node query_index.js SEARCH_JS SEARCH_DIR < queries.json > results.json
// Each result: the URLs found for that query, best first (all pages of results).
"use strict";
const fs = require("fs");
const path = require("path");
const [searchJs, searchDir] = process.argv.slice(2);
const api = require(path.resolve(searchJs));

function load(name) {
  const text = fs.readFileSync(path.join(searchDir, name + ".js"), "utf8");
  const prefix = `ProvarchiveSearch.deliver(${JSON.stringify(name)},`;
  if (!text.startsWith(prefix) || !text.trimEnd().endsWith(");")) {
    return Promise.reject(new Error(`${name}.js is not an index file`));
  }
  return Promise.resolve(JSON.parse(text.slice(prefix.length, text.trimEnd().length - 2)));
}

async function all(query) {
  const searcher = new api.Searcher(load);
  const found = await searcher.search(query);
  const results = [];
  while (!found.done()) {
    for (const doc of await found.next(50)) {
      results.push({ url: doc.url, inTitle: doc.inTitle,
                     excerpt: doc.excerpt.map((p) => (p.hit ? `[${p.text}]` : p.text)).join("") });
    }
  }
  return results;
}

(async () => {
  const queries = JSON.parse(fs.readFileSync(0, "utf8"));
  const out = [];
  for (const query of queries) out.push(await all(query));
  process.stdout.write(JSON.stringify(out));
})().catch((error) => { console.error(error); process.exit(1); });
