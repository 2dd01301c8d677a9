// Personal boundaries on server-rendered pages; every page works without this file.
//
// Something a reader's muted words cover arrives as <details class="muted"> (a disclosure
// that works without JavaScript). Here it becomes a notice with a "show" button that
// reveals it, and hides it again.

import { t } from "./strings.js";

for (const details of document.querySelectorAll("details.muted")) {
  const summary = details.querySelector("summary");
  const note = summary.querySelector(".muted-note")?.textContent ?? t("muted_note", "Hidden by your muted words");
  const content = document.createElement("div");
  content.className = "muted-content";
  content.hidden = true;
  content.tabIndex = -1;
  for (const node of [...details.childNodes]) if (node !== summary) content.append(node);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "link-button muted-toggle";
  button.textContent = t("show", "show");
  button.setAttribute("aria-expanded", "false");
  const notice = document.createElement("p");
  notice.className = "muted-notice";
  notice.append(`${note}: `, button);
  const wrapper = document.createElement("div");
  wrapper.className = "muted";
  wrapper.append(notice, content);
  button.addEventListener("click", () => {
    const showing = content.hidden;
    content.hidden = !showing;
    button.textContent = showing ? t("hide", "hide") : t("show", "show");
    button.setAttribute("aria-expanded", String(showing));
  });
  details.replaceWith(wrapper);
}

// Blocking takes effect at once: say what it does before the form is sent.
for (const form of document.querySelectorAll("form.block-form")) {
  form.addEventListener("submit", (event) => {
    const name = form.dataset.name || t("block_this_member", "this member");
    const question = t("block_confirm", "Block {name}? You won't see their posts or chat messages, and they "
      + "can't reach you. They won't be told. You can unblock them at any time.", { name });
    if (!window.confirm(question)) event.preventDefault();
  });
}

// Deleting an account can't be undone: one last question.
const deletion = document.querySelector("form.delete-account-form");
if (deletion) {
  deletion.addEventListener("submit", (event) => {
    if (!window.confirm(t("delete_account_confirm", "Delete your account now? This can't be undone."))) event.preventDefault();
  });
}
