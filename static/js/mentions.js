// Mention suggestions: typing "@" and part of a name in a post or chat line offers the
// circle's members whose display name holds it; choosing one writes "@Their Name ".
//
// Fields opt in with data-mentions="<circle slug>". Arrow keys move through the list,
// Enter or Tab chooses, Escape closes it; a click chooses too. Without JavaScript,
// "@" and the name typed in full mentions the same person.

import { t } from "./strings.js";

const DELAY_MS = 150;
const MAX_WORDS = 3; // "@Robin Ash" and the like; past that it is just text after an "@"

// The "@name" being typed just before the caret, or null.
function typedMention(field) {
  const before = field.value.slice(0, field.selectionStart ?? field.value.length);
  const match = /(^|\s)@([^\s@][^@\n]{0,47})$/.exec(before);
  if (!match || match[2].trim().split(/\s+/).length > MAX_WORDS) return null;
  return { query: match[2], start: before.length - match[2].length - 1 };
}

function suggest(field) {
  const circle = field.dataset.mentions;
  const list = document.createElement("ul");
  list.className = "mention-options picker-options";
  list.id = `${field.id || "field"}-mentions`;
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", t("mention_list", "Members of this circle"));
  list.hidden = true;
  field.after(list);

  let people = [];
  let active = 0;
  let typed = null;
  let timer = null;
  let asked = 0;

  function close() {
    list.hidden = true;
    list.replaceChildren();
    people = [];
  }

  function show() {
    list.replaceChildren(
      ...people.map((person, i) => {
        const item = document.createElement("li");
        item.id = `${list.id}-${person.id}`;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", String(i === active));
        item.textContent = person.display_name;
        item.addEventListener("mousedown", (event) => {
          event.preventDefault(); // keep the caret in the field
          choose(i);
        });
        return item;
      }),
    );
    list.hidden = people.length === 0;
  }

  function choose(i) {
    const person = people[i];
    if (!person || !typed) return;
    const end = field.selectionStart ?? field.value.length;
    const written = `@${person.display_name} `;
    field.value = field.value.slice(0, typed.start) + written + field.value.slice(end);
    const caret = typed.start + written.length;
    field.setSelectionRange(caret, caret);
    field.dispatchEvent(new Event("input", { bubbles: true })); // drafts keep it
    close();
  }

  async function look(query) {
    const mine = ++asked;
    const params = new URLSearchParams({ q: query, circle });
    try {
      const response = await fetch(`/api/v1/me/people?${params}`, { credentials: "same-origin" });
      if (!response.ok || mine !== asked) return;
      people = (await response.json()).items;
      active = 0;
      show();
    } catch {
      close(); // offline: the name typed in full still mentions them
    }
  }

  field.addEventListener("input", () => {
    typed = typedMention(field);
    clearTimeout(timer);
    if (!typed) {
      close();
      return;
    }
    const query = typed.query;
    timer = setTimeout(() => look(query), DELAY_MS);
  });
  // Capture, so the chat's "Enter sends" never sees the key that chose a name.
  field.addEventListener(
    "keydown",
    (event) => {
      if (list.hidden || people.length === 0) return;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        const step = event.key === "ArrowDown" ? 1 : -1;
        active = (active + step + people.length) % people.length;
        show();
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(active);
      } else if (event.key === "Escape") {
        close();
      } else {
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    { capture: true },
  );
  field.addEventListener("blur", () => setTimeout(close, 100));
}

for (const field of document.querySelectorAll("[data-mentions]")) suggest(field);
