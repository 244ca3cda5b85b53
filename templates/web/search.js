// Search within the edition, offline: the index is a script file beside this one.
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var query = (params.get("q") || "").trim();
  var status = document.getElementById("search-status");
  var list = document.getElementById("search-results");
  var input = document.getElementById("q");
  if (input) { input.value = query; }
  if (!query) { status.textContent = "请输入要搜索的词语。"; return; }
  var hits = [];
  (window.SEARCH_INDEX || []).forEach(function (entry) {
    var at = entry.x.indexOf(query);
    var inTitle = entry.t.indexOf(query) !== -1;
    if (at === -1 && !inTitle) { return; }
    var count = at === -1 ? 0 : entry.x.split(query).length - 1;
    hits.push({ entry: entry, at: at, score: count + (inTitle ? 100 : 0) });
  });
  hits.sort(function (a, b) { return b.score - a.score; });
  status.textContent = hits.length ? "找到 " + hits.length + " 处相关内容：" : "没有找到“" + query + "”。";
  hits.forEach(function (hit) {
    var li = document.createElement("li");
    var a = document.createElement("a");
    a.href = hit.entry.u;
    a.textContent = hit.entry.t;
    li.appendChild(a);
    if (hit.at !== -1) {
      var start = Math.max(0, hit.at - 30);
      var p = document.createElement("p");
      var before = hit.entry.x.slice(start, hit.at);
      var mark = document.createElement("mark");
      mark.textContent = query;
      p.appendChild(document.createTextNode((start > 0 ? "…" : "") + before));
      p.appendChild(mark);
      p.appendChild(document.createTextNode(hit.entry.x.slice(hit.at + query.length, hit.at + query.length + 60) + "…"));
      li.appendChild(p);
    }
    list.appendChild(li);
  });
})();
