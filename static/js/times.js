// Timestamps: relative words ("3 hours ago", "hace 3 horas") kept current, and the exact
// time on hover in the reader's own time zone. forum/times.py renders the same words on
// the server.

// The same units, lengths and words as forum/times.py: change them together.
const UNITS = [
  ["year", 365 * 86400],
  ["month", 30 * 86400],
  ["week", 7 * 86400],
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];
// The page's language (<html lang>, the server's choice for this reader), in the
// browser's regional flavour when it is the same language ("en-NZ", "es-MX"); the exact
// time in the reader's own time zone.
const pageLang = document.documentElement.lang || "en";
const lang = navigator.language.split("-")[0].toLowerCase() === pageLang ? navigator.language : pageLang;
const relative = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
const exact = new Intl.DateTimeFormat(lang, {
  year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit",
  timeZoneName: "short",
});
// Under a minute: English keeps the server's "just now"; other languages say CLDR's "now"
// ("ahora"), which is also what forum/times.py's catalog says.
const justNow = pageLang === "en" ? "just now" : relative.format(0, "second");

export function relativeWords(when, now = Date.now()) {
  const seconds = Math.round((when - now) / 1000);
  const size = Math.abs(seconds);
  for (const [unit, length] of UNITS) {
    if (size >= length) return relative.format(Math.sign(seconds) * Math.floor(size / length), unit);
  }
  return justNow;
}

function show(time) {
  const when = new Date(time.dateTime);
  if (Number.isNaN(when.getTime())) return;
  time.textContent = relativeWords(when);
  time.title = exact.format(when);
}

// A <time> for a moment the server sent as ISO 8601 (chat messages, live updates).
export function timeElement(iso) {
  const time = document.createElement("time");
  time.className = "timestamp";
  time.dateTime = iso;
  show(time);
  return time;
}

function refresh() {
  for (const time of document.querySelectorAll("time.timestamp")) show(time);
}

refresh();
setInterval(() => {
  if (document.visibilityState === "visible") refresh();
}, 60_000);
