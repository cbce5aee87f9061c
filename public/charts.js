// Draws Bullpen's charts. An element with a `data-chart` attribute holds an ECharts option (built
// on the server by charming); this script draws it, and draws again when the attribute changes,
// the theme changes or the element is resized. ECharts itself (1 MB) is fetched only when a page
// has a chart. Colours in the option are tokens such as "@up", read from the page's CSS custom
// properties (--up, --chart-line-1…), so one option serves the light and the dark theme.
(() => {
  "use strict";
  let library;
  const echartsReady = () =>
    (library ??= new Promise((resolve, reject) => {
      if (window.echarts) return resolve(window.echarts);
      const script = document.createElement("script");
      script.src = "/vendor/echarts.min.js";
      script.onload = () => resolve(window.echarts);
      script.onerror = () => {
        library = undefined;
        reject(new Error("could not load /vendor/echarts.min.js"));
      };
      document.head.append(script);
    }));

  // Resolves "@name" to the computed colour of var(--name) (light-dark() included).
  function palette(host) {
    const probe = document.createElement("span");
    probe.style.display = "none";
    host.append(probe);
    const cache = new Map();
    const colour = (token) => {
      if (!cache.has(token)) {
        probe.style.color = `var(--${token})`;
        cache.set(token, getComputedStyle(probe).color);
      }
      return cache.get(token);
    };
    const done = () => probe.remove();
    return { colour, done };
  }

  function resolve(value, colour) {
    if (typeof value === "string") return value.startsWith("@") ? colour(value.slice(1)) : value;
    if (Array.isArray(value)) return value.map((v) => resolve(v, colour));
    if (value && typeof value === "object") {
      const out = {};
      for (const [key, v] of Object.entries(value)) out[key] = resolve(v, colour);
      return out;
    }
    return value;
  }

  const drawn = new WeakMap();
  const resizing = new ResizeObserver((entries) => {
    for (const entry of entries) window.echarts?.getInstanceByDom(entry.target)?.resize();
  });

  async function draw(host, force = false) {
    const json = host.getAttribute("data-chart");
    if (!json || (!force && drawn.get(host) === json)) return;
    drawn.set(host, json);
    try {
      const echarts = await echartsReady();
      if (drawn.get(host) !== json || !host.isConnected) return;
      const { colour, done } = palette(host);
      const option = resolve(JSON.parse(json), colour);
      done();
      const existing = echarts.getInstanceByDom(host);
      // Drawn again with new data (a live candle): the reader stays where they zoomed to.
      const zoomed = existing?.getOption()?.dataZoom;
      if (zoomed && Array.isArray(option.dataZoom)) {
        option.dataZoom.forEach((zoom, i) => {
          if (zoomed[i]) Object.assign(zoom, { start: zoomed[i].start, end: zoomed[i].end });
        });
      }
      const chart = existing || echarts.init(host);
      chart.setOption(option, { notMerge: true });
      resizing.observe(host);
      host.dataset.drawn = "true";
    } catch (error) {
      host.dataset.drawn = "failed";
      console.error("chart not drawn:", error);
    }
  }

  const drawAll = (force) => document.querySelectorAll("[data-chart]").forEach((host) => draw(host, force));

  new MutationObserver((changes) => {
    for (const change of changes) {
      if (change.type === "attributes" && change.target === document.documentElement) {
        drawAll(true);
      } else if (change.type === "attributes") {
        draw(change.target);
      } else {
        for (const node of change.removedNodes) {
          if (node.nodeType !== 1) continue;
          for (const host of [node, ...(node.querySelectorAll?.("[data-chart]") ?? [])]) {
            if (!host.isConnected && host.hasAttribute?.("data-chart")) {
              resizing.unobserve(host);
              window.echarts?.getInstanceByDom(host)?.dispose();
            }
          }
        }
        for (const node of change.addedNodes) {
          if (node.nodeType !== 1) continue;
          if (node.hasAttribute("data-chart")) draw(node);
          node.querySelectorAll?.("[data-chart]").forEach((host) => draw(host));
        }
      }
    }
  }).observe(document.documentElement, {
    subtree: true,
    childList: true,
    attributes: true,
    attributeFilter: ["data-chart", "data-theme"],
  });
  matchMedia("(prefers-color-scheme: dark)").addEventListener("change", () => drawAll(true));

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => drawAll(false));
  else drawAll(false);
})();
