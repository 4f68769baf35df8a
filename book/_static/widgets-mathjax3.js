// The Jupyter widget manager typesets widget labels with the MathJax 2 call
// MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book runs MathJax 3,
// which has no Hub, so every widget on a page with formulas would throw.
// Loaded just before the widget manager, this maps that call onto MathJax 3.
window.addEventListener("load", function () {
  var mathjax = window.MathJax;
  if (!mathjax || mathjax.Hub) return;
  mathjax.Hub = {
    Queue: function (command) {
      var element = command && command[2];
      var ready = (mathjax.startup && mathjax.startup.promise) || Promise.resolve();
      ready.then(function () {
        if (element && mathjax.typesetPromise) return mathjax.typesetPromise([element]);
      });
    },
  };
});
