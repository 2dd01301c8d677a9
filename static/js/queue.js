// The live review queue: new items, claims and decisions arrive as they happen.
// Urgent crisis items can also raise a browser notification, if the moderator asks.

import { t } from "./strings.js";

const panel = document.getElementById("queue-live");
const status = document.getElementById("queue-live-status");
const refresh = document.getElementById("queue-refresh");
const notifyButton = document.getElementById("queue-notify");

let fresh = 0;
let urgent = 0;
let overdue = 0;
let delay = 1000;
const RECONNECTING = t("queue_reconnecting", "Live updates are reconnecting…");

function say(text) {
  panel.hidden = false;
  status.textContent = text;
}

function itemRow(id) {
  return document.getElementById(`item-${id}`);
}

function mark(id, words) {
  const row = itemRow(id);
  if (!row) return;
  let note = row.querySelector(".live-note");
  if (!note) {
    note = document.createElement("p");
    note.className = "live-note meta";
    row.append(note);
  }
  note.textContent = words;
}

function notifyUrgent() {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  const note = new Notification(t("queue_urgent_title", "Urgent: someone may be in danger"), {
    body: t("queue_urgent_body", "A crisis item is waiting in the review queue."),
    tag: "circles-urgent-crisis",
    requireInteraction: true,
  });
  note.addEventListener("click", () => {
    window.focus();
    window.location.assign("/moderation?urgent=1");
  });
}

// The socket stays open while the server reconnects to the database; afterwards it sends
// "refresh" (items may have changed meanwhile), then "live".
function onStatus(event) {
  if (event.type === "status" && event.state === "reconnecting") {
    say(RECONNECTING);
  } else if (event.type === "status" && event.state === "live") {
    if (status.textContent === RECONNECTING) say(t("queue_back", "Live updates are back."));
  } else if (event.type === "refresh") {
    say(`${event.message} ${t("queue_refresh", "Refresh to see it as it is now.")}`);
    refresh.href = `${window.location.pathname}${window.location.search}`;
    refresh.hidden = false;
  }
}

function handle(event) {
  if (event.type === "status" || event.type === "refresh") {
    onStatus(event);
    return;
  }
  if (event.type !== "queue") return;
  if (event.change === "new") {
    fresh += 1;
    if (event.crisis_level === "urgent") {
      urgent += 1;
      notifyUrgent();
    }
    const values = { count: fresh, urgent };
    if (!urgent) {
      say(fresh === 1 ? t("queue_new_one", "{count} new item since you opened the queue.", values)
        : t("queue_new_many", "{count} new items since you opened the queue.", values));
    } else {
      say(fresh === 1 ? t("queue_new_one_urgent", "{count} new item since you opened the queue, {urgent} of them urgent crisis.", values)
        : t("queue_new_many_urgent", "{count} new items since you opened the queue, {urgent} of them urgent crisis.", values));
    }
    panel.classList.toggle("queue-live-urgent", urgent > 0);
    refresh.hidden = false;
  } else if (event.change === "claimed") {
    mark(event.item_id, t("queue_claimed", "Another moderator just claimed this."));
  } else if (event.change === "decided") {
    mark(event.item_id, t("queue_decided", "Decided just now."));
    itemRow(event.item_id)?.classList.add("queue-item-decided");
  } else if (event.change === "overdue") {
    // An urgent item nobody claimed in time: said again, louder, until someone takes it.
    overdue += 1;
    notifyUrgent();
    mark(event.item_id, t("queue_item_overdue", "Overdue: nobody has claimed this urgent item yet. Please look now."));
    say(overdue === 1
      ? t("queue_overdue_one", "{count} urgent item is overdue: nobody has claimed it yet.", { count: overdue })
      : t("queue_overdue_many", "{count} urgent items are overdue: nobody has claimed them yet.", { count: overdue }));
    panel.classList.add("queue-live-urgent");
    refresh.hidden = false;
  } else if (event.change === "updated") {
    mark(event.item_id, t("queue_updated", "Updated (a new report or flag): refresh to see it."));
  }
}

function connect() {
  const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
  const socket = new WebSocket(`${scheme}${window.location.host}/ws/moderation`);
  socket.addEventListener("open", () => {
    delay = 1000;
    panel.dataset.connected = "true";
  });
  socket.addEventListener("message", (message) => handle(JSON.parse(message.data)));
  socket.addEventListener("close", (closed) => {
    panel.dataset.connected = "false";
    if (closed.code >= 4400 && closed.code < 4500) {
      // Signed out (4401) or no longer a moderator here (4403): reconnecting won't help.
      say(closed.reason || t("queue_stopped", "Live updates stopped. Reload the page to see the queue."));
      return;
    }
    const wait = delay * (0.5 + Math.random());
    delay = Math.min(delay * 2, 30000);
    window.setTimeout(connect, wait);
  });
}

if ("Notification" in window && Notification.permission === "default") {
  notifyButton.hidden = false;
  panel.hidden = false;
  notifyButton.addEventListener("click", async () => {
    const answer = await Notification.requestPermission();
    notifyButton.hidden = true;
    say(answer === "granted"
      ? t("queue_notify_on", "You'll get a notification when an urgent crisis item arrives.")
      : t("queue_notify_off", "Notifications are off; this page still updates."));
  });
}

connect();
