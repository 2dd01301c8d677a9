// The number beside "Review queue" in the navigation: items waiting in your circles,
// recounted whenever the live queue says something changed.

import { t } from "./strings.js";

const link = document.getElementById("queue-link");
const badge = document.getElementById("queue-count");
let delay = 1000;
let pending = null;

async function recount() {
  const response = await fetch("/api/v1/moderation/queue/counts", { credentials: "same-origin" });
  if (!response.ok) return;
  const counts = await response.json();
  badge.textContent = String(counts.total);
  badge.hidden = counts.total === 0;
  badge.classList.toggle("queue-count-urgent", counts.urgent > 0);
  const label = !counts.total ? t("queue_label", "Review queue")
    : counts.urgent ? t("queue_label_urgent", "Review queue, {total} waiting, {urgent} urgent", counts)
    : t("queue_label_waiting", "Review queue, {total} waiting", counts);
  link.setAttribute("aria-label", label);
  link.dataset.waiting = String(counts.total);
}

function soon() {
  // A burst of changes (a decision, then the next claim) costs one request.
  window.clearTimeout(pending);
  pending = window.setTimeout(() => recount().catch(() => {}), 150);
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(`${scheme}${window.location.host}/ws/moderation`);
  socket.addEventListener("open", () => {
    delay = 1000;
    link.dataset.live = "true";
    soon();
  });
  socket.addEventListener("message", (message) => {
    const event = JSON.parse(message.data);
    if (event.type === "queue" || event.type === "refresh") soon();
  });
  socket.addEventListener("close", (closed) => {
    link.dataset.live = "false";
    if (closed.code >= 4400 && closed.code < 4500) return; // signed out or no longer staff
    window.setTimeout(connect, delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 30000);
  });
}

if (link && badge && "WebSocket" in window) connect();
