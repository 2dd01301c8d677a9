// Small progressive enhancements; every page works without this file.

import { t } from "./strings.js";

// Ask before deleting a post: it cannot be undone.
for (const form of document.querySelectorAll('form[action^="/posts/"][action$="/delete"]')) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(t("delete_post_confirm", "Delete this post? This can't be undone."))) event.preventDefault();
  });
}

// Move focus to a form's error so keyboard and screen-reader users hear it first.
const error = document.getElementById("form-error");
if (error) {
  error.setAttribute("tabindex", "-1");
  error.focus();
}

// A rejection or removal must cite a ground rule: say so before the form is sent.
const decision = document.querySelector("form.decision-form");
if (decision) {
  const rule = decision.querySelector('select[name="rule_id"]');
  const hours = decision.querySelector('input[name="mute_hours"]');
  decision.addEventListener("change", () => {
    const action = decision.querySelector('input[name="action"]:checked')?.value;
    rule.required = action === "reject" || action === "remove";
    hours.required = action === "mute";
  });
}

// Ask before deleting a crisis resource: people in need rely on these lines.
for (const form of document.querySelectorAll('form[action^="/admin/resources/"]')) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm(t("delete_line_confirm", "Delete this support line for everyone?"))) event.preventDefault();
  });
}
