// weft audit serve — the only client code: live updates over server-sent events (the server
// re-renders; this swaps in the integrity header and the page body), and dropping empty filter
// fields from the URL. Every page works without it. Served by the CLI itself; no build, no CDN.

const form = document.getElementById("filters");
if (form) {
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const params = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (typeof value === "string" && value.trim() !== "") params.set(key, value.trim());
    }
    const query = params.toString();
    location.assign(form.getAttribute("action") + (query ? `?${query}` : ""));
  });
}

const liveState = document.getElementById("live-state");
// the state this page was rendered from; any different state means it is stale
let last = document.body.dataset.live ?? null;
let pending = false;
let again = false;

async function refresh() {
  if (pending) {
    again = true; // the page being fetched may predate this event: fetch once more after it
    return;
  }
  pending = true;
  try {
    const response = await fetch(location.href, { credentials: "same-origin", cache: "no-store" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    const seen = new Set(Array.from(document.querySelectorAll("#records tbody tr"), (tr) => tr.dataset.seq));
    for (const id of ["integrity", "content"]) {
      const fresh = doc.getElementById(id);
      const current = document.getElementById(id);
      if (fresh && current) current.replaceWith(fresh);
    }
    if (seen.size > 0) {
      for (const tr of document.querySelectorAll("#records tbody tr")) {
        if (!seen.has(tr.dataset.seq)) tr.classList.add("fresh");
      }
    }
  } catch {
    // the next state event retries
  } finally {
    pending = false;
    if (again) {
      again = false;
      void refresh();
    }
  }
}

if (typeof EventSource === "function") {
  const events = new EventSource("/events");
  events.addEventListener("state", (event) => {
    if (liveState) liveState.textContent = "on";
    const state = event.data;
    if (state !== last) void refresh();
    last = state;
  });
  events.addEventListener("error", () => {
    if (liveState) liveState.textContent = "reconnecting";
  });
  addEventListener("pagehide", () => events.close());
}
