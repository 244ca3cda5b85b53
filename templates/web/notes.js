// Footnotes open in place: a call (clicked, or Enter on it) shows its note in a
// small panel right after it. The panel is a non-modal dialog named after the
// note and takes the focus, so a screen reader announces the note; Escape or
// the close button puts the focus back on the call.
// Without this script a call is a plain link to the note at the page end,
// and the note links back to its call.
(function () {
  "use strict";
  var open = null;  // { call, panel }

  function close(returnFocus) {
    if (!open) { return; }
    var call = open.call;
    open.panel.remove();
    call.setAttribute("aria-expanded", "false");
    open = null;
    if (returnFocus) { call.focus(); }
  }

  function panelFor(call, note) {
    var panel = document.createElement("span");
    panel.className = "note-panel";
    panel.id = "panel-" + note.id;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-modal", "false");
    panel.setAttribute("aria-label", "注释" + note.querySelector(".note__mark").textContent);
    panel.tabIndex = -1;
    var body = note.cloneNode(true);
    body.querySelectorAll("[id]").forEach(function (el) { el.removeAttribute("id"); });
    var back = body.querySelector(".note__back");
    if (back) { back.remove(); }
    var text = document.createElement("span");
    text.className = "note-panel__text";
    while (body.firstChild) { text.appendChild(body.firstChild); }
    panel.appendChild(text);
    var closer = document.createElement("button");
    closer.type = "button";
    closer.className = "note-panel__close";
    closer.setAttribute("aria-label", "关闭注释");
    closer.textContent = "×";
    closer.addEventListener("click", function () { close(true); });
    panel.appendChild(closer);
    return panel;
  }

  document.querySelectorAll("a.note-ref").forEach(function (call) {
    call.setAttribute("aria-expanded", "false");
    call.setAttribute("aria-controls", "panel-" + call.getAttribute("href").slice(1));
  });

  // Enter on a focused link fires "click" too, so this serves mouse, touch and keyboard.
  document.addEventListener("click", function (event) {
    var call = event.target.closest("a.note-ref");
    if (!call) {
      if (open && !open.panel.contains(event.target)) { close(false); }
      return;
    }
    var note = document.getElementById(call.getAttribute("href").slice(1));
    if (!note) { return; }
    event.preventDefault();
    var same = open && open.call === call;
    close(false);
    if (same) { return; }
    var panel = panelFor(call, note);
    call.insertAdjacentElement("afterend", panel);
    call.setAttribute("aria-expanded", "true");
    open = { call: call, panel: panel };
    panel.focus();
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && open) { close(true); }
  });
})();
