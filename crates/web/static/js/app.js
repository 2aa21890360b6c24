// cst: small enhancements of our own pages, loaded on every page (no inline script: the CSP
// allows only files of this site). Each works on markup that is already usable without it.
(function () {
  'use strict';

  // Letters without accents, lower case: "Città" finds "citta".
  function plain(s) {
    return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  // A searchable multiple choice: a list of checkboxes in a `[data-multi-pick]` block, a search
  // field (hidden until this script shows it) that narrows the list, and a line saying what is
  // chosen, updated as boxes are ticked.
  function multiPick(block) {
    var filter = block.querySelector('[data-pick-filter]');
    var chosen = block.querySelector('[data-pick-chosen]');
    var items = Array.prototype.slice.call(block.querySelectorAll('[data-pick-item]'));
    function sayChosen() {
      var names = items
        .filter(function (i) { return i.querySelector('input').checked; })
        .map(function (i) { return i.textContent.trim(); });
      chosen.textContent = names.length ? names.join(', ') : 'nessuno';
    }
    if (filter) {
      filter.hidden = false;
      filter.addEventListener('input', function () {
        var q = plain(filter.value.trim());
        items.forEach(function (i) {
          i.hidden = q !== '' && plain(i.textContent).indexOf(q) < 0;
        });
      });
    }
    block.addEventListener('change', sayChosen);
  }

  // A price component shows only the fields of its kind of charge and of price: the others
  // stay in the page (and are ignored when saved) but hidden, so the form reads short.
  function component(block) {
    var when = block.querySelector('[data-when]');
    var kind = block.querySelector('[data-kind]');
    function shows(el, attr, value) {
      var list = el.getAttribute(attr);
      return list === null || list.split(' ').indexOf(value) >= 0;
    }
    function update() {
      if (when) block.querySelectorAll('[data-show-when]').forEach(function (el) {
        el.hidden = !shows(el, 'data-show-when', when.value);
      });
      if (kind) block.querySelectorAll('[data-show-kind]').forEach(function (el) {
        el.hidden = !shows(el, 'data-show-kind', kind.value);
      });
    }
    if (when) when.addEventListener('change', update);
    if (kind) kind.addEventListener('change', update);
    if (when || kind) update();
  }

  // A button that prints the page (the front desk's day).
  document.querySelectorAll('[data-print]').forEach(function (b) {
    b.addEventListener('click', function () { window.print(); });
  });

  document.querySelectorAll('[data-multi-pick]').forEach(multiPick);
  document.querySelectorAll('[data-component]').forEach(component);
})();
