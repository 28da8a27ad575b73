// kbfresh serve: live reload and the build-error overlay. Injected into served pages only, never
// into `kbfresh build` output.
(() => {
  "use strict";
  let server = null;
  const overlayId = "kbfresh-overlay";

  function showErrors(errors) {
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
