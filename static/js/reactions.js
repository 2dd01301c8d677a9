// Supportive reactions: the thread page's reaction forms answer without a reload, and the
// chat panel draws the same buttons under each message (see chat.js).
//
// Without JavaScript a reaction button submits its form (POST /posts/{id}/react); with
// it, the button calls the API and shows the new counts. Nothing here is a downvote.

import { t } from "./strings.js";

const CSRF = () => document.querySelector('input[name="csrf_token"]')?.value ?? "";

// PUT gives a reaction, DELETE takes it back; the answer holds the new counts.
export async function toggleReaction(url, given) {
  const response = await fetch(url, {
    method: given ? "DELETE" : "PUT",
    credentials: "same-origin",
    headers: { Accept: "application/json", "X-CSRF-Token": CSRF() },
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data?.error?.message || t("server_answered", "The server answered {status}.", { status: response.status }));
  return data;
}

// Sets each button's count and pressed state from the server's counts and "mine".
export function showCounts(container, counts, mine) {
  for (const button of container.querySelectorAll(".reaction")) {
    const kind = button.dataset.kind ?? button.value;
    const count = counts?.[kind] ?? 0;
    button.querySelector(".reaction-count").textContent = count ? String(count) : "";
    if (button.tagName === "SPAN") button.hidden = !count; // counts only: shown once given
    if (mine) button.setAttribute("aria-pressed", String(mine.includes(kind)));
  }
}

function say(container, words) {
  let status = container.querySelector(".reaction-status");
  if (!status) {
    status = document.createElement("span");
    status.className = "reaction-status meta";
    status.setAttribute("role", "status");
    container.append(status);
  }
  status.textContent = words;
}

// A row of reaction buttons for a chat message: `url` is its reactions address, `kinds`
// the server's set ({key: [symbol, words]}, from the panel's data-reactions). On the
// reader's `own` message they are counts only, shown once someone reacted.
export function reactionButtons(url, kinds, counts, mine, own) {
  const bar = document.createElement("div");
  bar.className = own ? "reactions reactions-own" : "reactions";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", t("reactions", "Reactions"));
  for (const [kind, [symbol, words]] of Object.entries(kinds)) {
    const button = document.createElement(own ? "span" : "button");
    if (!own) button.type = "button";
    button.className = "reaction";
    button.dataset.kind = kind;
    if (!own) button.setAttribute("aria-pressed", String((mine ?? []).includes(kind)));
    const icon = document.createElement("span");
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = symbol;
    const count = document.createElement("span");
    count.className = "reaction-count";
    button.append(icon, ` ${t(`reaction_${kind}`, words)} `, count);
    bar.append(button);
    if (own) continue;
    button.addEventListener("click", async () => {
      const given = button.getAttribute("aria-pressed") === "true";
      try {
        const data = await toggleReaction(`${url}/${kind}`, given);
        showCounts(bar, data.counts, data.mine);
        say(bar, "");
      } catch (error) {
        say(bar, error.message);
      }
    });
  }
  showCounts(bar, counts, mine);
  return bar;
}

// The thread page: each post's reaction form, answered in place.
for (const form of document.querySelectorAll("form.reaction-form")) {
  form.addEventListener("submit", async (event) => {
    const button = event.submitter;
    if (!button?.classList.contains("reaction")) return;
    event.preventDefault();
    const given = button.getAttribute("aria-pressed") === "true";
    try {
      const data = await toggleReaction(`/api/v1/posts/${form.dataset.post}/reactions/${button.value}`, given);
      showCounts(form, data.counts, data.mine);
      say(form, "");
    } catch (error) {
      say(form, error.message);
    }
  });
}
