// The live chat panel on a circle page: rooms, history, live messages, resume and resend.
//
// The server renders the panel's skeleton (section.chat) with what the viewer may do;
// this module fills it in. Message bodies arrive as HTML the server already sanitized
// (body_html); anything else from the network is inserted as text, never as HTML.

import { reactionButtons, showCounts } from "./reactions.js";
import { timeElement } from "./times.js";
import { treatmentFor, warned } from "./warnings.js";
import { t } from "./strings.js";

const RECONNECT_MIN_MS = 1000;
const RECONNECT_MAX_MS = 30000;
const TOO_SLOW = 4008; // the server dropped us for reading too slowly: resume at once
const TOO_BIG = 1009;
const ANNOUNCE_CHARS = 200;
const UNAVAILABLE = "database_unavailable"; // a send refused while the database is away

const REFUSALS = {
  login_required: t("chat_login_required", "Please log in again to chat."),
  rules_not_accepted: t("chat_rules_not_accepted", "Please read and accept this circle's ground rules to chat."),
  bad_origin: t("chat_bad_origin", "The chat can only be used from this site's own pages."),
};

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  node.append(...children.filter((child) => child !== null && child !== undefined && child !== false));
  return node;
}

// Sanitized server HTML as an inert fragment (a template's content runs no scripts).
function fragment(html) {
  const template = document.createElement("template");
  template.innerHTML = html;
  return template.content;
}

function newClientId() {
  if (crypto.randomUUID) return crypto.randomUUID();
  // randomUUID exists only in secure contexts; plain http on a LAN still gets a random id.
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join("");
}

async function getJson(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data?.error?.message || t("server_answered", "The server answered {status}.", { status: response.status }));
  return data;
}

// The names the app gives (the moderators as a team, a deleted account) come flagged, in
// English, since one event reaches every reader: each page words them its own way.
function authorName(author) {
  if (author.team) return t("chat_team", author.display_name);
  if (author.former) return t("chat_former_member", author.display_name);
  return author.display_name;
}

function roomInfo(room) {
  const parts = [];
  if (room.description) parts.push(room.description);
  if (room.hours) parts.push(`${room.hours} · ${room.open_now ? t("chat_open_now", "open now") : t("chat_closed_now", "closed now")}`);
  if (room.slow_mode_seconds) parts.push(t("chat_slow_mode", "Slow mode: one message every {seconds} seconds.", { seconds: room.slow_mode_seconds }));
  return parts.join(" — ");
}

class ChatPanel {
  constructor(panel) {
    const part = (name) => panel.querySelector(`[data-chat="${name}"]`);
    this.slug = panel.dataset.circle;
    // Direct conversations reuse the panel: their list comes from another address.
    this.roomsUrl = panel.dataset.roomsUrl ?? `/api/v1/circles/${encodeURIComponent(this.slug)}/rooms`;
    this.firstRoom = Number(panel.dataset.room) || null;
    this.emptyText = panel.dataset.emptyText ?? t("chat_no_rooms", "This circle has no chat rooms yet.");
    const signedIn = panel.dataset.signedIn === "true";
    this.canSend = panel.dataset.canSend === "true";
    // The server admits anyone signed in to a public circle's rooms (to read), and to a
    // private circle's only members who accepted some version of its rules.
    const canRead = panel.dataset.public === "true" || panel.dataset.canRead === "true";
    this.live = signedIn && (canRead || this.canSend);
    this.cwPrefs = JSON.parse(panel.dataset.cwPrefs || "{}");
    this.cwWords = JSON.parse(panel.dataset.cwWords || "{}");
    this.reactionKinds = JSON.parse(panel.dataset.reactions || "{}");
    this.ui = {
      connection: part("connection"), rooms: part("rooms"), roomInfo: part("room-info"),
      presence: part("presence"), earlier: part("earlier"), log: part("log"), list: part("list"),
      empty: part("empty"),
      announce: part("announce"), support: part("support"), composer: part("composer"),
      status: part("status"),
    };
    this.textarea = this.ui.composer?.querySelector("textarea") ?? null;
    this.room = null;
    this.outboxes = new Map(); // room id -> Map(client_msg_id -> body): sent, not yet answered
    this.socket = null;
    this.inflight = []; // client_msg_ids sent on the current socket, oldest first
    this.attempt = 0;
    this.timer = 0;
    this.resendTimer = 0;
    this.statusCode = null;
    this.resetLog();
  }

