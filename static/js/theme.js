// The colour theme: system, light or dark, remembered in this browser.
// A classic script in <head> (not a module, not deferred): it sets data-theme before
// the first paint so a chosen dark theme never flashes light. The CSP forbids inline code.
(() => {
  const KEY = "circles-theme";
  const root = document.documentElement;

  function stored() {
    try {
      const value = localStorage.getItem(KEY);
      return value === "light" || value === "dark" ? value : "system";
    } catch {
      return "system"; // storage refused (private mode, blocked cookies): follow the system
    }
  }

  function apply(theme) {
    if (theme === "system") delete root.dataset.theme;
    else root.dataset.theme = theme;
  }

  function remember(theme) {
    try {
      if (theme === "system") localStorage.removeItem(KEY);
      else localStorage.setItem(KEY, theme);
    } catch {
      // Not remembered, but still applied to this page.
    }
  }

  apply(stored());

  document.addEventListener("DOMContentLoaded", () => {
    const choice = document.getElementById("theme-choice");
    if (!choice) return;
    const select = choice.querySelector("select");
    select.value = stored();
    select.addEventListener("change", () => {
      apply(select.value);
      remember(select.value);
    });
    choice.hidden = false; // useless without this script, so shown only with it
  });
})();
