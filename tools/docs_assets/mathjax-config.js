// MathJax 3, served from this site (assets/mathjax/): notebooks write math as $...$ and $$...$$.
window.MathJax = {
  tex: {inlineMath: [['$', '$'], ['\\(', '\\)']], displayMath: [['$$', '$$'], ['\\[', '\\]']], processEscapes: true},
  options: {ignoreHtmlClass: 'jp-InputArea|highlight-ipynb', processHtmlClass: 'jp-RenderedMarkdown'},
  chtml: {fontURL: new URL('mathjax/output/chtml/fonts/woff-v2', document.currentScript.src).href},
};
