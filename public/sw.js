// Bullpen's service worker: keeps the app shell, static assets and every page a person has
// seen, so the app opens offline.
//
// - Pages (navigations): network first, so people always get fresh HTML; the last copy of each
//   page is kept. A page is rendered with its data, so its copy opens offline showing what it
//   last showed. Pages reached through the app's own links never come through here as
//   navigations: the page posts their address ("keep") and the worker fetches and keeps them.
//   A copy served offline carries <body data-offline-copy="<when it was kept>">, which the
//   offline banner shows; a page never seen answers a small "not saved yet" page.
// - Static assets (/pkg, /icons, /vendor, charts.js, the manifest): served from the cache and
//   refreshed in the background (stale-while-revalidate). The shell's WASM, JS, CSS and the
//   split-chunk loader are cached at install; a section's WASM chunks, and ECharts, once seen.
// - Live data (/api, /health, websockets) is never cached.
// - Web Push: a pushed mention, reply or direct message ({title, body, url, tag}, encrypted by
//   the server for this browser) shows as a notification unless a Bullpen tab is in front;
//   a click focuses a Bullpen tab on its page, or opens one.
const CACHE = "bullpen-shell-v4";
// When a page was kept, on the copy itself.
const KEPT_AT = "x-bullpen-kept-at";
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

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (_) {
    return;
  }
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      // The open tab tells of it itself.
      if (windows.some((w) => w.visibilityState === "visible" && w.focused)) return;
      await self.registration.showNotification(data.title || "Bullpen", {
        body: data.body || "",
        tag: data.tag,
        icon: "/icons/icon-192.png",
        data: { url: typeof data.url === "string" && data.url.startsWith("/") ? data.url : "/inbox" },
      });
    })(),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = new URL(event.notification.data?.url || "/inbox", self.location.origin).href;
  event.waitUntil(
    (async () => {
      const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const tab = windows.find((w) => new URL(w.url).origin === self.location.origin);
      if (tab) {
        await tab.focus();
        await tab.navigate(url).catch(() => {});
      } else {
        await self.clients.openWindow(url);
      }
    })(),
  );
});

self.addEventListener("message", (event) => {
  const message = event.data;
  if (!message || message.type !== "keep" || typeof message.url !== "string") return;
  const url = new URL(message.url, self.location.origin);
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;
  event.waitUntil(keep(url.href).catch(() => {}));
});

/// Fetches a page as the person sees it (their cookies go along) and keeps the copy.
async function keep(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } });
  await store(url, response);
}

/// Keeps a page's copy, stamped with when: only a whole page (200, HTML), never an error.
async function store(key, response) {
  if (!response.ok || !(response.headers.get("content-type") || "").includes("text/html")) return;
  const headers = new Headers(response.headers);
  headers.set(KEPT_AT, new Date().toISOString());
  const copy = new Response(await response.clone().blob(), { status: 200, headers });
  await (await caches.open(CACHE)).put(key, copy);
}

async function networkFirst(request) {
  try {
    const response = await fetch(request);
    await store(request.url, response.clone()).catch(() => {});
    return response;
  } catch (offline) {
    const cache = await caches.open(CACHE);
    const kept = await cache.match(request.url, { ignoreVary: true });
    if (kept) return offlineCopy(kept);
    return notSaved();
  }
}

/// A kept page, marked as a copy and with when it was kept, for the offline banner.
async function offlineCopy(kept) {
  const at = kept.headers.get(KEPT_AT) || "";
  const html = (await kept.text()).replace(/<body\b/, `<body data-offline-copy="${at}"`);
  const headers = new Headers(kept.headers);
  headers.delete("content-length");
  return new Response(html, { status: 200, headers });
}

/// What a page never opened before answers offline: where to go instead, in the browser's
/// language (the app's five).
const NOT_SAVED = {
  en: ["You're offline", "This page hasn't been opened on this device yet, so there is no saved copy of it. Pages you have opened before work offline.", "Go to the home page"],
  tr: ["Çevrimdışısınız", "Bu sayfa bu cihazda henüz açılmadı, bu yüzden kayıtlı bir kopyası yok. Daha önce açtığınız sayfalar çevrimdışı çalışır.", "Ana sayfaya git"],
  es: ["Estás sin conexión", "Esta página aún no se ha abierto en este dispositivo, así que no hay una copia guardada. Las páginas que ya abriste funcionan sin conexión.", "Ir a la página de inicio"],
  fr: ["Vous êtes hors ligne", "Cette page n'a pas encore été ouverte sur cet appareil : il n'en existe pas de copie. Les pages déjà ouvertes fonctionnent hors ligne.", "Aller à l'accueil"],
  de: ["Du bist offline", "Diese Seite wurde auf diesem Gerät noch nicht geöffnet, daher gibt es keine gespeicherte Kopie. Bereits geöffnete Seiten funktionieren offline.", "Zur Startseite"],
};

function notSaved() {
  const language = (self.navigator.language || "en").slice(0, 2);
  const [title, body, home] = NOT_SAVED[language] || NOT_SAVED.en;
  const html = `<!doctype html><html lang="${NOT_SAVED[language] ? language : "en"}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${title} · Bullpen</title>
<style>body{font-family:system-ui,sans-serif;margin:0;display:grid;place-items:center;min-height:100vh;
background:#f5f7f6;color:#15201b}main{max-width:32rem;padding:2rem}a{color:#08654a;font-weight:650}
@media (prefers-color-scheme:dark){body{background:#0c1210;color:#e7efeb}a{color:#4fd0a4}}</style></head>
<body><main><h1>${title}</h1><p>${body}</p><p><a href="/">${home}</a></p></main></body></html>`;
  return new Response(html, { status: 503, headers: { "content-type": "text/html; charset=utf-8" } });
}
