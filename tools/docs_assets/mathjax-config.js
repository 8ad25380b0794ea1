// MathJax 3, served from this site (assets/mathjax/): notebooks write math as $...$ and $$...$$.
// Once the page is typeset, equations wider than the column get their scroll cue (scroll-cue.js).
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']], processEscapes: true},
  options: {ignoreHtmlClass: 'jp-InputArea|highlight-ipynb', processHtmlClass: 'jp-RenderedMarkdown'},
  chtml: {fontURL: new URL('mathjax/output/chtml/fonts/woff-v2', document.currentScript.src).href},
  startup: {
    pageReady: () => MathJax.startup.defaultPageReady().then(() => window.colorizerMarkScrollers && window.colorizerMarkScrollers()),
  },
};
