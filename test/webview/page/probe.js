// Loaded after the bundle, so its listeners run after the app's: a message's
// paint time is the first frame after the app handled it.
(() => {
  window.__paints = [];
  window.addEventListener("message", (event) => {
    const data = event.data;
    if (!data || typeof data.seq !== "number") return;
    const received = performance.timeOrigin + performance.now();
    requestAnimationFrame(() => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        window.__paints.push({ seq: data.seq, received, painted: performance.timeOrigin + performance.now() });
      };
      channel.port2.postMessage(0);
    });
  });
})();
