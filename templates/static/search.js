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

  var FORMAT_VERSION = 2;
  var RUN = /(?:[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[\ud840-\ud87f][\udc00-\udfff])+/g;
  var PAGE_SIZE = 10;
  /** Chunks of documents one page of results may download before it stops and offers more. */
  var MAX_CHUNKS = 16;

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

  /** The bytes of a base64 string. */
  function bytesOf(base64) {
    var binary = atob(base64), bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) { bytes[i] = binary.charCodeAt(i); }
    return bytes;
  }

  /** The varint at `at` in `bytes`: [value, offset after it]. */
  function readVarint(bytes, at) {
    var value = 0, scale = 1, byte;
    do {
      byte = bytes[at++];
      value += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80);
    return [value, at];
  }

  /** The list of document numbers at `at` (see provarchive/search_files.py). */
  function decodeList(bytes, at) {
    var header = readVarint(bytes, at), size = Math.floor(header[0] / 4), kind = header[0] % 4;
    var end = header[1] + size, out = [];
    if (size === 0) { return out; }
    var first = readVarint(bytes, header[1]), number = first[0], i = first[1];
    if (kind === 2) {
      for (var start = i; i < end; i++) {
        for (var bit = 0, byte = bytes[i]; byte; bit++, byte >>= 1) {
          if (byte & 1) { out.push(number + (i - start) * 8 + bit); }
        }
      }
      return out;
    }
    out.push(number);
    var width = kind === 0 ? 1 : kind === 1 ? 2 : 4;
    for (; i < end; i += width) {
      var delta = bytes[i];
      if (width > 1) { delta += bytes[i + 1] * 256; }
      if (width > 2) { delta += bytes[i + 2] * 65536 + bytes[i + 3] * 16777216; }
      number += delta;
      out.push(number);
    }
    return out;
  }

  /** Skip the list at `at`: the offset after it. */
  function skipList(bytes, at) {
    var header = readVarint(bytes, at);
    return header[1] + Math.floor(header[0] / 4);
  }

  /** A shard's entries: token to a function giving its [title list, body list]. */
  function decodeShard(bytes) {
    var entries = new Map(), at = 0, utf8 = new TextDecoder();
    while (at < bytes.length) {
      var length = readVarint(bytes, at);
      var token = utf8.decode(bytes.subarray(length[1], length[1] + length[0]));
      var lists = length[1] + length[0];
      entries.set(token, lists);
      at = skipList(bytes, skipList(bytes, lists));
    }
    return {
      lists: function (token) {
        if (!entries.has(token)) { return [[], []]; }
        var title = entries.get(token);
        return [decodeList(bytes, title), decodeList(bytes, skipList(bytes, title))];
      }
    };
  }

  /** Inflate zlib-compressed bytes into text (DecompressionStream, in browsers and Node). */
  function inflate(bytes) {
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate"));
    return new Response(stream).text();
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

  /** The Promise of `make()`, made once per key. */
  Searcher.prototype.once = function (key, make) {
    if (!this.cache[key]) { this.cache[key] = make(); }
    return this.cache[key];
  };

  Searcher.prototype.file = function (name) {
    var self = this;
    return this.once(name, function () { return self.load(name); });
  };

  Searcher.prototype.shard = function (number) {
    var self = this;
    return this.once("shard " + number, function () {
      return self.file("index-" + number).then(function (data) { return decodeShard(bytesOf(data)); });
    });
  };

  Searcher.prototype.chunk = function (number) {
    var self = this;
    return this.once("chunk " + number, function () {
      return self.file("docs-" + number).then(function (data) {
        return inflate(bytesOf(data)).then(JSON.parse);
      });
    });
  };

  /** Resolve to {meta, title, any}: candidate document numbers, ascending. */
  Searcher.prototype.candidates = function (terms) {
    var self = this;
    return this.file("meta").then(function (meta) {
      if (meta.version !== FORMAT_VERSION) { throw new Error("search index version mismatch"); }
      var all = [];
      terms.forEach(function (term) { tokens(term).forEach(function (t) { all.push(t); }); });
      all = Array.from(new Set(all));
      if (all.length === 0) { return { meta: meta, title: [], any: [] }; }
      return Promise.all(all.map(function (token) {
        return self.shard(shardOf(token, meta.shards)).then(function (shard) {
          var lists = shard.lists(token);
          return { title: lists[0], any: union(lists[0], lists[1]) };
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
    return this.chunk(chunk).then(function (docs) {
      var d = docs[number - chunk * meta.chunk];
      return { number: number, url: d[0], title: d[1], date: d[2], column: d[3], text: d[4] };
    });
  };

  /** Whether every term is in the document's title, and whether each is in title or text. */
  function matches(doc, terms) {
    var title = normalize(doc.title), text = normalize(doc.text);
    return {
      inTitle: terms.every(function (t) { return title.indexOf(t) >= 0; }),
      anywhere: terms.every(function (t) { return title.indexOf(t) >= 0 || text.indexOf(t) >= 0; })
    };
  }

  /**
   * Search: resolve to an object whose `next(count)` resolves to the next results, each
   * {url, title, date, column, text, inTitle, excerpt}. Title matches come first, then
   * body matches, newest first within each; every result really contains every term.
   * A call downloads at most MAX_CHUNKS chunks of documents, so it may return fewer
   * results while `done()` is still false (the candidates it checked did not match).
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
      function next(count) {
        var results = [], used = new Set();
        function step() {
          var batch = [];
          while (position < order.length && batch.length < count - results.length) {
            var chunk = Math.floor(order[position] / found.meta.chunk);
            if (!used.has(chunk)) {
              if (used.size >= MAX_CHUNKS) { break; }
              used.add(chunk);
            }
            batch.push(order[position++]);
          }
          if (batch.length === 0) { return Promise.resolve(results); }
          return Promise.all(batch.map(function (n) { return self.doc(found.meta, n); }))
            .then(function (docs) {
              docs.forEach(function (doc) {
                var m = matches(doc, terms);
                if (m.anywhere) {
                  doc.inTitle = m.inTitle;
                  doc.excerpt = excerpt(doc.text, terms);
                  results.push(doc);
                }
              });
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
        more.disabled = true;
        return found.next(PAGE_SIZE).then(function (docs) {
          more.disabled = false;
          docs.forEach(function (d) { d.terms = found.terms; renderResult(results, d, siteRoot); });
          shown += docs.length;
          more.hidden = found.done();
          if (shown === 0) {
            status.textContent = found.done()
              ? "没有找到与“" + query + "”相关的文章。"
              : "已查看的文章中还没有找到与“" + query + "”相关的内容，可以继续查找。";
          } else {
            status.textContent = "找到与“" + query + "”相关的文章" +
              (found.done() ? " " + shown + " 篇。" : "，已显示 " + shown + " 篇。");
          }
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
    decodeShard: decodeShard,
    bytesOf: bytesOf,
    Searcher: Searcher,
    deliver: deliver,
    startPage: startPage
  };
});
