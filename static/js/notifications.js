// The bell: its unread count stays current, and new notifications arrive as they happen.

import { t } from "./strings.js";

const bell = document.getElementById("bell");
const count = document.getElementById("bell-count");
const list = document.getElementById("notification-list");
let delay = 1000;

function show(unread) {
  count.textContent = String(unread);
  count.hidden = unread === 0;
  bell.classList.toggle("bell-unread", unread > 0);
  bell.dataset.unread = String(unread);
  bell.setAttribute("aria-label", unread ? t("bell_unread", "Notifications, {count} unread", { count: unread }) : t("bell", "Notifications"));
}

function announce(notification) {
  // A polite live region, so screen-reader users hear it without losing their place.
  let region = document.getElementById("bell-news");
  if (!region) {
    region = document.createElement("p");
    region.id = "bell-news";
    region.className = "visually-hidden";
    region.setAttribute("role", "status");
    document.body.append(region);
  }
  region.textContent = t("bell_new", "New notification: {text}", { text: notification.text });
  bell.title = notification.text;
}

function addToList(notification) {
  if (!list) return;
  const item = document.createElement("li");
  item.className = "card notification notification-unread";
  const link = document.createElement("a");
  link.href = notification.url;
  link.textContent = notification.text;
  item.append(link);
  list.prepend(item);
  document.getElementById("no-notifications")?.remove();
}

function handle(event) {
  if (event.type === "status") {
    // Kept open while the server reconnects to the database; the count follows once back.
    const reconnecting = event.state === "reconnecting";
    bell.dataset.live = reconnecting ? "reconnecting" : "true";
    bell.title = reconnecting ? t("reconnecting", "Reconnecting…") : "";
  } else if (event.type === "unread") {
    show(event.count);
  } else if (event.type === "notification") {
    show(event.unread);
    announce(event.notification);
    addToList(event.notification);
  }
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(`${scheme}${window.location.host}/ws/notifications`);
  socket.addEventListener("open", () => {
    delay = 1000;
    bell.dataset.live = "true";
  });
  socket.addEventListener("message", (message) => handle(JSON.parse(message.data)));
  socket.addEventListener("close", (closed) => {
    bell.dataset.live = "false";
    if (closed.code >= 4400 && closed.code < 4500) {
      // Signed out (4401) or refused: reconnecting won't help. Say why, politely.
      bell.title = closed.reason || t("bell_not_live", "Notifications are not live: reload the page.");
      return;
    }
    window.setTimeout(connect, delay * (0.5 + Math.random()));
    delay = Math.min(delay * 2, 30000);
  });
}

if (bell && count && "WebSocket" in window) connect();

// Quiet hours are read on the member's own clock: offer the browser's time zone.
const zone = document.querySelector("input[data-local-zone]");
if (zone && !zone.value) {
  try {
    zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch {
    // No Intl time zones here: the member types theirs.
  }
}
