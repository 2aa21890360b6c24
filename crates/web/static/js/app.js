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

  document.querySelectorAll('[data-multi-pick]').forEach(multiPick);
})();
