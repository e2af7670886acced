/* provarchive search: reads the bigram index in search/ (see provarchive/search.py).
 * Index files are scripts that call ProvarchiveSearch.deliver(name, data), loaded with
 * <script> tags: this works from any static host and from disk, with no server.
 * Runs in browsers and in Node (module.exports) so tests can query the real index. */
(function (root, factory) {
  "use strict";
  var api = factory();
  if (typeof module === "object" && module.exports) {
    module.exports = api;
  } else {
    root.ProvarchiveSearch = api;
    if (typeof document !== "undefined") {
      api.startPage(document, root.location);
    }
  }
})(typeof self !== "undefined" ? self : this, function () {
  "use strict";

  var FORMAT_VERSION = 1;
  var RUN = /(?:[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[\ud840-\ud87f][\udc00-\udfff])+/g;
  var PAGE_SIZE = 10;

  /** Fold text as the indexer does: NFKC and lower case. */
  function normalize(text) {
    return String(text).normalize("NFKC").toLowerCase();
  }

  /** The index tokens of normalized text: bigrams of CJK, letter and digit runs (as search.py). */
  function tokens(text) {
    var found = [];
    (text.match(RUN) || []).forEach(function (run) {
      var chars = Array.from(run);
      for (var i = 0; i + 1 < chars.length; i++) {
        found.push(chars[i] + chars[i + 1]);
      }
    });
    return Array.from(new Set(found));
  }

  /** FNV-1a over UTF-16 code units, as search.py's shard_of. */
  function shardOf(token, shards) {
    var value = 0x811c9dc5;
    for (var i = 0; i < token.length; i++) {
      value ^= token.charCodeAt(i);
      value = Math.imul(value, 0x01000193) >>> 0;
    }
    return value % shards;
  }

  function undelta(list) {
    var out = [], total = 0;
    for (var i = 0; i < list.length; i++) { total += list[i]; out.push(total); }
    return out;
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; }
      else if (a[i] < b[j]) { i++; } else { j++; }
    }
    return out;
  }

  function union(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) { out.push(a[i++]); }
      else if (i >= a.length || b[j] < a[i]) { out.push(b[j++]); }
      else { out.push(a[i]); i++; j++; }
    }
    return out;
  }

  /** The terms of a query: its space-separated parts, normalized, of two or more characters. */
  function queryTerms(query) {
    return normalize(query).split(/\s+/).filter(function (term) {
      return Array.from(term).length >= 2;
    });
  }

  /**
   * A searcher over one index. `load(name)` returns a Promise of the data of the index
   * file `name` ("meta", "index-3", "docs-0"): script tags in browsers, fs in tests.
   */
  function Searcher(load) {
    this.load = load;
    this.cache = {};
  }

  Searcher.prototype.file = function (name) {
    if (!this.cache[name]) { this.cache[name] = this.load(name); }
    return this.cache[name];
  };

  /** Resolve to {titleHits, bodyHits}: candidate document numbers, newest first. */
  Searcher.prototype.candidates = function (terms) {
    var self = this;
    return this.file("meta").then(function (meta) {
      if (meta.version !== FORMAT_VERSION) { throw new Error("search index version mismatch"); }
      var all = [];
      terms.forEach(function (term) { tokens(term).forEach(function (t) { all.push(t); }); });
      all = Array.from(new Set(all));
      if (all.length === 0) { return { meta: meta, title: [], any: [] }; }
      return Promise.all(all.map(function (token) {
        return self.file("index-" + shardOf(token, meta.shards)).then(function (shard) {
          var entry = Object.prototype.hasOwnProperty.call(shard, token) ? shard[token] : [[], []];
          var title = undelta(entry[0]);
          return { title: title, any: union(title, undelta(entry[1])) };
        });
      })).then(function (lists) {
        var title = lists[0].title, any = lists[0].any;
        for (var i = 1; i < lists.length; i++) {
          title = intersect(title, lists[i].title);
          any = intersect(any, lists[i].any);
        }
        return { meta: meta, title: title, any: any };
      });
    });
  };

  Searcher.prototype.doc = function (meta, number) {
    var chunk = Math.floor(number / meta.chunk);
    return this.file("docs-" + chunk).then(function (docs) {
      var d = docs[number - chunk * meta.chunk];
      return { number: number, url: d[0], title: d[1], date: d[2], column: d[3], text: d[4] };
    });
  };

  /**
   * Search: resolve to an object whose `next(count)` resolves to the next results, each
   * {url, title, date, column, text, inTitle, excerpt}. Title matches come first, then
   * body matches, newest first within each; every result really contains every term.
   */
  Searcher.prototype.search = function (query) {
    var self = this;
    var terms = queryTerms(query);
    return this.candidates(terms).then(function (found) {
      // documents are numbered oldest first: walk each group from the highest number
      var titleSet = new Set(found.title);
      var order = found.title.slice().reverse().concat(
        found.any.filter(function (n) { return !titleSet.has(n); }).reverse());
      var position = 0;
      function matches(doc) {
        var title = normalize(doc.title), text = normalize(doc.text);
        var inTitle = terms.every(function (t) { return title.indexOf(t) >= 0; });
        var anywhere = terms.every(function (t) {
          return title.indexOf(t) >= 0 || text.indexOf(t) >= 0;
        });
        return { inTitle: inTitle, anywhere: anywhere };
      }
      function next(count) {
        var results = [];
        function step() {
          if (results.length >= count || position >= order.length) {
            return Promise.resolve(results);
          }
          return self.doc(found.meta, order[position++]).then(function (doc) {
            var m = matches(doc);
            if (m.anywhere) {
              doc.inTitle = m.inTitle;
              doc.excerpt = excerpt(doc.text, terms);
              results.push(doc);
            }
            return step();
          });
        }
        return step();
      }
      return { terms: terms, total: order.length, next: next,
               done: function () { return position >= order.length; } };
    });
  };

  /**
   * Fold `text` character by character; return the folded string and, for each of its
   * code units, the index of the character of `text` it came from (NFKC can turn one
   * character into several, such as Ⅱ into ii).
   */
  function foldWithMap(text) {
    var folded = "", origin = [];
    for (var i = 0; i < text.length; i++) {
      var ch = text[i];
      if (/[\ud800-\udbff]/.test(ch) && i + 1 < text.length) { ch += text[i + 1]; }
      var f = normalize(ch);
      for (var k = 0; k < f.length; k++) { origin.push(i); }
      folded += f;
      i += ch.length - 1;
    }
    return { folded: folded, origin: origin };
  }

  /**
   * Up to about 100 characters of the body around the first match in it (else its start),
   * as [{text, hit}] pieces. The kicker and subtitle follow the body after "\u001f".
   */
  function excerpt(text, terms) {
    text = text.split("\u001f")[0];
    var folded = normalize(text);
    var first = -1;
    terms.forEach(function (t) {
      var at = folded.indexOf(t);
      if (at >= 0 && (first < 0 || at < first)) { first = at; }
    });
    var start = Math.max(0, Math.min(first, text.length) - 30);
    var end = Math.min(text.length, start + 100);
    if (first < 0) { start = 0; end = Math.min(text.length, 100); }
    var piece = text.slice(start, end).replace(/\s+/g, " ");
    var map = foldWithMap(piece);
    var marks = new Array(piece.length).fill(false);
    terms.forEach(function (t) {
      var from = 0, at;
      while (t && (at = map.folded.indexOf(t, from)) >= 0) {
        for (var i = at; i < at + t.length; i++) { marks[map.origin[i]] = true; }
        from = at + t.length;
      }
    });
    var parts = [];
    for (var k = 0; k < piece.length; k++) {
      if (parts.length && parts[parts.length - 1].hit === marks[k]) {
        parts[parts.length - 1].text += piece[k];
      } else {
        parts.push({ text: piece[k], hit: marks[k] });
      }
    }
    if (start > 0 && parts.length) { parts[0].text = "…" + parts[0].text; }
    if (end < text.length && parts.length) { parts[parts.length - 1].text += "…"; }
    return parts;
  }

  /* ---- the search page ---- */

  var pending = {};

  /** Called by each loaded index file with its data. */
  function deliver(name, data) {
    if (pending[name]) {
      pending[name](data);
      delete pending[name];
    }
  }

  function append(parent, tag, className, text) {
    var node = parent.ownerDocument.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    parent.appendChild(node);
    return node;
  }

  function renderResult(list, doc, siteRoot) {
    var item = append(list, "li", "item");
    var heading = append(item, "h2", "item-title");
    var link = append(heading, "a");
    link.href = siteRoot + doc.url;
    highlight(link, doc.title, doc.terms);
    var meta = append(item, "p", "item-meta");
    append(meta, "time", "", doc.date).setAttribute("datetime", doc.date);
    if (doc.column) { append(meta, "span", "item-column", doc.column); }
    var summary = append(item, "p", "item-summary");
    doc.excerpt.forEach(function (part) {
      if (part.hit) { append(summary, "mark", "", part.text); }
      else { summary.appendChild(summary.ownerDocument.createTextNode(part.text)); }
    });
  }

  function highlight(node, text, terms) {
    excerpt(text, terms).forEach(function (part) {
      var clean = part.text.replace(/^…|…$/g, "");
      if (part.hit) { append(node, "mark", "", clean); }
      else { node.appendChild(node.ownerDocument.createTextNode(clean)); }
    });
  }

  function startPage(doc, location) {
    var results = doc.getElementById("search-results");
    if (!results) { return; }
    var script = doc.currentScript || doc.querySelector("script[data-index]");
    var metaUrl = script.getAttribute("data-index");
    var siteRoot = script.getAttribute("data-root") || "";
    var base = metaUrl.slice(0, metaUrl.length - "meta.js".length);
    var status = doc.getElementById("search-status");
    var more = doc.getElementById("search-more");
    var input = doc.getElementById("search-q");
    var searcher = new Searcher(function (name) {
      return new Promise(function (resolve, reject) {
        pending[name] = resolve;
        var tag = doc.createElement("script");
        tag.src = base + name + ".js";
        tag.onerror = function () { reject(new Error(name + ".js")); };
        doc.head.appendChild(tag);
      });
    });
    var query = new URLSearchParams(location.search).get("q") || "";
    input.value = query;
    var headerInput = doc.getElementById("site-search-q");
    if (headerInput) { headerInput.value = query; }
    if (!query.trim()) { status.textContent = "请输入要搜索的词语。"; return; }
    if (queryTerms(query).length === 0) {
      status.textContent = "请输入至少两个字。";
      return;
    }
    status.textContent = "正在搜索……";
    searcher.search(query).then(function (found) {
      var shown = 0;
      function page() {
        return found.next(PAGE_SIZE).then(function (docs) {
          docs.forEach(function (d) { d.terms = found.terms; renderResult(results, d, siteRoot); });
          shown += docs.length;
          more.hidden = found.done();
          status.textContent = shown === 0
            ? "没有找到与“" + query + "”相关的文章。"
            : "找到与“" + query + "”相关的文章" + (found.done() ? " " + shown + " 篇。" : "，已显示 " + shown + " 篇。");
        });
      }
      more.addEventListener("click", page);
      return page();
    }).catch(function (error) {
      status.textContent = "搜索索引无法读取（" + error.message + "）。";
    });
  }

  return {
    normalize: normalize,
    tokens: tokens,
    shardOf: shardOf,
    queryTerms: queryTerms,
    excerpt: excerpt,
    Searcher: Searcher,
    deliver: deliver,
    startPage: startPage
  };
});
