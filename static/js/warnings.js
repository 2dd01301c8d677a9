// Content warnings: posts (and chat messages) a reader chose to blur are covered, with the
// warning named and a button to show them; "hide" is a one-line notice that opens.
//
// The server renders warned posts as <details> (see forum/threads/content_warnings.py), which
// works without this file; here, blurred ones get a cover over the blurred text instead.

import { t } from "./strings.js";

const STRICTNESS = { show: 0, blur: 1, hide: 2 };
let covers = 0;

// Covers `content` (moved into the box) with the warning named and a "Show" button.
function cover(box, content, words) {
  const id = `cw-note-${++covers}`;
  content.classList.add("cw-content", "cw-blurred");
  // Blurred text is out of reach: not focusable, not read aloud, until shown.
  content.inert = true;
  const note = document.createElement("p");
  note.id = id;
  note.className = "cw-note";
  note.textContent = t("cw_label", "Content warning: {words}", { words });
  const button = document.createElement("button");
  button.type = "button";
  button.className = "button button-small cw-reveal";
  button.textContent = t("cw_show", "Show");
  button.setAttribute("aria-describedby", id);
  const shield = document.createElement("div");
  shield.className = "cw-cover";
  shield.append(note, button);
  button.addEventListener("click", () => {
    content.inert = false;
    content.classList.remove("cw-blurred");
    shield.remove();
    box.classList.add("cw-revealed");
    content.tabIndex = -1;
    content.focus();
  });
  box.append(shield, content);
}

// A server-rendered blurred post: its <details> becomes a cover over the blurred body.
export function coverPost(box) {
  const details = box.querySelector(":scope > details.cw-details");
  if (!details) return;
  const summary = details.querySelector(":scope > summary");
  const content = document.createElement("div");
  for (const node of [...details.childNodes]) if (node !== summary) content.append(node);
  details.remove();
  cover(box, content, box.dataset.cwWords || "");
}

// How this reader sees something with these warnings: the strictest of their choices.
export function treatmentFor(keys, prefs) {
  let how = "show";
  for (const key of keys) {
    const chosen = prefs[key] in STRICTNESS ? prefs[key] : "blur";
    if (STRICTNESS[chosen] > STRICTNESS[how]) how = chosen;
  }
  return how;
}

// `content` as this reader chose to see it, for content built on the page (chat messages).
export function warned(content, words, how) {
  const box = document.createElement("div");
  box.className = `cw cw-${how}`;
  box.dataset.cwWords = words;
  if (how === "blur") {
    cover(box, content, words);
  } else if (how === "hide") {
    const details = document.createElement("details");
    details.className = "cw-details";
    const summary = document.createElement("summary");
    summary.className = "cw-summary";
    summary.textContent = t("cw_hidden", "Hidden by your content warning settings ({words}). Show it", { words });
    details.append(summary, content);
    box.append(details);
  } else {
    const label = document.createElement("p");
    label.className = "cw-label";
    label.textContent = t("cw_label", "Content warning: {words}", { words });
    box.append(label, content);
  }
  return box;
}

for (const box of document.querySelectorAll('.cw[data-cw="blur"]')) coverPost(box);
