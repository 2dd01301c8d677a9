// Drafts: what a member types into a new thread, a reply or a chat line is kept in this
// browser until it is sent, so a closed tab, a crash or a lost connection loses no words.
//
// Fields opt in with data-draft="name"; a draft belongs to the member (body[data-member])
// and the page's path. Sending marks it sent: when the page comes back with the field
// empty (the post went through), it is dropped; when it comes back with the words in it
// (the server refused and showed the form again), it stays. Logging out forgets every
// draft of this member, and none is kept longer than a week, since this may be a shared
// computer and these words may be private.

import { t } from "./strings.js";

const PREFIX = "circles-draft:";
const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
const SAVE_DELAY_MS = 400;

function read(key) {
  try {
    const draft = JSON.parse(localStorage.getItem(key) ?? "null");
    return draft && typeof draft.text === "string" ? draft : null;
  } catch {
    return null;
  }
}

function write(key, draft) {
  try {
    localStorage.setItem(key, JSON.stringify(draft));
  } catch {
    // Storage full or refused (private browsing): typing goes on, unsaved.
  }
}

function forget(matches) {
  try {
    for (const key of Object.keys(localStorage)) if (key.startsWith(PREFIX) && matches(key)) localStorage.removeItem(key);
  } catch {
    // Storage refused: nothing was kept either.
  }
}

function restoredNote(field, key) {
  const note = document.createElement("p");
  note.className = "draft-note hint";
  note.setAttribute("role", "status");
  note.append(t("draft_kept", "Your unsent words were kept in this browser. "));
  const discard = document.createElement("button");
  discard.type = "button";
  discard.className = "link-button";
  discard.textContent = t("draft_discard", "Discard them");
  discard.addEventListener("click", () => {
    localStorage.removeItem(key);
    field.value = "";
    note.remove();
    field.focus();
  });
  note.append(discard);
  field.insertAdjacentElement("afterend", note);
}

function keep(field, owner) {
  const key = `${PREFIX}${owner}:${location.pathname}:${field.dataset.draft}`;
  const draft = read(key);
  if (draft && draft.sent && !field.value) localStorage.removeItem(key); // it went through
  else if (draft && !field.value) {
    field.value = draft.text;
    restoredNote(field, key);
  } else if (draft && draft.sent) write(key, { ...draft, sent: false }); // refused: shown again
  let timer = 0;
  field.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (field.value.trim()) write(key, { text: field.value, at: Date.now(), sent: false });
      else localStorage.removeItem(key);
    }, SAVE_DELAY_MS);
  });
  field.form?.addEventListener("submit", () => {
    clearTimeout(timer);
    if (field.value.trim()) write(key, { text: field.value, at: Date.now(), sent: true });
  });
}

const owner = document.body.dataset.member;
if (owner) {
  forget((key) => (read(key)?.at ?? 0) < Date.now() - WEEK_MS); // anyone's, a week on
  for (const field of document.querySelectorAll("[data-draft]")) keep(field, owner);
  for (const form of document.querySelectorAll('form[action="/logout"], form[action="/account/delete"]')) {
    form.addEventListener("submit", () => forget((key) => key.startsWith(`${PREFIX}${owner}:`)));
  }
}
