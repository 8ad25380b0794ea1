// Wide tables and display equations scroll sideways inside the text column instead of being cut (extra.css). Each one
// that is wider than the column gets a cue beneath it, "scroll sideways", hidden once it is scrolled to its end.
// It marks nothing on the element itself (Material styles tables by `table:not([class])`).
// Run when the page is ready, after MathJax has typeset (mathjax-config.js calls it), and when the window changes size.
(function () {
  const WIDE = '.md-typeset table, .md-typeset mjx-container[display="true"]';
  // the box that scrolls: Material wraps the tables of markdown pages in a scrolling div
  const scroller = (e) => e.closest('.md-typeset__scrollwrap') || e;
  function cueFor(box) {
    const next = box.nextElementSibling;
    if (next && next.classList.contains('scroll-cue')) return next;
    const cue = document.createElement('div');
    cue.className = 'scroll-cue';
    cue.textContent = '\u21e0 scroll sideways to see all of it \u21e2';
    box.after(cue);
    box.addEventListener('scroll', () => update(box), {passive: true});
    return cue;
  }
  function update(box) {
    const wide = box.scrollWidth > box.clientWidth + 1;
    const next = box.nextElementSibling;
    if (!wide && !(next && next.classList.contains('scroll-cue'))) return;
    cueFor(box).hidden = !wide || box.scrollLeft + box.clientWidth >= box.scrollWidth - 1;
  }
  function markScrollers() { new Set([...document.querySelectorAll(WIDE)].map(scroller)).forEach(update); }
  window.colorizerMarkScrollers = markScrollers;
  document.addEventListener('DOMContentLoaded', markScrollers);
  window.addEventListener('load', markScrollers);
  window.addEventListener('resize', markScrollers);
})();
