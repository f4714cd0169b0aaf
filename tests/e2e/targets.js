// The interactive elements of the page smaller than `min` CSS pixels either way, as text.
// A checkbox or radio counts with its label (a tap on either works); a link
// inside a sentence is WCAG's inline exception; what is not drawn (hidden, clipped to 1px,
// off screen, inside a closed <details>) is not a target.
(min) => {
  const selector = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, ' +
    '[role="button"], [role="option"], [role="tab"], [tabindex]:not([tabindex="-1"])';
  const small = [];
  const seen = new Set();
  function drawn(el) {
    const style = getComputedStyle(el);
    if (style.visibility === "hidden" || style.display === "none") return false;
    if (el.closest("details:not([open]) > :not(summary)")) return false;
    if (el.closest(".visually-hidden, [hidden], [inert], dialog:not([open])")) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    if (r.right < 0 || r.bottom + window.scrollY < 0 || r.left >= window.innerWidth) return false;
    return true;
  }
  function inSentence(el) {
    if (getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement;
    if (!block) return false;
    for (const node of block.childNodes) {
      if (node !== el && node.nodeType === Node.TEXT_NODE && node.textContent.trim()) return true;
    }
    return false;
  }
  for (const el of document.querySelectorAll(selector)) {
    if (!drawn(el) || inSentence(el)) continue;
    let target = el;
    if ((el.type === "checkbox" || el.type === "radio") && el.labels && el.labels.length) {
      // Its label takes the same tap: the biggest one is the target (WCAG's "equivalent").
      target = Array.from(el.labels).sort((a, b) =>
        b.offsetWidth * b.offsetHeight - a.offsetWidth * a.offsetHeight)[0];
    }
    if (seen.has(target)) continue;
    seen.add(target);
    const r = target.getBoundingClientRect();
    if (r.width < min - 0.5 || r.height < min - 0.5) {
      const name = (target.getAttribute("aria-label") || target.textContent || target.name ||
                    target.id || "").trim().replace(/\s+/g, " ").slice(0, 40);
      const cls = target.className && typeof target.className === "string" ?
        "." + target.className.trim().split(/\s+/).join(".") : "";
      small.push(`${target.tagName.toLowerCase()}${cls} "${name}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
  }
  return small;
}
