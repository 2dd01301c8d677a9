// The interface's words in the reader's language. They come as a module whose address is
// on <html data-words> (forum/script_words.py, built with gettext once per language and
// kept by the browser); each call names a key and the English, which is used when the
// module has no such key or could not be loaded.

async function load() {
  const address = document.documentElement.dataset.words;
  if (!address) return {};
  try {
    const words = (await import(address)).default;
    return words && typeof words === "object" ? words : {};
  } catch {
    return {};
  }
}

const strings = await load();

// t("slow_mode", "Slow mode: one message every {seconds} seconds.", { seconds: 30 })
export function t(key, fallback, values = null) {
  const text = typeof strings[key] === "string" && strings[key] ? strings[key] : fallback;
  if (!values) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}
