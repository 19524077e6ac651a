// Progressive enhancement of the "Log concerns" page: add one row at a time without
// reloading, move focus to the new row's text, and stop Enter in a one-line box from
// submitting the form by accident. Without JavaScript the page works as a plain form.

const ROW = "__ROW__";
const NUMBER = "__NUMBER__";
const ATTRIBUTES = ["id", "name", "for", "aria-describedby", "aria-controls", "href"];

function replacePlaceholders(node, index) {
  const walker = document.createTreeWalker(node, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
  for (let current = walker.currentNode; current; current = walker.nextNode()) {
    if (current.nodeType === Node.TEXT_NODE) {
      if (current.nodeValue.includes(NUMBER)) {
        current.nodeValue = current.nodeValue.replaceAll(NUMBER, String(index + 1));
      }
      continue;
    }
    if (current.nodeType !== Node.ELEMENT_NODE) continue; // the fragment itself
    for (const name of ATTRIBUTES) {
      const value = current.getAttribute(name);
      if (value && value.includes(ROW)) {
        current.setAttribute(name, value.replaceAll(ROW, String(index)));
      }
    }
  }
}

function nextIndex(rows) {
  // Names are rows-<index>-text; indexes may have gaps, so take the highest plus one.
  let highest = -1;
  for (const text of rows.querySelectorAll("[data-row-text]")) {
    const match = /^rows-(\d+)-/.exec(text.name);
    if (match) highest = Math.max(highest, Number(match[1]));
  }
  return highest + 1;
}

function enhance(form) {
  const rows = form.querySelector("[data-rows]");
  const template = document.getElementById("engage-concern-row");
  const status = form.querySelector("[data-rows-status]");
  const addFive = form.querySelector("[data-add-rows]");
  if (!rows || !template || !addFive) return;
  const maxRows = Number(form.dataset.maxRows || "50");

  const addOne = document.createElement("button");
  addOne.type = "button";
  addOne.className = "govuk-button govuk-button--secondary";
  addOne.textContent = "Add another concern";
  addFive.replaceWith(addOne);

  const refresh = () => {
    const full = rows.querySelectorAll("[data-row]").length >= maxRows;
    addOne.disabled = full;
    addOne.setAttribute("aria-disabled", String(full));
  };

  addOne.addEventListener("click", () => {
    const count = rows.querySelectorAll("[data-row]").length;
    if (count >= maxRows) return;
    const index = nextIndex(rows);
    const fragment = template.content.cloneNode(true);
    replacePlaceholders(fragment, index);
    // The legend says "Concern N" by position, which is what people count.
    const number = fragment.querySelector("[data-row-number]");
    if (number) number.textContent = String(count + 1);
    rows.append(fragment);
    const added = rows.querySelectorAll("[data-row]")[count];
    const text = added.querySelector("[data-row-text]");
    if (text) text.focus();
    if (status) status.textContent = `Concern ${count + 1} added`;
    refresh();
  });

  form.addEventListener("keydown", (event) => {
    const target = event.target;
    if (
      event.key === "Enter" &&
      target instanceof HTMLInputElement &&
      !["submit", "button", "checkbox", "radio"].includes(target.type)
    ) {
      event.preventDefault();
    }
  });
  refresh();
}

for (const form of document.querySelectorAll('form[data-module="engage-concern-rows"]')) {
  enhance(form);
}
