// The interface's words in the reader's language. The page carries them as JSON
// (forum/templates/_js_strings.html, built with gettext); each call names a key and the
// English, which is used when the page has no such key (or no strings at all).

let strings = null;

function load() {
  const source = document.getElementById("circles-strings");
  try {
    const parsed = source ? JSON.parse(source.textContent) : {};
    return parsed && typeof parsed === "object" ? parsed : {};
  } catch {
    return {};
  }
}

// t("slow_mode", "Slow mode: one message every {seconds} seconds.", { seconds: 30 })
export function t(key, fallback, values = null) {
  strings ??= load();
  const text = typeof strings[key] === "string" && strings[key] ? strings[key] : fallback;
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
