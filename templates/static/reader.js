/* Reading aids (适老化): text size 大 · 中 · 小 for articles, the 长者模式 reading mode
   (high contrast, large text) and a print button. The choices are kept in localStorage,
   so they follow the reader from page to page. Loaded in <head> without defer: the saved
   classes are set on <html> before the page is drawn (no flash of the small text); the
   buttons are wired, and shown, once the document is read. Without script the page keeps
   its default look and the controls stay hidden. */
(function () {
  "use strict";
  var SIZE_KEY = "provarchive.textSize";
  var ELDER_KEY = "provarchive.elderMode";
  var SIZES = { large: "大", medium: "中", small: "小" };
  var root = document.documentElement;

  function load(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function save(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* private mode: this page only */ }
  }

  function applySize(size) {
    root.classList.remove("text-large", "text-small");
    if (size === "large" || size === "small") root.classList.add("text-" + size);
  }
  function applyElder(on) {
    root.classList.toggle("elder", on);
  }

  var savedSize = load(SIZE_KEY);
  var size = SIZES.hasOwnProperty(savedSize) ? savedSize : "medium";
  var elder = load(ELDER_KEY) === "on";
  applySize(size);
  applyElder(elder);

  function announce(message) {
    var status = document.getElementById("reader-status");
    if (!status) return;
    status.textContent = "";
    // a fresh text node, set after the clear, is what screen readers announce again
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  function refresh() {
    var buttons = document.querySelectorAll("[data-text-size]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].setAttribute("aria-pressed", String(buttons[i].getAttribute("data-text-size") === size));
    }
    var toggles = document.querySelectorAll(".elder-toggle");
    for (var j = 0; j < toggles.length; j++) {
      toggles[j].setAttribute("aria-pressed", String(elder));
    }
  }

  function wire() {
    var controls = document.querySelectorAll(".reader-controls, .reader-switch");
    for (var i = 0; i < controls.length; i++) controls[i].hidden = false;
    document.addEventListener("click", function (event) {
      var target = event.target.closest ? event.target.closest("button") : null;
      if (!target) return;
      var chosen = target.getAttribute("data-text-size");
      if (chosen && SIZES.hasOwnProperty(chosen)) {
        size = chosen;
        save(SIZE_KEY, size);
        applySize(size);
        refresh();
        announce("字号：" + SIZES[size]);
      } else if (target.classList.contains("elder-toggle")) {
        elder = !elder;
        save(ELDER_KEY, elder ? "on" : "off");
        applyElder(elder);
        refresh();
        announce(elder ? "长者模式已开启" : "长者模式已关闭");
      } else if (target.classList.contains("print-button")) {
        window.print();
      }
    });
    refresh();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
