// kbfresh serve: live reload and the build-error overlay. Injected into served pages only, never
// into `kbfresh build` output.
(() => {
  "use strict";
  let server = null;
  const overlayId = "kbfresh-overlay";

  // The page's own stylesheet styles `pre` (a theme's light code background, say) and would show
  // the overlay's white text on it: the overlay sets every colour it shows itself, the same in
  // light and dark mode (#fff on #2b0b0b, and on #1a0606 in the error blocks).
  function overlayStyle() {
    if (document.getElementById(overlayId + "-style")) return;
    const style = document.createElement("style");
    style.id = overlayId + "-style";
    style.textContent =
      "#" + overlayId + "{color-scheme:dark;background:#2b0b0b;color:#fff;text-align:left;direction:ltr}" +
      "#" + overlayId + " *{color:inherit}" +
      "#" + overlayId + " pre{background:#1a0606;border:1px solid #6e2b2b;border-radius:4px;padding:.5rem .75rem;" +
      "font:inherit;white-space:pre-wrap;overflow-wrap:anywhere;unicode-bidi:isolate}";
    document.head.appendChild(style);
  }

  function showErrors(errors) {
    overlayStyle();
    let box = document.getElementById(overlayId);
    if (!box) {
      box = document.createElement("div");
      box.id = overlayId;
      box.setAttribute("role", "alert");
      document.body.appendChild(box);
    }
    box.replaceChildren();
    const h = document.createElement("strong");
    h.textContent = "kbfresh: the last change did not build. These pages are from the last good build.";
    box.appendChild(h);
    for (const e of errors) {
      const pre = document.createElement("pre");
      pre.textContent = e;
      box.appendChild(pre);
    }
  }

  // The overlay the server wrote into the page (an error when the page loaded) gets it too.
  if (document.getElementById(overlayId)) overlayStyle();

  const events = new EventSource("/__kbfresh/events");
  events.addEventListener("hello", (e) => {
    // A different server id means kbfresh restarted: the pages may have changed.
    if (server !== null && server !== e.data) location.reload();
    server = e.data;
  });
  events.addEventListener("reload", () => location.reload());
  events.addEventListener("build-error", (e) => showErrors(JSON.parse(e.data)));
  events.addEventListener("build-ok", () => {
    const box = document.getElementById(overlayId);
    if (box) location.reload();
  });
})();
