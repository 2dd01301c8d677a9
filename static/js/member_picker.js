// The member picker: type part of a display name, choose from the people you share a
// circle with, and the form sends their id (usernames stay private). Without JavaScript
// the field still takes a username, as before.

import { t } from "./strings.js";

const DELAY = 200;

function picker(input) {
  const form = input.form;
  const chosen = form.querySelector('input[name="user_id"]');
  const list = document.createElement("ul");
  list.id = `${input.id}-options`;
  list.className = "picker-options";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", t("picker_label", "People you share a circle with"));
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "picker-status meta";
  status.setAttribute("role", "status");
  input.after(list, status);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);
  input.autocomplete = "off";

  let people = [];
  let active = -1;
  let timer = null;
  let asked = 0;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    const options = list.querySelectorAll('[role="option"]');
    options.forEach((option, i) => option.setAttribute("aria-selected", String(i === index)));
    active = index;
    if (index >= 0) input.setAttribute("aria-activedescendant", options[index].id);
    else input.removeAttribute("aria-activedescendant");
  }

  function choose(person) {
    input.value = person.display_name;
    chosen.value = String(person.id);
    status.textContent = person.circles.length
      ? t("picker_chosen_in", "{name}, in {circles}.", { name: person.display_name, circles: person.circles.join(", ") })
      : `${person.display_name}.`;
    close();
  }

  function show(found) {
    people = found;
    list.replaceChildren();
    if (!found.length) {
      const none = document.createElement("li");
      none.className = "picker-none";
      none.textContent = t("picker_none", "No one by that name in your circles.");
      list.append(none);
    }
    found.forEach((person, i) => {
      const option = document.createElement("li");
      option.id = `${list.id}-${i}`;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.dataset.id = String(person.id);
      const name = document.createElement("span");
      name.className = "picker-name";
      name.textContent = person.display_name;
      const where = document.createElement("span");
      where.className = "meta";
      where.textContent = person.circles.length ? ` ${t("picker_in", "in {circles}", { circles: person.circles.join(", ") })}` : "";
      option.append(name, where);
      // mousedown, not click: the input would lose focus (and close the list) first.
      option.addEventListener("mousedown", (event) => {
        event.preventDefault();
        choose(person);
      });
      list.append(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(found.length ? 0 : -1);
  }

  async function search() {
    const query = input.value.trim();
    const ask = ++asked;
    if (!query) {
      close();
      return;
    }
    const response = await fetch(`/api/v1/me/people?q=${encodeURIComponent(query)}`, {
      credentials: "same-origin",
    });
    if (ask !== asked || !response.ok) return;  // a newer search, or nothing to offer
    show((await response.json()).items);
  }

  input.addEventListener("input", () => {
    chosen.value = "";
    status.textContent = "";
    window.clearTimeout(timer);
    timer = window.setTimeout(() => search().catch(() => {}), DELAY);
  });
  input.addEventListener("keydown", (event) => {
    if (list.hidden) return;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (!people.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + people.length) % people.length);
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      choose(people[active]);
    } else if (event.key === "Escape") {
      close();
    }
  });
  input.addEventListener("blur", close);
  form.addEventListener("submit", () => {
    // A name typed in full without choosing it: the one person of that name, if offered.
    if (chosen.value) return;
    const typed = input.value.trim().toLowerCase();
    const match = people.filter((person) => person.display_name.toLowerCase() === typed);
    if (match.length === 1) chosen.value = String(match[0].id);
  });
}

document.querySelectorAll("input[data-member-picker]").forEach(picker);