  resetLog() {
    this.bySeq = new Map();
    this.byId = new Map();
    this.mine = new Map(); // client_msg_id -> the author's own <li> (sending, held, failed)
    this.lastSeq = 0;
    this.before = null;
    this.ui.list.replaceChildren();
  }

  async start() {
    this.ui.earlier.addEventListener("click", () => this.loadEarlier());
    if (this.canSend && this.ui.composer) {
      this.ui.composer.addEventListener("submit", (event) => this.onSubmit(event));
      this.textarea.addEventListener("keydown", (event) => {
        if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          this.ui.composer.requestSubmit();
        }
      });
    }
    window.addEventListener("online", () => this.reconnectNow());
    this.setEmpty(t("chat_loading", "Loading messages…"));
    let rooms;
    try {
      rooms = (await getJson(this.roomsUrl)).rooms;
    } catch (error) {
      this.setEmpty(t("chat_load_failed", "The chat could not be loaded: {error} Reload the page to try again.", { error: error.message }));
      return;
    }
    if (!rooms.length) {
      this.setEmpty(this.emptyText);
      return;
    }
    this.showRooms(rooms);
    await this.openRoom(rooms.find((room) => room.id === this.firstRoom) ?? rooms[0]);
  }

  showRooms(rooms) {
    if (rooms.length < 2) return;
    this.roomButtons = rooms.map((room) => {
      const attrs = { type: "button", class: "chat-room-button", "aria-pressed": "false" };
      const button = el("button", attrs, room.name);
      button.addEventListener("click", () => { if (room !== this.room) this.openRoom(room); });
      return button;
    });
    this.ui.rooms.replaceChildren(el("span", { class: "meta" }, t("chat_rooms", "Rooms:")), ...this.roomButtons);
    this.ui.rooms.hidden = false;
    this.rooms = rooms;
  }

  async openRoom(room) {
    this.disconnect();
    this.room = room;
    this.resetLog();
    this.roomButtons?.forEach((button, i) => button.setAttribute("aria-pressed", String(this.rooms[i] === room)));
    const info = roomInfo(room);
    this.ui.roomInfo.textContent = this.roomButtons && info ? `${room.name}: ${info}` : info;
    this.ui.roomInfo.hidden = !info;
    this.ui.presence.hidden = true;
    this.setEmpty(t("chat_loading", "Loading messages…"));
    let page;
    try {
      page = await getJson(`/api/v1/rooms/${room.id}/messages`);
    } catch (error) {
      if (this.room === room) this.setEmpty(t("chat_messages_failed", "Messages could not be loaded: {error}", { error: error.message }));
      return;
    }
    if (this.room !== room) return; // switched rooms meanwhile
    for (const message of page.messages) this.addMessage(message, false);
    this.setBefore(page.before);
    // Unanswered sends go last, whether from an earlier visit to this room or typed
    // while the history was loading.
    for (const [id, body] of this.outbox()) {
      if (this.mine.has(id)) this.ui.list.append(this.mine.get(id));
      else this.addPending(id, body);
    }
    this.setEmpty(this.ui.list.children.length ? "" : t("chat_no_messages", "No messages yet."));
    this.scrollToEnd();
    if (this.live) this.connect();
  }

  outbox() {
    if (!this.outboxes.has(this.room.id)) this.outboxes.set(this.room.id, new Map());
    return this.outboxes.get(this.room.id);
  }

  setEmpty(text) {
    this.ui.empty.textContent = text;
    this.ui.empty.hidden = !text;
  }

  setBefore(before) {
    this.before = before ?? null;
    this.ui.earlier.hidden = this.before === null;
  }

  async loadEarlier() {
    const room = this.room;
    if (this.before === null) return;
    this.ui.earlier.disabled = true;
    try {
      const page = await getJson(`/api/v1/rooms/${room.id}/messages?before=${this.before}`);
      if (this.room !== room) return;
      const log = this.ui.log;
      const fromBottom = log.scrollHeight - log.scrollTop;
      for (const message of page.messages) this.addMessage(message, false);
      log.scrollTop = log.scrollHeight - fromBottom; // keep the reader's place
      this.setBefore(page.before);
      if (this.before === null) log.focus();
    } catch (error) {
      this.showStatus(t("chat_earlier_failed", "Earlier messages could not be loaded: {error}", { error: error.message }));
    } finally {
      this.ui.earlier.disabled = false;
    }
  }

  // --- the connection -------------------------------------------------------------

  connect() {
    clearTimeout(this.timer);
    this.timer = 0;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const url = `${scheme}${location.host}/ws/rooms/${this.room.id}?after=${this.lastSeq}`;
    const socket = new WebSocket(url);
    this.socket = socket;
    this.inflight = [];
    this.setConnection(this.attempt ? t("reconnecting", "Reconnecting…") : t("connecting", "Connecting…"));
    socket.addEventListener("open", () => {
      if (socket !== this.socket) return;
      this.attempt = 0;
      this.setConnection("");
      for (const [id, body] of this.outbox()) this.transmit(id, body); // the server is idempotent on the id
    });
    socket.addEventListener("message", (event) => {
      if (socket === this.socket) this.receive(event.data);
    });
    socket.addEventListener("close", (event) => {
      if (socket === this.socket) this.onClose(event);
    });
  }

  disconnect() {
    clearTimeout(this.timer);
    this.timer = 0;
    clearTimeout(this.resendTimer);
    this.resendTimer = 0;
    const socket = this.socket;
    this.socket = null;
    if (socket?.readyState === WebSocket.OPEN) socket.close(1000, "switching rooms");
    // Closing one still connecting makes the browser log an error: close it once open.
    else if (socket?.readyState === WebSocket.CONNECTING) {
      socket.addEventListener("open", () => socket.close(1000, "switching rooms"));
    }
  }

  onClose(event) {
    this.socket = null;
    const unanswered = this.inflight;
    this.inflight = [];
    if (event.code === TOO_BIG && unanswered.length) {
      // Resending a frame the server cannot take would only close the socket again.
      const size = (id) => this.outbox().get(id)?.length ?? 0;
      const biggest = unanswered.reduce((a, b) => (size(b) > size(a) ? b : a));
      this.fail(biggest, t("chat_too_big", "This message is too big to send."));
    }
    if (event.code >= 4000 && event.code !== TOO_SLOW) {
      this.setConnection(t("chat_not_connected", "Not connected."));
      // 4401 (signed out) and 4403 (access withdrawn) carry a sentence to show as it is.
      const sentence = event.reason.includes(" ") ? event.reason : null;
      const why =
        REFUSALS[event.reason] ?? sentence ?? t("chat_closed_connection", "The chat closed the connection ({reason}).", { reason: event.reason || event.code });
      this.showStatus(why, event.reason);
      return;
    }
    this.scheduleReconnect(event.code === TOO_SLOW);
  }

  scheduleReconnect(atOnce) {
    const base = Math.min(RECONNECT_MAX_MS, RECONNECT_MIN_MS * 2 ** this.attempt);
    // Jitter, so that everyone dropped by a restart does not come back at the same moment.
    const delay = atOnce ? 0 : Math.max(RECONNECT_MIN_MS, base * (0.5 + Math.random() * 0.5));
    this.attempt += 1;
    this.setConnection(t("reconnecting", "Reconnecting…"));
    this.timer = setTimeout(() => this.connect(), delay);
  }

  reconnectNow() {
    if (this.timer) this.connect();
  }

  setConnection(text) {
    this.ui.connection.textContent = text;
  }

  transmit(id, body) {
    if (this.socket?.readyState !== WebSocket.OPEN) return; // sent when the connection opens
    this.socket.send(JSON.stringify({ type: "send", client_msg_id: id, body }));
    this.inflight.push(id);
  }

  answered(id) {
    this.outboxes.get(this.room.id)?.delete(id);
    this.inflight = this.inflight.filter((other) => other !== id);
  }

  receive(text) {
    let event;
    try {
      event = JSON.parse(text);
    } catch {
      return;
    }
    if (event.room_id !== undefined && event.room_id !== this.room.id) return;
    const handlers = {
      message: () => this.onMessage(event),
      held: () => this.onHeld(event),
      crisis_resources: () => this.showSupport(event),
      presence: () => this.showPresence(event.members ?? []),
      removed: () => this.onRemoved(event),
      reactions: () => this.onReactions(event),
      error: () => this.onError(event),
      status: () => this.onStatus(event),
    };
    handlers[event.type]?.();
  }

  // --- events ---------------------------------------------------------------------

  onMessage(message) {
    const own = this.mine.has(message.client_msg_id);
    const added = this.addMessage(message, true);
    if (!added || own) return;
    // A covered message is not read aloud either: only its warning is named.
    const covered = added.querySelector(".cw-blur, .cw-hide");
    const words = message.muted ? t("chat_announce_muted", "a message hidden by your muted words")
      : covered ? t("chat_announce_warned", "a message with a content warning ({words})", { words: covered.dataset.cwWords })
      : added.querySelector(".chat-body").textContent.trim();
    this.announce(`${authorName(message.author)}: ${words}`);
  }

  onHeld(event) {
    const item = this.mine.get(event.client_msg_id);
    this.answered(event.client_msg_id);
    if (!item) return;
    item.className = "chat-message chat-mine chat-held";
    // Crisis reasons are not listed: the support panel speaks to them, once.
    const reasons = [...new Set((event.reasons ?? []).filter((reason) => reason.kind !== "crisis")
      .map((reason) => reason.message).filter(Boolean))];
    item.querySelector(".chat-state").replaceChildren(
      el("strong", {}, t("chat_held_only_you", "Only you can see this: ")),
      t("chat_held_waiting", "it's waiting for a moderator to read it before anyone else sees it."),
      reasons.length ? el("ul", { class: "chat-reasons" }, ...reasons.map((words) => el("li", {}, words))) : null,
    );
  }

  onRemoved(event) {
    const item = this.byId.get(event.id);
    if (!item) return;
    item.classList.add("chat-removed");
    item.querySelector(".muted-notice")?.remove();
    const body = item.querySelector(".chat-body");
    body.hidden = false;
    body.replaceChildren(el("p", { class: "removed" }, t("chat_removed", "removed by a moderator")));
  }

  // Someone reacted to a message (or took a reaction back): new counts for everyone.
  onReactions(event) {
    const bar = this.byId.get(event.id)?.querySelector(".reactions");
    if (bar) showCounts(bar, event.counts, null);
  }

  // The socket stays open while the server's live updates reconnect to the database;
  // once "live" again, what was missed has already arrived and unsent messages go again.
  onStatus(event) {
    if (event.state === "reconnecting") {
      this.setConnection(t("reconnecting", "Reconnecting…"));
    } else if (event.state === "live") {
      this.setConnection("");
      if (this.statusCode === UNAVAILABLE) this.showStatus("");
      this.resendOutbox();
    }
  }

  // Sends the database could not take: kept, and sent again (the server is idempotent on
  // the id, so one that was stored after all comes back as a duplicate).
  onUnavailable(event) {
    const state = this.mine.get(event.client_msg_id)?.querySelector(".chat-state");
    state?.replaceChildren(t("chat_waiting_to_send", "waiting to send: it goes as soon as the chat can take it…"));
    this.showStatus(event.message, event.code);
    clearTimeout(this.resendTimer);
    this.resendTimer = setTimeout(() => this.resendOutbox(), 1000 * (event.retry_after ?? 5));
  }

  resendOutbox() {
    clearTimeout(this.resendTimer);
    this.resendTimer = 0;
    if (this.socket?.readyState !== WebSocket.OPEN) return; // sent when the connection opens
    this.inflight = [];
    for (const [id, body] of this.outbox()) this.transmit(id, body);
  }

  onError(event) {
    if (event.code === UNAVAILABLE && event.client_msg_id !== undefined) {
      this.onUnavailable(event);
      return;
    }
    // Errors answer a send; the newest unanswered one is the likeliest to have been refused.
    const id = event.client_msg_id ?? this.inflight[this.inflight.length - 1];
    if (id !== undefined && this.mine.has(id)) this.fail(id, event.message);
    else this.answered(id);
    this.showStatus(event.message, event.code);
  }

  fail(id, why) {
    const body = this.outbox().get(id);
    this.answered(id);
    const item = this.mine.get(id);
    if (!item) return;
    item.className = "chat-message chat-mine chat-failed";
    const retry = el("button", { type: "button", class: "link-button" }, t("chat_try_again", "Try again"));
    retry.addEventListener("click", () => {
      if (body === undefined) return;
      item.className = "chat-message chat-mine chat-sending";
      item.querySelector(".chat-state").replaceChildren(t("chat_sending", "sending…"));
      this.outbox().set(id, body);
      this.transmit(id, body);
      this.textarea?.focus();
    });
    item.querySelector(".chat-state").replaceChildren(`${t("chat_not_sent", "Not sent: {why}", { why })} `, body === undefined ? null : retry);
  }

  // --- the log --------------------------------------------------------------------

  // Adds a published message in seq order; returns its <li>, or null if it was already here.
  addMessage(message, live) {
    const shown = this.bySeq.get(message.seq);
    if (shown) {
      // A resend acknowledged as a duplicate: the stored copy is already shown.
      const sending = this.mine.get(message.client_msg_id);
      if (sending && sending !== shown) {
        this.answered(message.client_msg_id);
        sending.remove();
        this.mine.set(message.client_msg_id, shown);
      }
      return null;
    }
    const pending = this.mine.get(message.client_msg_id);
    if (pending) {
      this.answered(message.client_msg_id);
      pending.remove();
    }
    const item = el("li", { class: pending ? "chat-message chat-mine" : "chat-message" });
    if (pending) this.mine.set(message.client_msg_id, item);
    item.dataset.seq = String(message.seq);
    const body = el("div", { class: "chat-body" }, fragment(message.body_html));
    item.append(
      el("p", { class: "chat-meta" },
        el("span", { class: "author" }, authorName(message.author)), " ",
        timeElement(message.created_at)),
      message.muted ? this.mutedNotice(body) : null,
      this.warnedBody(body, message, pending),
      this.live
        ? reactionButtons(`/api/v1/messages/${message.id}/reactions`, this.reactionKinds,
          message.reactions, message.reactions_mine, Boolean(pending || message.own))
        : null,
    );
    this.bySeq.set(message.seq, item);
    this.byId.set(message.id, item);
    const follow = live && this.nearEnd();
    this.insertBySeq(item, message.seq);
    this.lastSeq = Math.max(this.lastSeq, message.seq);
    this.setEmpty("");
    if (follow || item.classList.contains("chat-mine")) this.scrollToEnd();
    return item;
  }

  // The server marks messages with the reader's muted words: folded away until asked for.
  mutedNotice(body) {
    body.hidden = true;
    const button = el("button", { type: "button", class: "link-button", "aria-expanded": "false" }, t("show", "show"));
    button.addEventListener("click", () => {
      const showing = body.hidden;
      body.hidden = !showing;
      button.textContent = showing ? t("hide", "hide") : t("show", "show");
      button.setAttribute("aria-expanded", String(showing));
    });
    return el("p", { class: "muted-notice" }, t("muted_hidden", "Hidden by your muted words: "), button);
  }

  // A message with content warnings, as this reader chose to see them (their own: shown).
  warnedBody(body, message, mine) {
    const keys = message.content_warnings || [];
    if (!keys.length) return body;
    const words = keys.map((key) => t(`cw_${key}`, this.cwWords[key] || key)).join(", ");
    return warned(body, words, mine ? "show" : treatmentFor(keys, this.cwPrefs));
  }

  // Before the first later message; messages without a seq (sending, held) keep their place.
  insertBySeq(item, seq) {
    let before = null;
    for (let node = this.ui.list.lastElementChild; node; node = node.previousElementSibling) {
      if (!node.dataset.seq) continue;
      if (Number(node.dataset.seq) > seq) before = node;
      else break;
    }
    this.ui.list.insertBefore(item, before);
  }

  addPending(id, body) {
    const item = el("li", { class: "chat-message chat-mine chat-sending" },
      el("p", { class: "chat-meta" }, el("span", { class: "author" }, t("chat_you", "You"))),
      el("div", { class: "chat-body chat-plain" }, body),
      el("div", { class: "chat-state" }, t("chat_sending", "sending…")));
    this.mine.set(id, item);
    this.ui.list.append(item);
    this.setEmpty("");
    this.scrollToEnd();
  }

  nearEnd() {
    const log = this.ui.log;
    return log.scrollHeight - log.scrollTop - log.clientHeight < 48;
  }

  scrollToEnd() {
    this.ui.log.scrollTop = this.ui.log.scrollHeight;
  }

  // --- around the log -------------------------------------------------------------

  onSubmit(event) {
    event.preventDefault();
    const body = this.textarea.value.trim();
    if (!body) {
      this.showStatus(t("chat_write_something", "Please write something before sending."));
      return;
    }
    if (!this.room) {
      this.showStatus(this.emptyText);
      return;
    }
    this.showStatus("");
    const id = newClientId();
    this.outbox().set(id, body);
    this.addPending(id, body);
    this.transmit(id, body);
    this.textarea.value = "";
    this.textarea.focus();
  }

  showPresence(members) {
    const names = members.map((member) => member.display_name);
    this.ui.presence.textContent = names.length ? t("chat_here_now", "Here now: {names}", { names: names.join(", ") }) : "";
    this.ui.presence.hidden = !names.length;
  }

  showStatus(text, code) {
    this.statusCode = code ?? null;
    const status = this.ui.status;
    status.replaceChildren(text);
    if (code === "rules_not_accepted" || code === "not_a_member") {
      status.append(" ", el("a", { href: "#rules-heading" }, t("chat_accept_rules", "Read and accept the ground rules")));
    } else if (code === "login_required") {
      status.append(" ", el("a", { href: `/login?next=/c/${encodeURIComponent(this.slug)}` }, t("log_in", "Log in")));
    }
  }

  announce(text) {
    const words = text.length > ANNOUNCE_CHARS ? `${text.slice(0, ANNOUNCE_CHARS)}…` : text;
    this.ui.announce.textContent = words;
  }

  showSupport(event) {
    const resources = (event.resources ?? []).map((resource) => {
      const url = /^https?:\/\//.test(resource.url ?? "") ? resource.url : null;
      return el("li", {},
        el("strong", {}, resource.name),
        resource.phone ? ` · ${t("support_call", "call")} ` : null,
        resource.phone ? el("a", { href: `tel:${resource.phone.replace(/\s+/g, "")}` }, resource.phone) : null,
        resource.sms ? ` · ${t("support_text", "text {number}", { number: resource.sms })}` : null,
        url ? " · " : null,
        url ? el("a", { href: url, rel: "noopener" }, url.replace(/^https:\/\//, "")) : null,
        resource.description ? el("br") : null,
        resource.description ? el("span", { class: "meta" }, resource.description) : null);
    });
    // Every word comes with the event (forum/review/wording.py): one message, said once.
    const plan = event.safety_plan;
    const panel = el("section", { class: "support-panel chat-support", "aria-labelledby": "chat-support-heading" },
      el("h3", { id: "chat-support-heading" }, event.headline),
      el("p", { class: "support-message" }, event.message),
      el("p", {}, event.resources_intro),
      resources.length ? el("ul", { class: "resource-list" }, ...resources) : null,
      plan ? el("p", {}, el("a", { href: plan.url }, plan.text)) : null,
      el("p", { class: "meta" }, `${event.emergency} `, el("a", { href: "/support" }, t("support_more", "More support lines"))));
    this.ui.support.replaceChildren(panel);
    this.announce(`${event.headline}. ${t("support_announce", "Support lines you can call or text are shown below the chat.")}`);
  }
}

const panel = document.querySelector("section.chat[data-circle], section.chat[data-rooms-url]");
if (panel) new ChatPanel(panel).start();
