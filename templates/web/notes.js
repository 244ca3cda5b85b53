// Footnotes open in place: a call shows its note in a small panel beside it.
// Without this script a call is a plain link to the note at the page end,
// and the note links back to its call.
(function () {
  "use strict";
  var panel = null;
  function close() {
    if (panel) { panel.remove(); panel = null; }
  }
  document.addEventListener("click", function (event) {
    var call = event.target.closest("a.note-ref");
    if (!call) {
      if (panel && !panel.contains(event.target)) { close(); }
      return;
    }
    var note = document.getElementById(call.getAttribute("href").slice(1));
    if (!note) { return; }
    event.preventDefault();
    var reopen = !panel || panel.dataset.for !== note.id;
    close();
    if (!reopen) { return; }
    panel = document.createElement("div");
    panel.className = "note-panel";
    panel.dataset.for = note.id;
    panel.setAttribute("role", "note");
    var body = note.cloneNode(true);
    body.removeAttribute("id");
    var back = body.querySelector(".note__back");
    if (back) { back.remove(); }
    panel.innerHTML = body.innerHTML;
    var closer = document.createElement("button");
    closer.type = "button";
    closer.className = "note-panel__close";
    closer.setAttribute("aria-label", "关闭注释");
    closer.textContent = "×";
    closer.addEventListener("click", close);
    panel.appendChild(closer);
    call.insertAdjacentElement("afterend", panel);
    closer.focus();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panel) {
      var call = panel.previousElementSibling;
      close();
      if (call) { call.focus(); }
    }
  });
})();
