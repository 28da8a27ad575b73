// kbfresh default theme: small enhancements. Every page reads and works without this script; it
// only adds to what the page already has. Words come from the data-t-* attributes of its own
// <script> tag (base.html), filled from the theme's words in the page's language.
(function () {
  "use strict";

  var doc = document;
  var script = doc.currentScript;
  function word(name, fallback) {
    var v = script && script.getAttribute("data-t-" + name);
    return v || fallback;
  }

  // A polite live region for short confirmations ("Copied").
  var status = null;
  function announce(text) {
    if (!status) {
      status = doc.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      doc.body.appendChild(status);
    }
    status.textContent = "";
    // A new text node on the next frame, so the same words twice are announced twice.
    requestAnimationFrame(function () { status.textContent = text; });
  }

  // ---- Expiry: the page was built fresh, but the reader's date is past the day it expires.
  // The article's verified line, its late banner and every status mark in lists and the sidebar
  // switch to the stale look together. Dates are days in UTC, as the build writes them.
  function expire() {
    var today = new Date().toISOString().slice(0, 10);
    var marks = doc.querySelectorAll("[data-expires]");
    for (var i = 0; i < marks.length; i++) {
      var el = marks[i];
      var day = el.getAttribute("data-expires");
      if (!day || !(today > day)) continue;
      if (el.classList.contains("freshness")) {
        el.classList.remove("freshness-fresh", "freshness-expiring", "freshness-unknown");
        el.classList.add("freshness-stale");
      } else {
        el.hidden = false;
      }
    }
  }

  // ---- The header's section menu (a <details>): Escape and a click elsewhere close it.
  function menu() {
    var menus = doc.querySelectorAll(".site-menu");
    if (!menus.length) return;
    doc.addEventListener("keydown", function (e) {
      if (e.key !== "Escape") return;
      for (var i = 0; i < menus.length; i++) {
        if (menus[i].open && menus[i].contains(doc.activeElement)) {
          menus[i].open = false;
          menus[i].querySelector("summary").focus();
        }
      }
    });
    doc.addEventListener("click", function (e) {
      for (var i = 0; i < menus.length; i++) {
        if (menus[i].open && !menus[i].contains(e.target)) menus[i].open = false;
      }
    });
  }

  // ---- Code blocks: a copy button on each, and keyboard scrolling for the ones wider than the
  // column.
  function codeText(code) {
    var copy = code.cloneNode(true);
    // A console session's prompts and output are not what one pastes into a shell.
    var dropped = copy.querySelectorAll(".hl-gp, .hl-go");
    for (var i = 0; i < dropped.length; i++) dropped[i].remove();
    var text = copy.textContent;
    if (dropped.length) {
      text = text.split("\n").filter(function (l) { return l.trim() !== ""; }).join("\n");
    }
    return text.replace(/\n+$/, "");
  }

  function copyFallback(text, near) {
    var area = doc.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "copy-scratch";
    near.appendChild(area);
    area.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    area.remove();
    return ok;
  }

  function copyButtons() {
    var blocks = doc.querySelectorAll(".prose pre > code");
    for (var i = 0; i < blocks.length; i++) {
      var code = blocks[i];
      var pre = code.parentNode;
      var box = pre.parentNode;
      if (!box.classList.contains("code-block")) {
        box = doc.createElement("div");
        box.className = "code-wrap";
        pre.parentNode.insertBefore(box, pre);
        box.appendChild(pre);
      }
      box.classList.add("has-copy");
      var button = doc.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = word("copy", "Copy");
      box.appendChild(button);
      button.addEventListener("click", onCopy(button, code));
    }
  }

  function onCopy(button, code) {
    var timer = 0;
    function done(ok) {
      var text = ok ? word("copied", "Copied") : word("copy-failed", "Could not copy. The code is selected: press Ctrl+C.");
      if (!ok) {
        var range = doc.createRange();
        range.selectNodeContents(code);
        var sel = getSelection();
        sel.removeAllRanges();
        sel.addRange(range);
      }
      button.textContent = ok ? text : word("copy", "Copy");
      button.classList.toggle("is-copied", ok);
      announce(text);
      clearTimeout(timer);
      timer = setTimeout(function () {
        button.textContent = word("copy", "Copy");
        button.classList.remove("is-copied");
      }, 2000);
    }
    return function () {
      var text = codeText(code);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () { done(true); }, function () {
          done(copyFallback(text, button.parentNode));
        });
      } else {
        done(copyFallback(text, button.parentNode));
      }
    };
  }

  // Scrolling regions must be reachable from the keyboard: a block wider than its column takes
  // focus (arrow keys scroll it).
  function scrollables() {
    var els = doc.querySelectorAll(".prose pre, .prose table");
    for (var i = 0; i < els.length; i++) {
      var el = els[i];
      if (el.scrollWidth > el.clientWidth + 1) {
        if (!el.hasAttribute("tabindex")) el.setAttribute("tabindex", "0");
      } else if (el.getAttribute("tabindex") === "0") {
        el.removeAttribute("tabindex");
      }
    }
  }

  // ---- Images wider than the column: a button opens them at full size in a dialog; Escape, a
  // click or the close button closes it, and focus goes back to the image.
  var viewer = null;
  var opener = null;
  function openImage(img, button) {
    if (!viewer) {
      viewer = doc.createElement("dialog");
      viewer.className = "zoom-dialog";
      var close = doc.createElement("button");
      close.type = "button";
      close.className = "zoom-close";
      close.textContent = word("close", "Close");
      var frame = doc.createElement("div");
      frame.className = "zoom-frame";
      frame.appendChild(doc.createElement("img"));
      viewer.appendChild(close);
      viewer.appendChild(frame);
      // Any click closes it: on the picture, around it, or on the button.
      viewer.addEventListener("click", function () { viewer.close(); });
      viewer.addEventListener("close", function () {
        if (opener) opener.focus();
        opener = null;
      });
      doc.body.appendChild(viewer);
    }
    var big = viewer.querySelector(".zoom-frame img");
    big.src = img.currentSrc || img.src;
    big.alt = img.alt;
    opener = button;
    viewer.showModal();
  }

  function zoomable(img) {
    // Inside a link it is already interactive; not laid out (a hidden tab) it cannot be measured.
    if (img.closest("a, button") || !img.clientWidth) return;
    if (!(img.naturalWidth > img.clientWidth + 1)) return;
    var button = doc.createElement("button");
    button.type = "button";
    button.className = "zoom-button";
    img.parentNode.insertBefore(button, img);
    button.appendChild(img);
    var hint = doc.createElement("span");
    hint.className = "visually-hidden";
    hint.textContent = word("zoom", "Enlarge image");
    button.appendChild(hint);
    button.addEventListener("click", function () { openImage(img, button); });
  }

  function images(later) {
    if (typeof HTMLDialogElement !== "function") return;
    var imgs = doc.querySelectorAll(".prose img");
    for (var i = 0; i < imgs.length; i++) {
      var img = imgs[i];
      if (img.complete && img.naturalWidth) {
        zoomable(img);
      } else if (later) {
        img.addEventListener("load", function (e) { zoomable(e.target); }, { once: true });
      }
    }
  }

  // ---- Table of contents: the link of the section being read gets aria-current="true". The
  // section being read is the last one whose heading has passed a line a third of the way down.
  function toc() {
    var links = doc.querySelectorAll(".toc-list a[href^='#']");
    if (!links.length || !("IntersectionObserver" in window)) return;
    var heads = [];
    var byHead = [];
    for (var i = 0; i < links.length; i++) {
      var id = decodeURIComponent(links[i].getAttribute("href").slice(1));
      var h = doc.getElementById(id);
      if (h) { heads.push(h); byHead.push(links[i]); }
    }
    if (!heads.length) return;
    var current = null;
    function update() {
      var line = window.innerHeight * 0.33;
      var at = -1;
      for (var i = 0; i < heads.length; i++) {
        if (heads[i].getBoundingClientRect().top <= line) at = i; else break;
      }
      var link = at >= 0 ? byHead[at] : null;
      if (link === current) return;
      if (current) current.removeAttribute("aria-current");
      if (link) link.setAttribute("aria-current", "true");
      current = link;
    }
    // The observer only says when a heading crosses the line (or the top edge); update() then
    // reads where they all are, which holds however fast the page was scrolled.
    var seen = new IntersectionObserver(update, { rootMargin: "0px 0px -67% 0px" });
    for (var j = 0; j < heads.length; j++) seen.observe(heads[j]);
  }

  function resized(fn) {
    var queued = false;
    window.addEventListener("resize", function () {
      if (queued) return;
      queued = true;
      requestAnimationFrame(function () { queued = false; fn(); });
    });
  }

  expire();
  menu();
  copyButtons();
  scrollables();
  resized(scrollables);
  images(true);
  // A narrower window (a phone turned upright) can make more images wider than the column.
  resized(function () { images(false); });
  toc();
})();
