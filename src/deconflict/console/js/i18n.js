// The interface in English, French or Russian: one JSON dictionary per language, flat keys.
// Elements say what they need: data-i18n (text), data-i18n-label (aria-label),
// data-i18n-placeholder, data-i18n-title.

export const LANGUAGES = { en: "English", fr: "Français", ru: "Русский" };
const KEY = "deconflict.lang";

let lang = "en";
let dict = {};
let fallback = {};
const listeners = new Set();

async function load(code) {
  const res = await fetch(`/console/i18n/${code}.json`, { cache: "no-cache" });
  if (!res.ok) throw new Error(`no translations for ${code}`);
  return res.json();
}

/** The language chosen before, else the browser's if we have it, else English. */
export function preferredLanguage() {
  const stored = localStorage.getItem(KEY);
  if (stored && stored in LANGUAGES) return stored;
  for (const l of navigator.languages ?? [navigator.language]) {
    const code = String(l).slice(0, 2).toLowerCase();
    if (code in LANGUAGES) return code;
  }
  return "en";
}

export async function setLanguage(code) {
  if (!(code in LANGUAGES)) code = "en";
  if (!Object.keys(fallback).length) fallback = await load("en");
  dict = code === "en" ? fallback : await load(code);
  lang = code;
  localStorage.setItem(KEY, code);
  document.documentElement.lang = code;
  apply(document);
  for (const fn of listeners) fn(code);
}

export const language = () => lang;
export const onLanguage = (fn) => listeners.add(fn);

/** The text for `key` with {name} placeholders filled; the key itself if it has no text. */
export function t(key, params = {}) {
  const text = dict[key] ?? fallback[key];
  if (text === undefined) return key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** `prefix.value` translated, or the value itself when there is no translation for it. */
export function term(prefix, value) {
  if (value === null || value === undefined || value === "") return "";
  const key = `${prefix}.${value}`;
  const text = dict[key] ?? fallback[key];
  return text ?? String(value).replaceAll("_", " ");
}

export function apply(root) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-label]")) el.setAttribute("aria-label", t(el.dataset.i18nLabel));
  for (const el of root.querySelectorAll("[data-i18n-placeholder]")) el.placeholder = t(el.dataset.i18nPlaceholder);
  for (const el of root.querySelectorAll("[data-i18n-title]")) el.title = t(el.dataset.i18nTitle);
}

export function formatNumber(value, digits = 0) {
  return new Intl.NumberFormat(lang, { maximumFractionDigits: digits }).format(value);
}

/** 850 m, 1.3 km */
export function formatDistance(metres) {
  if (metres === null || metres === undefined) return "";
  return metres < 1000
    ? t("unit.m", { value: formatNumber(metres) })
    : t("unit.km", { value: formatNumber(metres / 1000, 1) });
}
