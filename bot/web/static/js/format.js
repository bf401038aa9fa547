// Turns bot text into DOM nodes: text stays text (no HTML is ever parsed),
// **bold** becomes <strong>, http(s) URLs become links. Line breaks are kept
// by the bubble's CSS (white-space: pre-wrap). Nothing else is interpreted.

const BOLD = /\*\*(?=\S)([\s\S]*?\S)\*\*/g;
const URL = /\bhttps?:\/\/[^\s<>"'`]+/g;
const TRAILING_PUNCTUATION = /[.,;:!?)\]]+$/;

/** A fragment holding text with bold runs and links made from it. */
export function formatText(text) {
  const fragment = document.createDocumentFragment();
  let last = 0;
  for (const match of text.matchAll(BOLD)) {
    fragment.append(...linkify(text.slice(last, match.index)));
    const strong = document.createElement("strong");
    strong.append(...linkify(match[1]));
    fragment.append(strong);
    last = match.index + match[0].length;
  }
  fragment.append(...linkify(text.slice(last)));
  return fragment;
}

/** Strings and <a> elements for the URLs in text, ready for Node.append(). */
export function linkify(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(URL)) {
    const url = match[0].replace(TRAILING_PUNCTUATION, "");
    if (match.index > last) nodes.push(text.slice(last, match.index));
    nodes.push(link(url));
    last = match.index + url.length;
  }
  if (last < text.length) nodes.push(text.slice(last));
  return nodes;
}

function link(url) {
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.textContent = url;
  anchor.target = "_blank";
  anchor.rel = "noopener noreferrer";
  return anchor;
}

/** Up to two capital letters from a product name, for its placeholder tile. */
export function initials(name) {
  const words = String(name || "").match(/[\p{L}\p{N}]+/gu) || [];
  const letters = words.slice(0, 2).map((word) => word[0].toUpperCase());
  return letters.join("") || "?";
}

/** A stable number from 0 to buckets - 1 for a string, to pick a tile colour. */
export function colourIndex(text, buckets) {
  let hash = 0;
  for (const char of String(text)) hash = (hash * 31 + char.codePointAt(0)) >>> 0;
  return hash % buckets;
}

/** A price in the shop's language, falling back to "49.00 XYZ" for odd currencies. */
export function formatPrice(amount, currency) {
  const value = Number(amount);
  if (!Number.isFinite(value)) return "";
  try {
    return new Intl.NumberFormat(document.documentElement.lang || "en", {
      style: "currency",
      currency: currency || "USD",
    }).format(value);
  } catch (error) {
    return `${value.toFixed(2)} ${currency}`;
  }
}
