// Builds the transcript's elements from saved items. An item is either
// {from: "user", text} or {from: "bot", message}, where message is what the
// dialogue engine emitted on bot_uttered. Buttons call onChoose(title, payload).

import { colourIndex, formatPrice, formatText, initials } from "./format.js";

const TILE_COLOURS = 8;

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function speaker(label) {
  return element("span", "visually-hidden", `${label}: `);
}

/** The element of one transcript item, or null for a message with nothing shown. */
export function renderItem(item, onChoose) {
  if (item.from === "user") return renderUser(item.text);
  if (item.from === "bot") return renderBot(item.message || {}, onChoose);
  return null;
}

function renderUser(text) {
  const row = element("div", "msg user");
  row.dataset.testid = "user-message";
  row.append(speaker("You"), element("div", "bubble", text));
  return row;
}

function renderBot(message, onChoose) {
  const parts = [
    textBubble(message.text),
    quickReplies(message.quick_replies, onChoose),
    attachment(message.attachment, onChoose),
  ].filter(Boolean);
  if (parts.length === 0) {
    console.debug("bot message with nothing to show", Object.keys(message));
    return null;
  }
  const row = element("div", "msg bot");
  row.dataset.testid = "bot-message";
  row.append(speaker("Northwind Threads"), ...parts);
  return row;
}

function textBubble(text) {
  if (typeof text !== "string" || text.trim() === "") return null;
  const bubble = element("div", "bubble");
  bubble.append(formatText(text));
  return bubble;
}

function quickReplies(replies, onChoose) {
  if (!Array.isArray(replies) || replies.length === 0) return null;
  const row = element("div", "quick-replies");
  row.setAttribute("role", "group");
  row.setAttribute("aria-label", "Suggested replies");
  for (const reply of replies) {
    if (!reply || !reply.title) continue;
    const button = choiceButton("quick-reply", reply, onChoose);
    button.dataset.testid = "quick-reply";
    row.append(button);
  }
  return row;
}

function choiceButton(className, choice, onChoose) {
  const button = element("button", className, choice.title);
  button.type = "button";
  button.addEventListener("click", () => {
    if (!button.disabled) onChoose(choice.title, choice.payload || choice.title);
  });
  return button;
}

function attachment(value, onChoose) {
  if (!value || typeof value !== "object") return null;
  if (value.type === "image") return image(value.payload && value.payload.src);
  if (value.type === "product_cards") return productCards(value.products, onChoose);
  console.debug("attachment type not shown", value.type);
  return null;
}

/** True for a path on this site; the page never loads images from elsewhere. */
function isOwnImage(src) {
  if (typeof src !== "string" || src === "") return false;
  try {
    return new URL(src, window.location.href).origin === window.location.origin;
  } catch (error) {
    return false;
  }
}

function image(src) {
  if (isOwnImage(src)) {
    const img = element("img", "attachment-image");
    img.src = src;
    img.alt = "Image from Northwind Threads";
    img.loading = "lazy";
    return img;
  }
  if (typeof src === "string" && /^https?:\/\//.test(src)) {
    const bubble = element("div", "bubble");
    bubble.append("Image: ", ...formatText(src).childNodes);
    return bubble;
  }
  return null;
}

function productCards(products, onChoose) {
  if (!Array.isArray(products) || products.length === 0) return null;
  const list = element("ul", "product-cards");
  list.setAttribute("aria-label", "Suggested products");
  for (const product of products) {
    const item = element("li", "product-cards-item");
    item.append(productCard(product, onChoose));
    list.append(item);
  }
  return list;
}

function productCard(product, onChoose) {
  const card = element("article", "product-card");
  card.dataset.testid = "product-card";
  if (product.id !== undefined) card.dataset.productId = String(product.id);
  const body = element("div", "product-body");
  body.append(
    element("h3", "product-name", product.name || "Product"),
    element("p", "product-price", formatPrice(product.price, product.currency)),
  );
  if (product.reason) body.append(element("p", "product-reason", product.reason));
  body.append(stockBadge(product.in_stock));
  const actions = productButtons(product.buttons, onChoose);
  if (actions) body.append(actions);
  card.append(productImage(product), body);
  return card;
}

function productImage(product) {
  if (isOwnImage(product.image_url)) {
    const img = element("img", "product-image");
    img.src = product.image_url;
    img.alt = "";
    img.loading = "lazy";
    return img;
  }
  const name = product.name || "";
  const colour = `tile-${colourIndex(name, TILE_COLOURS)}`;
  const tile = element("div", `product-image placeholder ${colour}`);
  tile.setAttribute("aria-hidden", "true");
  tile.textContent = initials(name);
  return tile;
}

function stockBadge(inStock) {
  if (inStock) return element("span", "stock-badge in-stock", "In stock");
  return element("span", "stock-badge out-of-stock", "Out of stock");
}

function productButtons(buttons, onChoose) {
  if (!Array.isArray(buttons) || buttons.length === 0) return null;
  const row = element("div", "product-actions");
  for (const choice of buttons) {
    if (!choice || !choice.title) continue;
    row.append(choiceButton("product-button", choice, onChoose));
  }
  return row;
}
