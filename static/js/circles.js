// Small progressive enhancements; every page works without this file.

// Ask before deleting a post: it cannot be undone.
for (const form of document.querySelectorAll('form[action$="/delete"]')) {
  form.addEventListener("submit", (event) => {
    if (!window.confirm("Delete this post? This can't be undone.")) event.preventDefault();
  });
}

// Move focus to a form's error so keyboard and screen-reader users hear it first.
const error = document.getElementById("form-error");
if (error) {
  error.setAttribute("tabindex", "-1");
  error.focus();
}
