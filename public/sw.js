// Bullpen's service worker: keeps the app shell and static assets so the app opens offline.
//
// - Pages (navigations): network first, so people always get fresh HTML; the last copy of each
//   page is kept, and "/" stands in for a page never visited. The page shows an offline banner.
// - Static assets (/pkg, /icons, /vendor, charts.js, the manifest): served from the cache and
//   refreshed in the background (stale-while-revalidate). The shell's WASM, JS, CSS and the
//   split-chunk loader are cached at install; a section's WASM chunks, and ECharts, once seen.
// - Live data (/api, /health, websockets) is never cached.
const CACHE = "bullpen-shell-v2";
const SHELL = ["/", "/manifest.webmanifest", "/icons/icon-192.png", "/icons/icon-512.png", "/icons/favicon.svg"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL);
      // The WASM, JS and CSS names come from the build; read them off the shell page.
      const html = await (await cache.match("/")).text();
      const assets = [...html.matchAll(/(?:href|src)="(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
      await cache.addAll([...new Set(assets)]);
      // The modules those scripts import (the loader of the split WASM chunks): without them
      // the page cannot start offline. The chunks themselves are cached as pages load them.
      const imported = new Set();
      for (const script of assets.filter((a) => a.endsWith(".js"))) {
        const code = await (await cache.match(script)).text();
        for (const m of code.matchAll(/(?:from|import)\s*\(?\s*"\.\/([^"]+\.js)"/g)) {
          imported.add(new URL(m[1], self.location.origin + script).pathname);
        }
      }
      await cache.addAll([...imported]);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key !== CACHE) await caches.delete(key);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith("/api/") || url.pathname === "/health") return;

  if (request.mode === "navigate") {
    event.respondWith(networkFirst(request));
  } else if (/^\/(pkg|icons|vendor)\//.test(url.pathname) || ["/manifest.webmanifest", "/charts.js"].includes(url.pathname)) {
    event.respondWith(staleWhileRevalidate(request, event));
  }
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (offline) {
    return (await cache.match(request)) || (await cache.match("/")) || Response.error();
  }
}

async function staleWhileRevalidate(request, event) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request);
  const refresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => cached || Response.error());
  if (cached) {
    event.waitUntil(refresh);
    return cached;
  }
  return refresh;
}
